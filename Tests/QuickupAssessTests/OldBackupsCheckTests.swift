import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupAssess

/// The space old backups hold (F6, §6.1.3.3.1.5): the assessment's figure is what `du` counts.
@Suite("Old backups in the assessment (F6)")
struct OldBackupsCheckTests {
    @Test("the figure for old backups equals du -sB1 of backup.dir; none kept passes with 0")
    func matchesDu() throws {
        let tree = try TemporaryTree("hbk-old-backups")
        defer { tree.remove() }
        let dir = tree.root.appendingPathComponent("backups").path
        #expect(OldBackupsCheck.check(backupDirectory: dir).measured == 0)
        try tree.write("backups/RUN1/shop_db/db.t.sql", String(repeating: "INSERT INTO t VALUES (1);\n", count: 4000))
        try tree.write("backups/RUN1/manifest.json", "[]")
        try tree.write("backups/RUN2/redis/keys-3.redisdump", String(repeating: "x", count: 70_000))
        let du = Double(try ChildProcess.run(["/usr/bin/du", "-sB1", dir]).stdout.split(separator: "\t").first ?? "")
        let check = OldBackupsCheck.check(backupDirectory: dir)
        #expect(check.measured == du && (du ?? 0) > 100_000)
        #expect(check.status == .pass && check.summary.contains("old backups hold"))
    }
}
