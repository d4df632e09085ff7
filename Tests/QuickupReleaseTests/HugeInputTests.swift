import Foundation
import QuickupCore
import Testing
@testable import QuickupRelease

/// Issue 13 item 9: a manifest repeating one mistake thousands of times reports the first ones
/// of that kind and a count, not every one of them (385,556 lines for a 50 MB manifest before).
@Suite("Huge input (issue 13.9)")
struct HugeInputTests {
    @Test("1,000 tasks with missing files: the first 20 are reported with file:line, then one line counts the other 980")
    func repeatedErrorsAreCapped() throws {
        var files = ReleaseFixture.validFiles
        var manifest = ""
        for index in 0..<1_000 {
            manifest += "sql.m\(index).id=M\(index)\nsql.m\(index).description=missing\nsql.m\(index).file=sql/missing\(index).sql\nsql.m\(index).stage=pre_stop\n"
        }
        // A different mistake, repeated a few times: each kind is capped on its own.
        for index in 0..<3 { manifest += "sql.s\(index).id=S\(index)\nsql.s\(index).description=bad stage\nsql.s\(index).file=sql/a.sql\nsql.s\(index).stage=nowhere\n" }
        files["base/upgrade/V1.0.2/upgrade_tasks_V1.0.2.properties"] = manifest
        files["base/upgrade/V1.0.2/sql/a.sql"] = "CREATE TABLE a2 (id INT);\n"
        let fixture = try ReleaseFixture(files)
        defer { fixture.remove() }
        let loaded = ReleaseLoader().load(directory: fixture.path)
        let errors = loaded.diagnostics.sortedErrors
        let missing = errors.filter { $0.message.contains("missing") && $0.location?.line != nil }
        #expect(missing.count == Diagnostics.perKindLimit, "\(errors.count) errors")
        #expect(errors.filter { $0.message.contains("nowhere") }.count == 3, "another kind keeps its own errors")
        let summary = try #require(errors.last)
        #expect(summary.message.hasPrefix("… and 980 more errors like the first 20 of this kind, e.g. "), "\(summary)")
        #expect(summary.message.contains(":83: sql.m20.file: 'sql/missing20.sql' refers to a missing file"), "the first one left out: \(summary)")
        #expect(errors.count == 20 + 3 + 1, "\(errors.map(\.description))")
        #expect(loaded.diagnostics.droppedCount == 980)
    }

    @Test("merging diagnostics keeps the cap and the counts")
    func mergeKeepsCounts() {
        var a = Diagnostics(), b = Diagnostics()
        for index in 0..<30 { a.error("'f\(index).sql' does not exist", at: SourceLocation(file: "m", line: index + 1), code: .fileNotFound) }
        for index in 0..<30 { b.error("'g\(index).sql' does not exist", at: SourceLocation(file: "n", line: index + 1), code: .fileNotFound) }
        a.merge(b)
        #expect(a.errors.count == 20 && a.droppedCount == 40)
        #expect(a.sortedErrors.last?.message.hasPrefix("… and 40 more errors") == true)
    }
}
