import Foundation
import QuickupCore
import QuickupData
import QuickupRelease
import QuickupTestSupport
import Testing
@testable import QuickupRun

/// The run engine against the real MariaDB of scripts/services.sh (E2, E3, E5, E6).
@Suite("Run engine on MariaDB", .enabled(if: TestServers.mariaDBEnabled), .serialized)
struct MariaDBRunTests {
    /// A release of `tasks` on a fresh database; returns (release dir, env, cleanup).
    /// `other`: also a database `<name>_other`, which scripts reach by replacing `OTHER_DB`.
    func fixture(_ tasks: [(uid: String, sql: String, extra: String)], other: Bool = false) async throws -> (RunFixture, Environment, () async -> Void) {
        let server = try TestServers.requireMariaDB()
        let database = "qu_run_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try await Datasources.connect(server.config(), secrets: SecretResolver())
        try await admin.execute(SQLStatement(text: "CREATE DATABASE \(database)", line: 1, file: "test"))
        if other { try await admin.execute(SQLStatement(text: "CREATE DATABASE \(database)_other", line: 1, file: "test")) }
        let tasks = tasks.map { ($0.uid, $0.sql.replacingOccurrences(of: "OTHER_DB", with: "\(database)_other"), $0.extra) }
        let fixture = try RunFixture(tasks: tasks.map { ($0.0, "pre_stop", $0.1, $0.2) })
        try fixture.write("release/shop/component.yaml", "datasources:\n  - name: shop_db\n    type: mariadb\n")
        var env = Environment(site: "MARIADB-\(database)")
        env.datasources = [server.config(name: "shop_db", database: database)]
        let cleanup: () async -> Void = {
            _ = try? await admin.execute(SQLStatement(text: "DROP DATABASE \(database)", line: 1, file: "test"))
            _ = try? await admin.execute(SQLStatement(text: "DROP DATABASE IF EXISTS \(database)_other", line: 1, file: "test"))
            await admin.close()
            fixture.remove()
        }
        return (fixture, env, cleanup)
    }

    func run(_ fixture: RunFixture, _ env: Environment, state: String? = nil) async throws -> RunResult {
        try await run(fixture, env, state: state, clock: ContinuousClock())
    }

    func run<C: Clock>(_ fixture: RunFixture, _ env: Environment, state: String? = nil, clock: C) async throws -> RunResult
    where C.Duration == Duration {
        let workspace = try Workspace.open(release: fixture.release)
        let plan = try workspace.plan(from: Version(1, 0, 0), to: Version(1, 0, 1), site: nil)
        let state = state ?? fixture.state
        let context = RunContext(stateDirectory: state, clock: clock, output: RunOutput(console: nil))
        return await Executor(journal: try Journal(stateDirectory: state), context: context)
            .run(RunRequest(plan: plan, releaseRoot: workspace.releaseRoot, environment: env, plugins: workspace.plugins))
    }

    @Test("E7 on the component's own thread: a statement past its timeout is killed on the server from the watch, the run says timeout, the next task never starts")
    func timeoutKillsTheStatement() async throws {
        let marker = "qu_timeout_\(UInt32.random(in: 0...UInt32.max))"
        let (f, env, cleanup) = try await fixture([
            ("first", "CREATE TABLE t (id INT PRIMARY KEY);", "sql.first.order=1"),
            // Left alone it sleeps 10 minutes; the timeout is a second.
            ("slow", "SELECT SLEEP(600) AS \(marker);", "sql.slow.order=2\nsql.slow.timeout=1s\nsql.slow.retries=0"),
            ("after", "CREATE TABLE after_slow (id INT);", "sql.after.order=3"),
        ])
        let result = try await run(f, env)
        let error = try #require(result.error)
        #expect(error.code == .timeout, "\(error)")
        #expect(error.message.contains("database timeout"), "\(error)")
        #expect(result.succeeded == 1 && result.failed == 1, "\(result)")
        let connection = try await Datasources.connect(try #require(env.datasource(named: "shop_db")), secrets: SecretResolver())
        #expect(try await connection.scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%\(marker)%' AND INFO NOT LIKE '%PROCESSLIST%'") == "0",
                "the statement was killed, not left sleeping")
        #expect(try await connection.scalar("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'after_slow'") == "0")
        #expect(try await connection.scalar("SELECT status FROM upgrade_log WHERE task_id LIKE '%sql.slow'") == "FAILED")
        await connection.close()
        await cleanup()
    }

