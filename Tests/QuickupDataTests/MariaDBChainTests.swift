import QuickupTestSupport
import Foundation
import QuickupCore
@testable import QuickupData
import Testing

/// Issue 20.3, E2: the next attempt sent ahead (ChainedAttempt) — the moment the current one's
/// last result is read, only if it succeeded, read by the next call instead of sent again, read
/// to its end if never claimed, and killed on the server if cancelled in between.
@Suite(.enabled(if: TestServers.mariaDBEnabled, "needs the MariaDB test server (scripts/services.sh)"))
struct MariaDBChainTests {
    private static func entry(_ uid: String, attempt: Int = 1, start: Int64) -> UpgradeLogEntry {
        UpgradeLogEntry(taskID: "app/V1/\(uid)", component: "app", versionFrom: "V0", versionTo: "V1", taskVersion: "V1",
                        stage: "pre_stop", taskName: uid, kind: "sql", checksum: nil, status: .running, attempt: attempt,
                        startTime: start, runID: "r1", site: nil)
    }

    private static let first = entry("sql.a", start: 1_000)
    private static let second = entry("sql.b", start: 2_000)

    private static func done(_ entry: UpgradeLogEntry) -> UpgradeLogEntry {
        var done = entry
        done.status = .success
        done.endTime = entry.startTime + 5
        done.durationMs = 5
        return done
    }

    private func script(_ texts: String..., file: String) -> [SQLStatement] {
        texts.enumerated().map { SQLStatement(text: $0.element, line: $0.offset + 1, file: file) }
    }

    /// The second attempt's rows and statements, as the run engine offers them.
    private func following(_ statements: [SQLStatement]) -> ChainedAttempt {
        ChainedAttempt(statements: statements, transactional: false) { finished in [finished, Self.second] }
    }

    /// Attempt a (`statements`), offering `next` on `chain` while it runs.
    private func runFirst(_ connection: MariaDBConnection, _ statements: [SQLStatement], offering next: ChainedAttempt,
                          on chain: AttemptChain, order: Order = Order()) async throws {
        try await connection.runAttempt(statements, recording: [Self.first], mirror: { order.append("journal a") },
                                        recorded: { order.append("upgrade_log a") }, transactional: false,
                                        success: { Self.done(Self.first) }, meanwhile: { chain.offer(next) }, following: chain,
                                        arriving: nil)
    }

    /// Attempt b, claiming `next` as sent ahead.
    private func claim(_ connection: MariaDBConnection, _ next: ChainedAttempt, order: Order = Order()) async throws {
        try await connection.runAttempt(next.statements, recording: next.sentRows ?? [], mirror: { order.append("journal b") },
                                        recorded: { order.append("upgrade_log b") }, transactional: false,
                                        success: { Self.done(Self.second) }, meanwhile: nil, following: nil, arriving: next)
    }

    /// The second attempt's first statement waits for a user lock another session holds. It is
    /// seen waiting on the server after the first attempt returned and before the second is
    /// called; without sending ahead it would never get there.
    @Test(.timeLimit(.minutes(10)))
    func theNextAttemptIsOnTheServerBeforeItIsCalled() async throws {
        try await withScratchDatabase { connection, config in
            try await connection.ensureUpgradeLog()
            try await connection.exec("CREATE TABLE t (id INT) ENGINE=InnoDB")
            let holder = try await MariaDBConnection.connect(config, secrets: SecretResolver())
            let lock = "'\(config.database ?? "qu")_chain'"
            #expect(try await holder.scalar("SELECT GET_LOCK(\(lock), 0)") == "1")
            let order = Order()
            let chain = AttemptChain()
            let next = following(script("SET @got = GET_LOCK(\(lock), 600)", "INSERT INTO t VALUES (2)", file: "V2__b.sql"))
            try await runFirst(connection, script("INSERT INTO t VALUES (1)", file: "V1__a.sql"), offering: next, on: chain,
                               order: order)
            #expect(chain.sentAttempt === next)
            #expect(next.sentRows == [Self.done(Self.first), Self.second])
            let waiting = try await waitFor("SET @got = GET_LOCK(\(lock), 600)", on: holder,
                                            "SELECT INFO FROM information_schema.PROCESSLIST WHERE ID = \(connection.threadID)")
            order.append(waiting ? "b waiting on the server" : "b never seen on the server")
            #expect(try await holder.scalar("SELECT RELEASE_LOCK(\(lock))") == "1")
            try await claim(connection, next, order: order)
            #expect(order.steps == ["journal a", "upgrade_log a", "b waiting on the server", "journal b", "upgrade_log b"])
            let rows = try await connection.latestEntries()
            #expect(rows["app/V1/sql.a"] == Self.done(Self.first), "a's SUCCESS went with b's RUNNING")
            #expect(rows["app/V1/sql.b"]?.status == .running)
            #expect(try await connection.query("SELECT id FROM t ORDER BY id") == [["1"], ["2"]], "each statement ran once")
            await holder.close()
        }
    }

