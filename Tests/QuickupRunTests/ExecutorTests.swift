import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupRun

@Suite("Run engine on SQLite (E1–E11, M7)")
struct ExecutorTests {
    @Test("E3: a second run skips every applied task, even with the journal gone")
    func idempotent() async throws {
        let f = try RunFixture(tasks: [("t1", "pre_stop", "CREATE TABLE a (x INT);", ""),
                                       ("t2", "in_stop", "INSERT INTO a VALUES (1);", "sql.t2.transactional=true")])
        defer { f.remove() }
        let (first, _) = try await f.run()
        #expect(first.status == .succeeded && first.succeeded == 2)
        try FileManager.default.removeItem(atPath: f.state)  // upgrade_log alone must be enough
        let (second, lines) = try await f.run()
        #expect(second.status == .succeeded && second.skipped == 2 && second.succeeded == 0)
        #expect(lines.contains { $0.hasPrefix("[SKIPPED] shop V1.0.1 sql.t1 (already succeeded at") })
        #expect(try f.query("SELECT count(*) FROM a") == "[(1,)]")
    }

    @Test("E4/E5: a failing transactional task rolls back, names file:line; the next run resumes there")
    func failureAndResume() async throws {
        let f = try RunFixture(tasks: [("t1", "pre_stop", "CREATE TABLE a (x INT);", ""),
                                       ("t2", "pre_stop", "INSERT INTO a VALUES (1);\nINSERT INTO nowhere VALUES (2);", "sql.t2.transactional=true"),
                                       ("t3", "pre_stop", "INSERT INTO a VALUES (3);", "")])
        defer { f.remove() }
        let (failed, lines) = try await f.run()
        #expect(failed.status == .failed && failed.succeeded == 1 && failed.failed == 1)
        #expect(failed.error?.description.contains("t2.sql:2") == true, "\(String(describing: failed.error))")
        #expect(lines.contains { $0.contains("quickup resume \(failed.runID)") })
        #expect(try f.query("SELECT count(*) FROM a") == "[(0,)]")  // rolled back, t3 not run
        try f.write("release/shop/upgrade/V1.0.1/sql/t2.sql", "INSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);")
        let (resumed, _) = try await f.run()
        #expect(resumed.status == .succeeded && resumed.skipped == 1 && resumed.succeeded == 2)
        #expect(try f.query("SELECT x FROM a ORDER BY x") == "[(1,), (2,), (3,)]")
        #expect(try f.query("SELECT status, attempt FROM upgrade_log WHERE task_id LIKE '%t2' ORDER BY attempt") == "[('FAILED', 1), ('SUCCESS', 2)]")
    }

    @Test("E4: an interrupted non-transactional task stops the run until the operator confirms")
    func interrupted() async throws {
        let f = try RunFixture(tasks: [("t1", "pre_stop", "CREATE TABLE a (x INT);", "sql.t1.transactional=false")])
        defer { f.remove() }
        // What a kill -9 leaves: a RUNNING row in upgrade_log from a run that no longer exists.
        try f.write("seed.sql", "")
        let (first, _) = try await f.run()
        #expect(first.status == .succeeded)
        _ = try f.query("SELECT 1")
        _ = try ChildProcess.run(["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE upgrade_log SET status='RUNNING', end_time=NULL\"); c.execute('DROP TABLE a'); c.commit()", f.database])
        try f.journalInterrupted(taskSuffix: "t1")
        let (stopped, _) = try await f.run()
        #expect(stopped.status == .failed)
        #expect(stopped.error?.code == .needsConfirmation)
        #expect(stopped.error?.description.contains("--confirm-rerun t1") == true)
        let (confirmed, lines) = try await f.run(confirm: ["t1"])
        #expect(confirmed.status == .succeeded && confirmed.succeeded == 1)
        #expect(lines.contains { $0.hasPrefix("[RERUN]") })
    }

    @Test("M7: a changed file of an applied task stops the run unless accepted")
    func changedChecksum() async throws {
        let f = try RunFixture(tasks: [("t1", "pre_stop", "CREATE TABLE a (x INT);", "")])
        defer { f.remove() }
        _ = try await f.run()
        try f.write("release/shop/upgrade/V1.0.1/sql/t1.sql", "CREATE TABLE a (x BIGINT);")
        let (refused, _) = try await f.run()
        #expect(refused.error?.code == .checksumChanged)
        #expect(refused.error?.description.contains("--accept-changed shop/V1.0.1/sql.t1") == true, "\(String(describing: refused.error))")
        let (accepted, _) = try await f.run(accept: ["t1"])
        #expect(accepted.status == .succeeded && accepted.skipped == 1)
    }

