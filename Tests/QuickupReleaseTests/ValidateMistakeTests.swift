import Foundation
import QuickupCore
import Testing
@testable import QuickupRelease

/// Mistakes `validate` used to pass, or reported many times over (issue 14 item 2, M5/M6).
@Suite("validate: what used to pass (issue 14 item 2)")
struct ValidateMistakeTests {
    private func errors(_ directory: String) -> [QuickupError] {
        ReleaseLoader().load(directory: directory).diagnostics.errors
    }

    @Test("--release one level too low (component, upgrade or version folder) is an error pointing at the release")
    func tooLow() throws {
        let fixture = try ReleaseFixture(ReleaseFixture.validFiles)
        defer { fixture.remove() }
        for folder in ["base", "base/upgrade", "base/upgrade/V1.0.1"] {
            let found = errors("\(fixture.path)/\(folder)")
            #expect(found.count == 1, "\(folder): \(found)")
            let text = found.first?.description ?? ""
            #expect(text.contains("no components found"), "\(text)")
            #expect(text.contains("release.yaml and one folder per component"), "\(text)")
            #expect(text.hasSuffix("pass --release \(fixture.path)"), "\(text)")
        }
    }

    @Test("--release one level too high names the releases found below it")
    func tooHigh() throws {
        var files: [String: String] = [:]
        for (path, content) in ReleaseFixture.validFiles { files["tiny/\(path)"] = content }
        files["notes/readme.txt"] = "not a release\n"
        let fixture = try ReleaseFixture(files)
        defer { fixture.remove() }
        let found = errors(fixture.path)
        #expect(found.count == 1, "\(found)")
        let text = found.first?.description ?? ""
        #expect(text.contains("no components found in \(fixture.path)"), "\(text)")
        #expect(text.contains("pass --release \(fixture.path)/tiny"), "\(text)")
        #expect(!text.contains("notes"), "\(text)")
        // The hint's path is the release: it loads cleanly.
        #expect(errors("\(fixture.path)/tiny").isEmpty)
    }

    @Test("an empty folder says what a release looks like")
    func empty() throws {
        let fixture = try ReleaseFixture(["other/file.txt": "x\n"])
        defer { fixture.remove() }
        let found = errors("\(fixture.path)/other")
        #expect(found.count == 1)
        #expect(found.first?.description.contains(ReleaseLocator.expected) == true)
    }

    @Test("ReleaseLocator.parent keeps relative paths relative")
    func parents() {
        #expect(ReleaseLocator.parent(of: "rel/base", levels: 1) == "rel")
        #expect(ReleaseLocator.parent(of: "base", levels: 1) == ".")
        #expect(ReleaseLocator.parent(of: "/a/rel/base/upgrade/V1", levels: 3) == "/a/rel")
        #expect(ReleaseLocator.parent(of: ".", levels: 1) == "./..")
    }

    @Test(".file, .rollback or a rule's file naming a directory is an error at validate, with file:line: key")
    func directoryAsFile() throws {
        var files = ReleaseFixture.validFiles
        files["base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"] = ReleaseFixture.validFiles["base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"]!
            .replacingOccurrences(of: "sql.a.file=sql/a.sql", with: "sql.a.file=sql\nsql.a.rollback=sql/")
        files["base/upgrade/V1.0.1/quality_V1.0.1.properties"] = "rule.r.description=r\nrule.r.file=sql\n"
        let fixture = try ReleaseFixture(files)
        defer { fixture.remove() }
        let lines = errors(fixture.path).map(\.description)
        #expect(lines.contains { $0.contains("upgrade_tasks_V1.0.1.properties:3: sql.a.file: 'sql' is a directory, not a file") }, "\(lines)")
        #expect(lines.contains { $0.contains("sql.a.rollback: 'sql/' is a directory") }, "\(lines)")
        #expect(lines.contains { $0.contains("rule.r.file: 'sql' is a directory") }, "\(lines)")
        #expect(lines.contains { $0.contains("e.g. sql/a.sql") }, "\(lines)")
    }

    @Test("one malformed component.yaml is one error, not one per task")
    func malformedComponentYAML() throws {
        var files = ReleaseFixture.validFiles
        var manifest = ""
        for n in 0..<15 {
            manifest += "sql.t\(n).id=T\(n)\nsql.t\(n).description=t\nsql.t\(n).file=sql/a.sql\nsql.t\(n).stage=pre_stop\n"
        }
        files["base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"] = manifest
        files["base/upgrade/V1.0.1/quality_V1.0.1.properties"] = "rule.r.description=r\nrule.r.sql=SELECT 0\n"
        for broken in ["plugin_class: core\ndatasources:\n  - name: base_db\n   type: [mariadb\n",
                       "plugin_class: core\ndatasources:\n  - name: base_db\n    type: mariadbx\n"] {
            files["base/component.yaml"] = broken
            let fixture = try ReleaseFixture(files)
            defer { fixture.remove() }
            let found = errors(fixture.path)
            #expect(found.count == 1, "\(found.map(\.description))")
            #expect(found.first?.location?.file.hasSuffix("base/component.yaml") == true)
        }
        // A readable component.yaml that declares no datasource still reports each task (M5).
        files["base/component.yaml"] = "plugin_class: core\n"
        let fixture = try ReleaseFixture(files)
        defer { fixture.remove() }
        #expect(errors(fixture.path).filter { $0.message.contains("no SQL datasource") }.count == 16)
    }
}
