import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupRun

/// `quickup rollback RUN` for the database (F4): undo scripts newest first, recorded in
/// upgrade_log as ROLLED_BACK (E2), resumable, stopping at a task it cannot undo.
@Suite("Rollback of a run's SQL tasks (F4, E2)")
struct RollbackTests {
    /// t1 creates a table, t2 fills it, t3 adds an index: each undo needs the later ones undone first.
    private func fixture(t2Rollback: String? = "DELETE FROM a WHERE x IN (1, 2);") throws -> RunFixture {
        let f = try RunFixture(tasks: [
            ("t1", "pre_stop", "CREATE TABLE a (x INT);", "sql.t1.order=1\nsql.t1.rollback=sql/t1_undo.sql"),
            ("t2", "pre_stop", "INSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);", "sql.t2.order=2" + (t2Rollback == nil ? "" : "\nsql.t2.rollback=sql/t2_undo.sql")),
            ("t3", "post_start", "CREATE INDEX a_x ON a (x);", "sql.t3.order=3\nsql.t3.rollback=sql/t3_undo.sql"),
        ])
        try f.write("release/shop/upgrade/V1.0.1/sql/t1_undo.sql", "DROP TABLE a;")
        if let t2Rollback { try f.write("release/shop/upgrade/V1.0.1/sql/t2_undo.sql", t2Rollback) }
        try f.write("release/shop/upgrade/V1.0.1/sql/t3_undo.sql", "DROP INDEX a_x;")
        return f
    }

    private func latest(_ f: RunFixture) throws -> String {
        try f.query("SELECT task_id, status FROM upgrade_log u WHERE rowid = (SELECT MAX(rowid) FROM upgrade_log v WHERE v.task_id = u.task_id) ORDER BY task_id")
    }

    @Test("newest first, recorded ROLLED_BACK; a second rollback skips all; a new run applies everything again")
    func rollsBackInReverse() async throws {
        let f = try fixture()
        defer { f.remove() }
        let (run, _) = try await f.run()
        #expect(run.status == .succeeded && run.succeeded == 3)
        let (dry, dryLines) = try await f.rollback(run.runID, dryRun: true)
        #expect(dry.status == .succeeded)
        #expect(dryLines.filter { $0.hasPrefix("   ") } == ["   DROP INDEX a_x;", "   DELETE FROM a WHERE x IN (1, 2);", "   DROP TABLE a;"])
        #expect(try f.query("SELECT COUNT(*) FROM a") == "[(2,)]", "a dry run changes nothing")
        let (rolled, lines) = try await f.rollback(run.runID)
        #expect(rolled.status == .succeeded && rolled.succeeded == 3, "\(String(describing: rolled.error))")
        #expect(lines.filter { $0.hasPrefix("[ROLLED_BACK]") }.map { $0.split(separator: " ")[3] } == ["sql.t3", "sql.t2", "sql.t1"])
        #expect(try f.query("SELECT name FROM sqlite_master WHERE name IN ('a', 'a_x')") == "[]")
        #expect(try latest(f) == "[('shop/V1.0.1/sql.t1', 'ROLLED_BACK'), ('shop/V1.0.1/sql.t2', 'ROLLED_BACK'), ('shop/V1.0.1/sql.t3', 'ROLLED_BACK')]")
        #expect(try f.query("SELECT DISTINCT kind, run_id = '\(rolled.runID)' FROM upgrade_log WHERE status = 'ROLLED_BACK'") == "[('rollback', 1)]")
        let (again, _) = try await f.rollback(run.runID)
        #expect(again.status == .succeeded && again.succeeded == 0 && again.skipped == 3)
        let (rerun, _) = try await f.run()
        #expect(rerun.status == .succeeded && rerun.succeeded == 3, "\(String(describing: rerun.error))")
        #expect(try f.query("SELECT COUNT(*) FROM a") == "[(2,)]")
        let journal = try Journal(stateDirectory: f.state)
        #expect(try journal.run(rolled.runID)?.stage == "rollback")
        #expect(try journal.run(rolled.runID)?.parent == run.runID)
    }

    @Test("a task without a .rollback script stops the rollback there; --undone-by-hand records it and the rest follows")
    func stopsAtATaskItCannotUndo() async throws {
        let f = try fixture(t2Rollback: nil)
        defer { f.remove() }
        let (run, _) = try await f.run()
        let (stopped, _) = try await f.rollback(run.runID)
        #expect(stopped.status == .failed && stopped.succeeded == 1)
        #expect(stopped.error?.code == .needsConfirmation)
        #expect(stopped.error?.description.contains("--undone-by-hand t2") == true, "\(String(describing: stopped.error))")
        #expect(try f.query("SELECT COUNT(*) FROM a") == "[(2,)]", "t1 is not undone while t2 still stands")
        try f.write("seed.sql", "")
        _ = try f.query("DELETE FROM a")  // the operator undoes t2 by hand
        let (resumed, lines) = try await f.rollback(run.runID, undoneByHand: ["t2"])
        #expect(resumed.status == .succeeded && resumed.succeeded == 2 && resumed.skipped == 1, "\(String(describing: resumed.error))")
        #expect(lines.contains { $0.contains("sql.t2 (undone by hand, recorded)") })
        #expect(try latest(f).contains("('shop/V1.0.1/sql.t2', 'ROLLED_BACK')"))
    }

