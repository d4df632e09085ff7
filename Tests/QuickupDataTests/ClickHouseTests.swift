import QuickupTestSupport
import Foundation
import QuickupCore
import Testing
@testable import QuickupData

/// The ClickHouse driver against the real test server (18.16 from Debian; the driver also follows
/// the current HTTP interface). Each test works in a database of its own, dropped afterwards.
@Suite("ClickHouse driver (D1–D4, E2)", .enabled(if: TestServers.clickHouseEnabled), .serialized)
struct ClickHouseTests {
    let secrets = TestServers.secrets

    /// Runs `body` on a connection to a fresh database; closes and drops everything afterwards.
    func withDatabase(_ body: (ClickHouseConnection) async throws -> Void) async throws {
        let admin = try await ClickHouseConnection.connect(try TestServers.clickHouse(), secrets: secrets)
        let database = TestServers.uniqueName("quickup_chredis")
        var failure: (any Error)?
        do {
            try await admin.execute(SQLStatement(text: "CREATE DATABASE \(database)", line: 1, file: "setup"))
            let connection = try await ClickHouseConnection.connect(try TestServers.clickHouse(database: database), secrets: secrets)
            do { try await body(connection) } catch { failure = error }
            await connection.close()
        } catch {
            failure = failure ?? error
        }
        _ = try? await admin.execute(SQLStatement(text: "DROP DATABASE IF EXISTS \(database)", line: 1, file: "cleanup"))
        await admin.close()
        if let failure { throw failure }
    }

    @Test("version, and TabSeparated values with escapes and NULL come back as written")
    func queryValues() async throws {
        try await withDatabase { ch in
            let version = try await ch.serverVersion()
            #expect(version.first?.isNumber == true, "version: \(version)")
            let rows = try await ch.query(#"SELECT 'a\tb', NULL, 'x\\y', 'new\nline', '', 'quote''s', 42"#)
            #expect(rows == [["a\tb", nil, "x\\y", "new\nline", "", "quote's", "42"]])
            #expect(try await ch.query("SELECT number FROM system.numbers LIMIT 3") == [["0"], ["1"], ["2"]])
            #expect(try await ch.query("SELECT 1 WHERE 0").isEmpty)
        }
    }

    @Test("D2: a statement the server rejects (non-200) names file:line, code, message and statement")
    func non200Error() async throws {
        try await withDatabase { ch in
            let statement = SQLStatement(text: "SELECT no_such_column\nFROM system.one", line: 7, file: "ch/V2/001_alter.sql")
            let error = await #expect(throws: QuickupError.self) { try await ch.execute(statement) }
            #expect(error?.code == .statementFailed)
            #expect(error?.location == SourceLocation(file: "ch/V2/001_alter.sql", line: 7))
            #expect(error?.message.contains("ClickHouse error 47") == true, "\(String(describing: error))")
            #expect(error?.message.contains("no_such_column") == true)
            #expect(error?.message.contains("SELECT no_such_column FROM system.one") == true)
            #expect(error?.hint?.contains("query_id") == true)
        }
    }

    @Test("D2: an exception inside a 200 response (streaming had started) is detected")
    func exceptionInsideOK() async throws {
        try await withDatabase { ch in
            // wait_end_of_query=0 and small blocks make the server stream ~1.2 MB of rows, then fail.
            let sql = "SELECT throwIf(number = 600000) FROM system.numbers LIMIT 5000000"
            let settings = ["wait_end_of_query": "0", "max_block_size": "1000"]
            let reply = try await ch.transport.post(sql, queryID: UUID().uuidString, settings: settings, keep: .all(limit: 64 << 20))
            #expect(reply.status == 200, "the server must have started the response before failing")
            #expect(reply.exception?.code == 395, "\(String(describing: reply.exception))")

            let error = await #expect(throws: QuickupError.self) { _ = try await ch.query(sql, settings: settings) }
            #expect(error?.code == .statementFailed)
            #expect(error?.message.contains("395") == true, "\(String(describing: error))")
            #expect(error?.message.contains("throwIf") == true)
        }
    }

    @Test("D3: a wrong port fails after 3 tries with host:port and user, never the password")
    func wrongPort() async throws {
        var config = try TestServers.clickHouse()
        config.port = 1
        let sleeps = RecordedSleeps()
        let error = await #expect(throws: QuickupError.self) {
            _ = try await ClickHouseConnection.connect(config, secrets: secrets, policy: sleeps.policy())
        }
        #expect(error?.code == .datasourceUnreachable)
        let text = error?.description ?? ""
        #expect(text.contains("127.0.0.1:1"), "\(text)")
        #expect(text.contains("user '\(config.user ?? "")'"))
        #expect(text.contains("3 tries"))
        #expect(text.contains("ch_test"))
        #expect(!text.contains(TestServers.password("QUICKUP_TEST_CLICKHOUSE_PASSWORD")))
        #expect(sleeps.recorded == [.milliseconds(500), .seconds(1)])
    }