    /// A failed attempt sends nothing ahead: the next task's RUNNING row and statements never
    /// reach the server, and it is sent the usual way when called.
    @Test func aFailedAttemptSendsNothingAhead() async throws {
        try await withScratchDatabase { connection, _ in
            try await connection.ensureUpgradeLog()
            try await connection.exec("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB")
            let chain = AttemptChain()
            let next = following(script("INSERT INTO t VALUES (2)", file: "V2__b.sql"))
            let error = await quickupError {
                try await runFirst(connection, script("INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (1)", file: "V1__a.sql"),
                                   offering: next, on: chain)
            }
            #expect(error?.location?.line == 2, "\(String(describing: error))")
            #expect(chain.sentAttempt == nil && next.sentRows == nil)
            #expect(try await connection.latestEntries()["app/V1/sql.b"] == nil)
            #expect(try await connection.query("SELECT id FROM t") == [["1"]])
            try await connection.runAttempt(next.statements, recording: [Self.second], mirror: {}, recorded: {}, transactional: false,
                                            success: { Self.done(Self.second) })
            #expect(try await connection.query("SELECT id FROM t ORDER BY id") == [["1"], ["2"]])
        }
    }

    /// Sent ahead and never claimed: the next call reads it to its end first, and the attempt's own
    /// call afterwards refuses to send it a second time.
    @Test func anAttemptNeverClaimedIsReadFirstAndNeverSentTwice() async throws {
        try await withScratchDatabase { connection, _ in
            try await connection.ensureUpgradeLog()
            try await connection.exec("CREATE TABLE t (id INT) ENGINE=InnoDB")
            let chain = AttemptChain()
            let next = following(script("INSERT INTO t VALUES (2)", file: "V2__b.sql"))
            try await runFirst(connection, script("INSERT INTO t VALUES (1)", file: "V1__a.sql"), offering: next, on: chain)
            #expect(next.sentRows != nil)
            #expect(try await connection.query("SELECT id FROM t ORDER BY id") == [["1"], ["2"]], "read to its end first")
            let error = await quickupError {
                try await claim(connection, next)
            }
            #expect(error?.code == .datasourceProtocol, "\(String(describing: error))")
            #expect(try await connection.scalar("SELECT COUNT(*) FROM t WHERE id = 2") == "1", "never run twice")
        }
    }

    /// Cancelled between being sent and being claimed: the claim still reads it, after getting it
    /// killed on the server; nothing after the killed statement runs. SLEEP(600) cannot end on its
    /// own here (no wall-clock assertion; the limit is a hang guard).
    @Test(.timeLimit(.minutes(10)))
    func anAttemptSentAheadAndCancelledIsKilledOnTheServer() async throws {
        try await withScratchDatabase { connection, config in
            try await connection.ensureUpgradeLog()
            try await connection.exec("CREATE TABLE t (id INT) ENGINE=InnoDB")
            let chain = AttemptChain()
            let next = following(script("SET @slept = SLEEP(600)", "INSERT INTO t VALUES (2)", file: "V2__b.sql"))
            try await runFirst(connection, script("INSERT INTO t VALUES (1)", file: "V1__a.sql"), offering: next, on: chain)
            #expect(next.sentRows != nil)
            let observer = try await MariaDBConnection.connect(config, secrets: SecretResolver())
            let sleeping = try await waitFor("SET @slept = SLEEP(600)", on: observer,
                                             "SELECT INFO FROM information_schema.PROCESSLIST WHERE ID = \(connection.threadID)")
            #expect(sleeping, "the statement sent ahead runs before anything claims it")
            await observer.close()
            let order = Order()
            let task = Task {
                // Cancelled before the claim: the statement runs on the server all the same.
                withUnsafeCurrentTask { $0?.cancel() }
                return await onOwnThread { await quickupError {
                    try await claim(connection, next, order: order)
                } }
            }
            let error = await task.value
            #expect(error?.code == .statementCancelled, "\(String(describing: error))")
            #expect(error?.location?.line == 1, "names the statement that was killed")
            #expect(order.steps == ["journal b", "upgrade_log b"], "its RUNNING row was written: upgrade_log shows it interrupted")
            #expect(try await connection.query("SELECT id FROM t") == [["1"]], "nothing after the killed statement")
            #expect(try await connection.latestEntries()["app/V1/sql.b"]?.status == .running)
        }
    }

    /// Polls `sql` on `observer` until it answers `expected`; false after two minutes.
    private func waitFor(_ expected: String, on observer: MariaDBConnection, _ sql: String) async throws -> Bool {
        let start = ContinuousClock.now
        while secondsSince(start) < 120 {
            if try await observer.scalar(sql) == expected { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