    @Test("a failing undo script stops the rollback with its file:line; fixed, the rollback resumes where it stopped")
    func resumesAfterAFailure() async throws {
        let f = try fixture(t2Rollback: "DELETE FROM a WHERE x = 1;\nDELETE FROM missing_table;")
        defer { f.remove() }
        let (run, _) = try await f.run()
        let (failed, _) = try await f.rollback(run.runID)
        #expect(failed.status == .failed && failed.succeeded == 1 && failed.failed == 1)
        #expect(failed.error?.description.contains("t2_undo.sql:2") == true, "\(String(describing: failed.error))")
        #expect(try f.query("SELECT COUNT(*) FROM a") == "[(2,)]", "the failed script was rolled back as a whole")
        try f.write("release/shop/upgrade/V1.0.1/sql/t2_undo.sql", "DELETE FROM a;")
        let (resumed, _) = try await f.rollback(run.runID)
        #expect(resumed.status == .succeeded && resumed.succeeded == 2 && resumed.skipped == 1, "\(String(describing: resumed.error))")
        #expect(try f.query("SELECT name FROM sqlite_master WHERE name = 'a'") == "[]")
    }

    @Test("E6: a rollback waits its turn like a run: a live holder of the site's lock refuses it, naming the holder")
    func lockedByAnotherRun() async throws {
        let f = try fixture()
        defer { f.remove() }
        let (run, _) = try await f.run()
        let journal = try Journal(stateDirectory: f.state)
        let holder = LockRecord(environment: SiteLock.name("TEST"), runID: "20261125-000000-held", host: ProcessInfo.processInfo.hostName,
                                pid: ProcessInfo.processInfo.processIdentifier, startedAt: 0)
        #expect(try journal.acquireLock(holder, isAlive: { _ in true }) == .acquired)
        let (refused, _) = try await f.rollback(run.runID)
        #expect(refused.error?.code == .locked, "\(String(describing: refused.error))")
        #expect(refused.error?.message.contains("20261125-000000-held") == true)
        #expect(try f.query("SELECT COUNT(*) FROM a") == "[(2,)]", "nothing was undone")
    }

    @Test("a tool task the run applied is named as not undone; the SQL tasks around it are rolled back")
    func toolsAreListedNotUndone() async throws {
        let f = try RunFixture(tasks: [("t1", "pre_stop", "CREATE TABLE a (x INT);", "sql.t1.order=1\nsql.t1.rollback=sql/t1_undo.sql")],
                               tools: [("stamp", "pre_stop", "tools/stamp.sh", "tool.stamp.order=2")],
                               files: ["upgrade/V1.0.1/tools/stamp.sh": "#!/bin/sh\necho done > stamp.txt\n"])
        defer { f.remove() }
        try f.write("release/shop/upgrade/V1.0.1/sql/t1_undo.sql", "DROP TABLE a;")
        let (run, _) = try await f.run()
        #expect(run.status == .succeeded && run.succeeded == 2, "\(String(describing: run.error))")
        let (rolled, lines) = try await f.rollback(run.runID)
        #expect(rolled.status == .succeeded && rolled.succeeded == 1)
        #expect(lines.contains { $0.hasPrefix("[NOT UNDONE] shop V1.0.1 tool.stamp") }, "\(lines)")
        #expect(try f.query("SELECT name FROM sqlite_master WHERE name = 'a'") == "[]")
    }

    @Test("F3/F4: a tool task that rewrites a table named in backup_tables is undone from the backup taken before it, not left 'not undone'")
    func toolRestoredFromBackup() async throws {
        let f = try RunFixture(tasks: [],
                               tools: [("rewrite", "pre_stop", "tools/rewrite.sh", "tool.rewrite.datasource=shop_db")],
                               files: ["upgrade/V1.0.1/tools/rewrite.sh": "#!/bin/sh\nexec python3 -c \"import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE a SET x = x * 10'); c.execute('DELETE FROM a WHERE x > 50'); c.commit()\" ../../../../shop.db\n"],
                               component: "backup_tables: [a]\n")
        defer { f.remove() }
        // The tool runs in its version folder (T1); the fixture's database is four levels up.
        try f.write("env.yaml", "site: TEST\ndatasources:\n  shop_db: {type: sqlite, path: shop.db}\nbackup:\n  dir: \(f.root.path)/backups\n")
        _ = try ChildProcess.run(["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE a (x INT)'); c.executemany('INSERT INTO a VALUES (?)', [(i,) for i in range(1, 11)]); c.commit()", f.database])
        let before = try f.query("SELECT group_concat(x) FROM a")
        let (run, runLines) = try await f.run()
        #expect(run.status == .succeeded, "\(String(describing: run.error)) \(runLines)")
        #expect(runLines.contains { $0.hasPrefix("[BACKUP") && $0.contains(" a:") }, "backed up before the tool: \(runLines)")
        #expect(try f.query("SELECT group_concat(x) FROM a") != before, "the tool changed the table")
        let (rolled, lines) = try await f.rollback(run.runID)
        #expect(rolled.status == .succeeded, "\(String(describing: rolled.error)) \(lines)")
        #expect(!lines.contains { $0.hasPrefix("[NOT UNDONE]") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("[RESTORED]") }, "\(lines)")
        #expect(try f.query("SELECT group_concat(x) FROM a") == before)
    }

    @Test("an unknown run is refused")
    func unknownRun() async throws {
        let f = try fixture()
        defer { f.remove() }
        let (result, _) = try await f.rollback("20990101-000000-nope")
        #expect(result.error?.code == .invalidArgument)
    }
}