    @Test("DDL tasks run without a transaction, DML in one; upgrade_log records both; a second run skips")
    func runAndSkip() async throws {
        let (f, env, cleanup) = try await fixture([
            ("ddl", "CREATE TABLE t (id INT PRIMARY KEY);", ""),
            ("dml", "INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);", ""),
            ("bad", "INSERT INTO t VALUES (3);\nINSERT INTO t VALUES (1);", ""),
        ])
        let first = try await run(f, env)
        #expect(first.succeeded == 2 && first.failed == 1)
        #expect(first.error?.description.contains("bad.sql:2") == true, "\(String(describing: first.error))")
        #expect(first.error?.description.contains("1062") == true)
        let connection = try await Datasources.connect(try #require(env.datasource(named: "shop_db")), secrets: SecretResolver())
        #expect(try await connection.scalar("SELECT COUNT(*) FROM t") == "2")  // 'bad' rolled back as a whole
        #expect(try await connection.scalar("SELECT GROUP_CONCAT(status ORDER BY task_id) FROM upgrade_log") == "FAILED,SUCCESS,SUCCESS")
        try f.write("release/shop/upgrade/V1.0.1/sql/bad.sql", "INSERT INTO t VALUES (3);")
        let second = try await run(f, env)
        #expect(second.status == .succeeded && second.skipped == 2 && second.succeeded == 1)
        #expect(try await connection.scalar("SELECT COUNT(*) FROM t") == "3")
        await connection.close()
        await cleanup()
    }

    @Test("issue 13.4: a script's USE other_db moves neither upgrade_log rows nor the next script; a failure after USE still records")
    func scriptSwitchesDatabase() async throws {
        let (f, env, cleanup) = try await fixture([
            // DDL (no transaction): the USE statement, then a table in the other database.
            ("ddl", "CREATE TABLE a (id INT PRIMARY KEY);\nUSE OTHER_DB;\nCREATE TABLE b (id INT);", ""),
            // DML (one transaction with its SUCCESS row): the client command `use` with no `;`.
            ("dml", "use OTHER_DB\nINSERT INTO b VALUES (1);", ""),
            // Runs in the datasource's database again: `a` exists only there.
            ("next", "INSERT INTO a VALUES (1);\n/*!40101 USE OTHER_DB */;\nINSERT INTO b VALUES (2);", ""),
            ("bad", "USE OTHER_DB;\nINSERT INTO nosuch VALUES (1);", ""),
        ], other: true)
        let database = try #require(env.datasource(named: "shop_db")?.database)
        let result = try await run(f, env)
        #expect(result.succeeded == 3 && result.failed == 1, "\(String(describing: result.error))")
        #expect(result.error?.description.contains("bad.sql:2") == true, "\(String(describing: result.error))")
        let connection = try await Datasources.connect(try #require(env.datasource(named: "shop_db")), secrets: SecretResolver())
        #expect(try await connection.scalar("SELECT GROUP_CONCAT(status ORDER BY id) FROM upgrade_log")
                == "SUCCESS,SUCCESS,SUCCESS,FAILED")
        #expect(try await connection.scalar("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '\(database)_other' AND TABLE_NAME = 'upgrade_log'") == "0")
        #expect(try await connection.scalar("SELECT GROUP_CONCAT(id ORDER BY id) FROM \(database)_other.b") == "1,2")
        #expect(try await connection.scalar("SELECT COUNT(*) FROM a") == "1")
        await connection.close()
        // The next run reads the bookkeeping where it was written: three skipped, `bad` runs again.
        try f.write("release/shop/upgrade/V1.0.1/sql/bad.sql", "USE \(database)_other;\nINSERT INTO b VALUES (3);")
        let second = try await run(f, env)
        #expect(second.status == .succeeded && second.skipped == 3 && second.succeeded == 1, "\(String(describing: second.error))")
        await cleanup()
    }

    @Test("E4: a task that finished while its SUCCESS was still on its way to upgrade_log is completed from the journal, not re-run")
    func finishedButUnrecorded() async throws {
        let (f, env, cleanup) = try await fixture([
            ("first", "CREATE TABLE t (id INT PRIMARY KEY);", ""),
            ("second", "CREATE TABLE u (id INT PRIMARY KEY);", ""),
        ])
        let first = try await run(f, env)
        #expect(first.status == .succeeded && first.succeeded == 2)
        let connection = try await Datasources.connect(try #require(env.datasource(named: "shop_db")), secrets: SecretResolver())
        // What a kill -9 between the task's statements and its deferred SUCCESS row leaves behind.
        try await connection.execute(SQLStatement(
            text: "UPDATE upgrade_log SET status = 'RUNNING', end_time = NULL, duration_ms = NULL WHERE task_id LIKE '%sql.second'",
            line: 1, file: "test"))
        // Without the journal (another state directory) nothing proves it finished: ask.
        let elsewhere = try await run(f, env, state: f.state + "-elsewhere")
        #expect(elsewhere.error?.code == .needsConfirmation, "\(String(describing: elsewhere.error))")
        // With it, the SUCCESS of that same run and attempt completes the row; CREATE TABLE u is
        // not sent again (it would fail with error 1050).
        let second = try await run(f, env)
        #expect(second.status == .succeeded && second.succeeded == 0 && second.skipped == 2, "\(String(describing: second.error))")
        #expect(try await connection.scalar("SELECT status FROM upgrade_log WHERE task_id LIKE '%sql.second'") == "SUCCESS")
        #expect(try await connection.scalar("SELECT end_time IS NOT NULL FROM upgrade_log WHERE task_id LIKE '%sql.second'") == "1")
        let events = try Journal(stateDirectory: f.state).events(run: second.runID)
        #expect(events.contains { $0.kind == "recovered_success" && $0.message.contains("run \(first.runID)") }, "\(events)")
        await connection.close()
        await cleanup()
    }

    @Test("issue 20.3, E2: a new SQL task after one on the same datasource is sent ahead; a task upgrade_log has seen is not; upgrade_log and the journal agree row for row")
    func sentAhead() async throws {
        let (f, env, cleanup) = try await fixture([
            ("a", "CREATE TABLE t (id INT PRIMARY KEY);", "sql.a.order=1"),
            ("b", "INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);", "sql.b.order=2"),  // transactional
            ("c", "CREATE TABLE u (id INT);\nINSERT INTO nosuch VALUES (1);", "sql.c.order=3"),
            ("d", "CREATE TABLE v (id INT);", "sql.d.order=4"),
        ])
        // A millisecond more at every reading of the clock: a SUCCESS row made twice for one
        // attempt (in its transaction, sent ahead, mirrored) could never come out the same.
        let first = try await run(f, env, clock: TickingClock())
        #expect(first.succeeded == 2 && first.failed == 1, "\(String(describing: first.error))")
        try f.write("release/shop/upgrade/V1.0.1/sql/c.sql", "CREATE TABLE IF NOT EXISTS u (id INT);")
        let second = try await run(f, env, clock: TickingClock())
        #expect(second.status == .succeeded && second.skipped == 2 && second.succeeded == 2, "\(String(describing: second.error))")
        func sentAhead(_ runID: String) throws -> [String: Bool] {
            var seen: [String: Bool] = [:]
            for record in try RunRecordTests.detail(f.state, runID) where record["event"] as? String == "task_start" {
                let uid = String((record["task"] as? String ?? "?").split(separator: ".").last ?? "?")
                seen[uid] = record["sent_ahead"] as? Bool ?? false
            }
            return seen
        }
        // b and c followed a SQL task that succeeded; c's packet was sent although it then failed.
        let firstSent = try sentAhead(first.runID), secondSent = try sentAhead(second.runID)
        #expect(firstSent == ["a": false, "b": true, "c": true], "\(firstSent)")
        // c had a FAILED row, so it went the usual way; d, new, went ahead of c's bookkeeping.
        #expect(secondSent == ["c": false, "d": true], "\(secondSent)")
        let connection = try await Datasources.connect(try #require(env.datasource(named: "shop_db")), secrets: SecretResolver())
        let rows = try await connection.query(
            "SELECT task_id, status, attempt, start_time, end_time, run_id FROM upgrade_log ORDER BY id")
        #expect(rows.map { "\($0[0]?.split(separator: ".").last ?? "?") \($0[1] ?? "") \($0[2] ?? "")" }
                == ["a SUCCESS 1", "b SUCCESS 1", "c FAILED 1", "c SUCCESS 2", "d SUCCESS 1"], "\(rows)")
        // Each task's RUNNING row went with the previous one's SUCCESS row, in order. (Ends are
        // start + the clock's elapsed time, which the ticking clock stretches on purpose.)
        let times = rows.map { (start: Int64($0[3] ?? "") ?? -1, end: Int64($0[4] ?? "") ?? -1) }
        for (earlier, later) in zip(times, times.dropFirst()) { #expect(earlier.start <= later.start, "\(rows)") }
        for time in times { #expect(time.start <= time.end, "\(rows)") }
        let journal = try Journal(stateDirectory: f.state).latestAttempts()
        for row in rows where row[2] != "1" || row[0]?.hasSuffix("sql.c") != true {
            let mirrored = try #require(journal[row[0] ?? ""], "\(row)")
            #expect("\(mirrored.status) \(mirrored.attempt) \(mirrored.startedAt) \(mirrored.endedAt ?? -1) \(mirrored.runID)"
                    == "\(row[1] ?? "") \(row[2] ?? "") \(row[3] ?? "") \(row[4] ?? "") \(row[5] ?? "")", "the journal mirrors \(row)")
        }
        await connection.close()
        await cleanup()
    }

    @Test("F4: rollback on MariaDB — DDL undone without a transaction, DML in one, newest first, ROLLED_BACK rows")
    func rollback() async throws {
        let (f, env, cleanup) = try await fixture([
            ("ddl", "CREATE TABLE t (id INT PRIMARY KEY);", "sql.ddl.order=1\nsql.ddl.rollback=sql/ddl_undo.sql"),
            ("dml", "INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);", "sql.dml.order=2\nsql.dml.rollback=sql/dml_undo.sql"),
        ])
        try f.write("release/shop/upgrade/V1.0.1/sql/ddl_undo.sql", "DROP TABLE t;")
        try f.write("release/shop/upgrade/V1.0.1/sql/dml_undo.sql", "DELETE FROM t WHERE id = 2;\nDELETE FROM t WHERE id = 1;")
        let first = try await run(f, env)
        #expect(first.status == .succeeded && first.succeeded == 2)
        let workspace = try Workspace.open(release: f.release)
        let plan = try workspace.plan(from: Version(1, 0, 0), to: Version(1, 0, 1), site: nil)
        let context = RunContext(stateDirectory: f.state, clock: ContinuousClock(), output: RunOutput(console: nil))
        let rolled = await Rollback(journal: try Journal(stateDirectory: f.state), context: context)
            .run(RollbackRequest(plan: plan, releaseRoot: workspace.releaseRoot, environment: env, target: first.runID))
        #expect(rolled.status == .succeeded && rolled.succeeded == 2, "\(String(describing: rolled.error))")
        let connection = try await Datasources.connect(try #require(env.datasource(named: "shop_db")), secrets: SecretResolver())
        #expect(try await connection.scalar("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't'") == "0")
        #expect(try await connection.scalar(
            "SELECT GROUP_CONCAT(task_id, ':', status ORDER BY id) FROM upgrade_log WHERE kind = 'rollback'")
            == "shop/V1.0.1/sql.dml:ROLLED_BACK,shop/V1.0.1/sql.ddl:ROLLED_BACK")
        let again = try await run(f, env)
        #expect(again.status == .succeeded && again.succeeded == 2, "a later run applies both again")
        #expect(try await connection.scalar("SELECT COUNT(*) FROM t") == "2")
        await connection.close()
        await cleanup()
    }

    @Test("E6: two runs started together on the same databases: exactly one proceeds")
    func twoRuns() async throws {
        let (f, env, cleanup) = try await fixture([("slow", "SELECT SLEEP(2);", ""), ("t", "CREATE TABLE t2 (id INT);", "")])
        // Separate state directories: only the database lock can stop the second run.
        async let a = run(f, env, state: f.state + "-a")
        async let b = run(f, env, state: f.state + "-b")
        let results = try await [a, b]
        #expect(results.filter { $0.status == .succeeded }.count == 1, "\(results.map { $0.error?.description ?? "ok" })")
        let refused = try #require(results.first { $0.status != .succeeded })
        #expect(refused.error?.code == .locked)
        #expect(refused.error?.description.contains("quickup.upgrade.") == true)
        await cleanup()
    }

    @Test("the database server killed mid-run: a clear failure, no hang; after a restart the run resumes cleanly",
          .timeLimit(.minutes(10)))
    func serverKilled() async throws {
        _ = try TestServers.requireMariaDB()
        let instance = try await PrivateMariaDB.start()
        let fixture = try RunFixture(tasks: [("first", "pre_stop", "CREATE TABLE t (id INT);", ""),
                                             ("slow", "pre_stop", "SELECT SLEEP(6);", ""),
                                             ("last", "pre_stop", "INSERT INTO t VALUES (1);", "")])
        try fixture.write("release/shop/component.yaml", "datasources:\n  - name: shop_db\n    type: mariadb\n")
        var env = Environment(site: "KILLED")
        env.datasources = [instance.server.config(name: "shop_db")]
        defer { fixture.remove() }
        do {
            let running = Task { try await run(fixture, env) }
            try await Task.sleep(for: .seconds(2))  // "first" done, "slow" running
            let killed = try await instance.services("kill-mariadb")
            #expect(killed.status == 0, "\(killed.output)")
            let failed = try await running.value
            #expect(failed.status == .failed)
            let error = try #require(failed.error)
            #expect(error.code != .locked && error.description.contains("slow"), "\(error)")
            #expect(failed.succeeded == 1)
            let restarted = try await instance.services("restart-mariadb")
            #expect(restarted.status == 0, "\(restarted.output)")
            let resumed = try await run(fixture, env)
            #expect(resumed.status == .succeeded, "\(resumed.error?.description ?? "")")
            #expect(resumed.skipped == 1 && resumed.succeeded == 2)
        } catch {
            await instance.remove()
            throw error
        }
        await instance.remove()
    }
}
