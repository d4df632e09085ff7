import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupRun

/// A finished task's SUCCESS rides with the next task's RUNNING row (DeferredRecords): whatever
/// the next task does instead of running — stop, fail before its statements — the SUCCESS is
/// still written, in upgrade_log (the authority) and in the journal (E2, E4).
@Suite("Deferred SUCCESS rows (E2, E4)")
struct DeferredRecordsTests {
    @Test("the next task stopping for confirmation still leaves the previous task's SUCCESS recorded")
    func nextTaskStops() async throws {
        let f = try RunFixture(tasks: [("t1", "pre_stop", "CREATE TABLE a (x INT);", "sql.t1.order=1\nsql.t1.transactional=false"),
                                       ("t2", "pre_stop", "CREATE TABLE b (x INT);", "sql.t2.order=2\nsql.t2.transactional=false")])
        defer { f.remove() }
        let (first, _) = try await f.run()
        #expect(first.status == .succeeded && first.succeeded == 2)
        // t1 as never applied; t2 as a kill -9 left it: RUNNING, non-transactional (DDL).
        try python(f, "c.execute(\"DELETE FROM upgrade_log WHERE task_id LIKE '%t1'\"); c.execute(\"UPDATE upgrade_log SET status='RUNNING', end_time=NULL WHERE task_id LIKE '%t2'\"); c.execute('DROP TABLE a')")
        try f.journalInterrupted(taskSuffix: "t2")
        let (stopped, _) = try await f.run()
        #expect(stopped.status == .failed && stopped.succeeded == 1)
        #expect(stopped.error?.code == .needsConfirmation, "\(String(describing: stopped.error))")
        #expect(try f.query("SELECT status FROM upgrade_log WHERE task_id LIKE '%t1' ORDER BY start_time DESC LIMIT 1") == "[('SUCCESS',)]")
        let journal = try Journal(stateDirectory: f.state)
        #expect(try journal.latestAttempts().first { $0.key.hasSuffix("t1") }?.value.status == "SUCCESS")
    }

    @Test("a failing task after a non-transactional and a transactional one leaves both SUCCESS recorded")
    func nextTaskFails() async throws {
        let f = try RunFixture(tasks: [("t1", "pre_stop", "CREATE TABLE a (x INT);", "sql.t1.order=1\nsql.t1.transactional=false"),
                                       ("t2", "pre_stop", "INSERT INTO a VALUES (1);", "sql.t2.order=2"),
                                       ("t3", "pre_stop", "INSERT INTO a VALUES (2);", "sql.t3.order=3\nsql.t3.transactional=false")])
        defer { f.remove() }
        // A statement of t3 fails: t2 (transactional, SUCCESS in its own transaction) and t1 stay SUCCESS.
        try f.write("release/shop/upgrade/V1.0.1/sql/t3.sql", "INSERT INTO missing VALUES (2);")
        let (result, _) = try await f.run()
        #expect(result.status == .failed && result.succeeded == 2 && result.failed == 1)
        #expect(try f.query("SELECT group_concat(status) FROM (SELECT status FROM upgrade_log ORDER BY task_id)") == "[('SUCCESS,SUCCESS,FAILED',)]")
        let journal = try Journal(stateDirectory: f.state)
        #expect(try journal.latestAttempts().values.map(\.status).sorted() == ["FAILED", "SUCCESS", "SUCCESS"])
    }

    @Test("a RUNNING row upgrade_log refuses: the task's statements never run and the journal's mirror is closed as FAILED, not started")
    func runningRowRefused() async throws {
        let f = try RunFixture(tasks: [("t1", "pre_stop", "CREATE TABLE a (x INT);", "sql.t1.transactional=false")])
        defer { f.remove() }
        // A view in the table's place: it reads like upgrade_log (empty) but takes no rows.
        let columns = "task_id, component, version_from, version_to, task_version, stage, task_name, kind, checksum, status, attempt, start_time, end_time, duration_ms, error, run_id, site"
        let view = columns.split(separator: ",").map { "NULL AS \($0.trimmingCharacters(in: .whitespaces))" }.joined(separator: ", ")
        try python(f, "c.execute(\"CREATE VIEW upgrade_log AS SELECT \(view) WHERE 0\")")
        let (failed, _) = try await f.run()
        #expect(failed.status == .failed, "\(String(describing: failed.error))")
        #expect(try f.query("SELECT name FROM sqlite_master WHERE name = 'a'") == "[]", "the statements were not sent")
        let attempt = try Journal(stateDirectory: f.state).latestAttempts().first { $0.key.hasSuffix("t1") }?.value
        #expect(attempt?.status == "FAILED", "\(String(describing: attempt))")
        #expect(attempt?.error?.hasPrefix("not started:") == true, "\(String(describing: attempt?.error))")
    }

    private func python(_ f: RunFixture, _ statements: String) throws {
        _ = try ChildProcess.run(["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); \(statements); c.commit()", f.database])
    }
}