    @Test("D3/D4: a wrong password is an authentication error, not retried, and not shown")
    func wrongPassword() async throws {
        var config = try TestServers.clickHouse()
        config.password = .literal("not-the-password-7f3a")
        let sleeps = RecordedSleeps()
        let error = await #expect(throws: QuickupError.self) {
            _ = try await ClickHouseConnection.connect(config, secrets: secrets, policy: sleeps.policy())
        }
        #expect(error?.code == .datasourceAuthentication, "\(String(describing: error))")
        #expect(error?.description.contains("not-the-password-7f3a") == false)
        #expect(sleeps.recorded.isEmpty)
    }

    @Test("cancelling the task kills the query on the server; progress() reads system.processes", .timeLimit(.minutes(10)))
    func cancelLongQuery() async throws {
        try await withDatabase { ch in
            try await ch.run([
                SQLStatement(text: "CREATE TABLE slow (n UInt64) ENGINE = MergeTree ORDER BY n", line: 1, file: "setup"),
                SQLStatement(text: "INSERT INTO slow SELECT number FROM numbers(1000000)", line: 2, file: "setup"),
            ])
            // sleep() pauses per block: ~120 blocks of 8192 rows at 0.1 s, far longer than the test.
            let statement = SQLStatement(text: "SELECT count() FROM slow WHERE sleep(0.1) = 0 SETTINGS max_block_size = 8192, max_threads = 1",
                                         line: 3, file: "ch/slow.sql")
            let outcome: (QuickupError?, String?, Double?) = await withTaskGroup(of: QuickupError?.self) { group in
                group.addTask {
                    do throws(QuickupError) { try await ch.execute(statement); return nil } catch { return error }
                }
                // Wait until the server runs it and reports progress past 0 (its first report can be
                // 0 rows read, on a loaded machine especially), then cancel.
                var queryID: String?
                var progress: Double?
                while queryID == nil || (progress ?? 0) <= 0 {
                    try? await Task.sleep(for: .milliseconds(50))
                    queryID = ch.runningQueryID
                    progress = await ch.progress()
                }
                group.cancelAll()
                let error = await group.next() ?? nil
                return (error, queryID, progress)
            }
            let (error, queryID, progress) = outcome
            #expect(error?.code == .statementCancelled, "\(String(describing: error))")
            #expect(error?.location == statement.location)
            let fraction = try #require(progress, "progress() found nothing in system.processes")
            #expect(fraction > 0 && fraction < 1)
            let id = try #require(queryID)
            // KILL QUERY … SYNC has returned before the error: the query must be gone already.
            let left = try await ch.scalar("SELECT count() FROM system.processes WHERE query_id = '\(id)'")
            #expect(left == "0", "the query still runs on the server")
        }
    }

    @Test("D3: a statement silent for longer than read_timeout fails as a timeout and is killed", .timeLimit(.minutes(10)))
    func readTimeout() async throws {
        var config = try TestServers.clickHouse()
        config.readTimeout = .seconds(1)
        let ch = try await ClickHouseConnection.connect(config, secrets: secrets)
        // ~30 s of silence (3 s per one-row block); sleep() alone is capped at 3 s per call.
        let statement = SQLStatement(text: "SELECT count() FROM numbers(10) WHERE sleep(3) = 0 SETTINGS max_block_size = 1, max_threads = 1",
                                     line: 5, file: "ch/slow.sql")
        let error = await #expect(throws: QuickupError.self) { try await ch.execute(statement) }
        await ch.close()
        #expect(error?.code == .datasourceTimeout, "\(String(describing: error))")
        #expect(error?.location == statement.location)
        #expect(error?.message.contains("killed") == true)
        // Left alone the statement ends without error: a timeout error that killed it is the proof.
    }

    @Test("E2: upgrade_log is created once, records state changes and reads the latest per task")
    func upgradeLog() async throws {
        try await withDatabase { ch in
            try await ch.ensureUpgradeLog()
            try await ch.ensureUpgradeLog()
            var a = UpgradeLogEntry(taskID: "base/V2.16.8/sql.alter_orders", component: "base", versionFrom: "V2.16.7",
                                    versionTo: "V2.16.8", taskVersion: "V2.16.8", stage: "in_stop", taskName: "alter_orders",
                                    kind: "sql", checksum: "ab12", status: .running, attempt: 1, startTime: 1_000,
                                    runID: "run-1", site: "SITE-A")
            try await ch.record(a)
            a.status = .success
            a.endTime = 4_000
            a.durationMs = 3_000
            try await ch.record(a)
            var b = UpgradeLogEntry(taskID: "base/V2.16.8/redis.fix", component: "base", versionFrom: "V2.16.7", versionTo: "V2.16.8",
                                    taskVersion: "V2.16.8", stage: "post_start", taskName: "fix", kind: "redis", checksum: nil,
                                    status: .failed, attempt: 1, startTime: 2_000, endTime: 2_500, durationMs: 500,
                                    error: "it's \"broken\"\nat line 2 \\ 3\ttab", runID: "run-1", site: nil)
            try await ch.record(b)
            b.attempt = 2
            b.status = .success
            b.startTime = 3_000
            b.error = nil
            try await ch.record(b)

            let latest = try await ch.latestEntries()
            #expect(latest.count == 2)
            #expect(latest[a.taskID] == a)
            #expect(latest[b.taskID] == b)
            // Both attempts of b are kept; a's two states collapse into one row (FINAL).
            #expect(try await ch.scalar("SELECT count() FROM upgrade_log FINAL") == "3")
        }
    }

    @Test("tableSizes sums active parts; transactions are refused clearly")
    func sizesAndTransactions() async throws {
        try await withDatabase { ch in
            try await ch.execute(SQLStatement(text: "CREATE TABLE t (n UInt64, s String) ENGINE = MergeTree ORDER BY n", line: 1, file: "setup"))
            try await ch.execute(SQLStatement(text: "INSERT INTO t SELECT number, toString(number) FROM numbers(10000)", line: 2, file: "setup"))
            let sizes = try await ch.tableSizes(["t", "absent"])
            #expect((sizes["t"] ?? 0) > 0)
            #expect(sizes["absent"] == nil)
            #expect(!ch.supportsTransactions)
            let error = await #expect(throws: QuickupError.self) { try await ch.begin() }
            #expect(error?.code == .datasourceUnsupported)
        }
    }

    @Test("a connection dropped without close() releases its HTTP client without crashing")
    func droppedConnection() async throws {
        for _ in 0..<2 {
            let ch = try await ClickHouseConnection.connect(try TestServers.clickHouse(), secrets: secrets)
            #expect(try await ch.scalar("SELECT 1") == "1")
        }
    }

    @Test("SET in one statement holds for the next (one server session per connection)")
    func sessionSettings() async throws {
        try await withDatabase { ch in
            try await ch.execute(SQLStatement(text: "SET max_threads = 3", line: 1, file: "ch/set.sql"))
            #expect(try await ch.scalar("SELECT value FROM system.settings WHERE name = 'max_threads'") == "3")
        }
    }
}