    @Test("M7 (issue 13.5): drift of an applied task in a later stage is found before the first task runs; an accepted change is recorded")
    func changedChecksumBeforeAnythingRuns() async throws {
        let f = try RunFixture(tasks: [("t1", "pre_stop", "CREATE TABLE a (x INT);", ""),
                                       ("t2", "post_start", "CREATE TABLE b (x INT);", "")])
        defer { f.remove() }
        #expect(try await f.run().0.succeeded == 2)
        // The release changes: t2 (applied, last stage) is edited and a new task t0 comes first.
        let manifest = "release/shop/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"
        let properties = try String(contentsOfFile: "\(f.root.path)/\(manifest)", encoding: .utf8)
        try f.write(manifest, "sql.t0.id=t0\nsql.t0.description=t0\nsql.t0.file=sql/t0.sql\nsql.t0.stage=pre_stop\n" + properties)
        try f.write("release/shop/upgrade/V1.0.1/sql/t0.sql", "CREATE TABLE c (x INT);")
        try f.write("release/shop/upgrade/V1.0.1/sql/t2.sql", "CREATE TABLE b (x BIGINT);")
        let (refused, lines) = try await f.run()
        #expect(refused.error?.code == .checksumChanged && refused.succeeded == 0, "\(String(describing: refused.error))")
        #expect(refused.error?.description.contains("shop/V1.0.1/sql.t2") == true && refused.error?.description.contains("nothing was run") == true)
        #expect(try f.query("SELECT COUNT(*) FROM sqlite_master WHERE name = 'c'") == "[(0,)]", "t0 must not have run: \(lines)")
        // Accepted once: t0 runs, t2 is skipped, and the new checksum is what upgrade_log holds now.
        let (accepted, acceptedLines) = try await f.run(accept: ["shop/V1.0.1/sql.t2"])
        #expect(accepted.status == .succeeded && accepted.succeeded == 1 && accepted.skipped == 2, "\(String(describing: accepted.error))")
        #expect(acceptedLines.contains { $0.hasPrefix("[ACCEPTED]") && $0.contains("sql.t2") }, "\(acceptedLines)")
        // The next run does not ask again.
        let (again, _) = try await f.run()
        #expect(again.status == .succeeded && again.skipped == 3, "\(String(describing: again.error))")
    }

    @Test("E6: a run lock held by a live process refuses a second run, naming the holder")
    func locked() async throws {
        let f = try RunFixture(tasks: [("t1", "pre_stop", "CREATE TABLE a (x INT);", "")])
        defer { f.remove() }
        let journal = try Journal(stateDirectory: f.state)
        let me = ProcessInfo.processInfo
        _ = try journal.acquireLock(LockRecord(environment: "site:TEST", runID: "other-run", host: me.hostName, pid: me.processIdentifier, startedAt: 0)) { _ in true }
        let (result, _) = try await f.run()
        #expect(result.error?.code == .locked)
        #expect(result.error?.description.contains("other-run") == true)
        #expect(try f.query("SELECT count(*) FROM sqlite_master WHERE name = 'a'") == "[(0,)]")
    }

    @Test("E11: a dry run prints the statements and changes nothing")
    func dryRun() async throws {
        let f = try RunFixture(tasks: [("t1", "pre_stop", "CREATE TABLE a (x INT);\n-- c\nINSERT INTO a VALUES (1);", "")])
        defer { f.remove() }
        let (result, lines) = try await f.run(dryRun: true)
        #expect(result.status == .succeeded)
        #expect(lines.contains { $0.contains("t1.sql:1] CREATE TABLE a (x INT);") })
        #expect(lines.contains { $0.contains("t1.sql:3] INSERT INTO a VALUES (1);") })
        #expect(try f.query("SELECT count(*) FROM sqlite_master") == "[(0,)]")
        #expect(try Journal(stateDirectory: f.state).runs().isEmpty)
    }

    @Test("E7: a task past its timeout is stopped and the error names stage, kind, configured/elapsed and resources")
    func timeout() async throws {
        let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;"
        let f = try RunFixture(tasks: [("slow", "in_stop", endless, "sql.slow.timeout=1s")])
        defer { f.remove() }
        let (result, _) = try await f.run()
        let error = try #require(result.error)
        #expect(error.code == .timeout, "\(error)")
        #expect(error.description.contains("stage in_stop") && error.description.contains("database timeout"))
        #expect(error.description.contains("configured 1.0s") && error.description.contains("memory"))
    }
}

/// Issue 5 item 3: upgrade_log is the authority; where the journal disagrees it is reported —
/// each task in the detail log, and a line each or one summary on the console.
@Suite("upgrade_log and journal disagreements (E2, E3)")
struct DisagreementTests {
    @Test("a new state directory against an applied database: every task skipped, the disagreement reported")
    func newStateDirectory() async throws {
        let many = try RunFixture(tasks: (1...5).map { ("t\($0)", "pre_stop", "CREATE TABLE t\($0)(id INTEGER);", "") })
        defer { many.remove() }
        let (first, _) = try await many.run()
        #expect(first.status == .succeeded && first.succeeded == 5)
        try FileManager.default.removeItem(atPath: many.state)
        let (second, lines) = try await many.run()
        #expect(second.status == .succeeded && second.skipped == 5, "\(lines)")
        let notes = lines.filter { $0.hasPrefix("Note:") }
        #expect(notes.count == 1, "one summary, not a line per task: \(notes)")
        #expect(notes.first?.contains("5 tasks of shop: upgrade_log and the journal disagree, e.g. sql.t1 (upgrade_log says SUCCESS, the journal says nothing)") == true, "\(notes)")
        let detail = try String(contentsOfFile: "\(many.state)/runs/\(second.runID)/detail.jsonl", encoding: .utf8)
        #expect(detail.split(separator: "\n").filter { $0.contains("record_disagreement") }.count == 5)

        let few = try RunFixture(tasks: [("a", "pre_stop", "CREATE TABLE a(id INTEGER);", ""), ("b", "pre_stop", "CREATE TABLE b(id INTEGER);", "")])
        defer { few.remove() }
        _ = try await few.run()
        try FileManager.default.removeItem(atPath: few.state)
        let (_, fewLines) = try await few.run()
        #expect(fewLines.filter { $0.hasPrefix("Note:") } == [
            "Note: sql.a: upgrade_log says SUCCESS, the journal says nothing; following upgrade_log.",
            "Note: sql.b: upgrade_log says SUCCESS, the journal says nothing; following upgrade_log.",
        ])
    }
}
