import QuickupTestSupport
import Foundation
import QuickupCore
@testable import QuickupData
import Testing

/// Short statements share a packet (E12) while every failure still names its own file:line (D2)
/// and nothing after a failed or killed statement runs.
struct MariaDBPacketRulesTests {
    @Test func whichStatementsShareAPacket() {
        #expect(MariaDBPacket.canShare("CREATE TABLE t (id INT)"))
        #expect(MariaDBPacket.canShare("insert into t values (1)"))
        #expect(MariaDBPacket.canShare("SET @x = 1"))
        #expect(MariaDBPacket.canShare("START TRANSACTION"))
        #expect(!MariaDBPacket.canShare("CALL p()"), "a procedure may return several result sets")
        #expect(!MariaDBPacket.canShare("SELECT 1"))
        #expect(!MariaDBPacket.canShare("LOAD DATA LOCAL INFILE 'x' INTO TABLE t"), "asks the client for a file")
        #expect(!MariaDBPacket.canShare("INSERT INTO t VALUES ('a;b')"), "a `;` might be a second statement")
        #expect(!MariaDBPacket.canShare("CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END"))
        #expect(!MariaDBPacket.canShare("INSERT INTO t VALUES ('" + String(repeating: "x", count: MariaDBPacket.maxBytes) + "')"))
    }

    /// Issue 13 item 4: after a script that may have said `USE`, the connection switches back.
    @Test func whichStatementsMayChangeTheDatabase() {
        for sql in ["USE other", "  use `other`", "\n\tUsE\tother", "/*!40101 USE other */", "/*M!100000 use other */", "USE\nother"] {
            #expect(MariaDBConnection.mayChangeDatabase(sql), "\(sql)")
        }
        for sql in ["USER", "USE", "US", "", "UPDATE t SET a = 1", "INSERT INTO use_log VALUES (1)", "/*!40101 SET x = 1 */", "ÜSE other"] {
            #expect(!MariaDBConnection.mayChangeDatabase(sql), "\(sql)")
        }
    }

    @Test func packetsEndAtLocalStepsBuiltRowsAndTheBounds() {
        let insert = MariaDBWork(sql: "INSERT INTO t VALUES (1)")
        var work = [insert, insert, MariaDBWork(sql: "(journal)", local: {}), insert,
                    MariaDBWork(sql: "INSERT INTO t … (row)", build: { "INSERT INTO t VALUES (2)" }), MariaDBWork(sql: "COMMIT"),
                    MariaDBWork(sql: "CALL p()"), insert]
        var shareable = work.map { $0.local == nil && MariaDBPacket.canShare($0.sql) }
        #expect(MariaDBPacket.end(of: work, from: 0, shareable: shareable) == 2)
        #expect(MariaDBPacket.end(of: work, from: 2, shareable: shareable) == 3, "a local step goes alone")
        #expect(MariaDBPacket.end(of: work, from: 3, shareable: shareable) == 4, "a built row may only open a packet")
        #expect(MariaDBPacket.end(of: work, from: 4, shareable: shareable) == 6)
        #expect(MariaDBPacket.end(of: work, from: 6, shareable: shareable) == 7)
        work = Array(repeating: insert, count: MariaDBPacket.maxStatements + 5)
        shareable = work.map { _ in true }
        #expect(MariaDBPacket.end(of: work, from: 0, shareable: shareable) == MariaDBPacket.maxStatements)
        let big = MariaDBWork(sql: "INSERT INTO t VALUES ('" + String(repeating: "x", count: MariaDBPacket.maxBytes / 3) + "')")
        work = Array(repeating: big, count: 5)
        shareable = work.map { _ in true }
        #expect(MariaDBPacket.end(of: work, from: 0, shareable: shareable) == 2, "bytes bound the packet")
    }
}

@Suite(.enabled(if: TestServers.mariaDBEnabled, "needs the MariaDB test server (scripts/services.sh)"))
struct MariaDBPacketTests {
    /// The RUNNING row of the attempts below.
    private static let running = UpgradeLogEntry(taskID: "app/V1/sql.a", component: "app", versionFrom: "V0", versionTo: "V1",
                                                 taskVersion: "V1", stage: "pre_stop", taskName: "sql.a", kind: "sql", checksum: nil,
                                                 status: .running, attempt: 1, startTime: 1_000, runID: "r1", site: nil)

    private func script(_ lines: [(Int, String)], file: String = "V7__packet.sql") -> [SQLStatement] {
        lines.map { SQLStatement(text: $0.1, line: $0.0, file: file) }
    }

    @Test func aFailureAfterACallIsNamedExactly() async throws {
        try await withScratchDatabase { connection, _ in
            try await connection.exec("CREATE TABLE t (id INT PRIMARY KEY)")
            try await connection.exec("CREATE PROCEDURE two_sets() BEGIN SELECT 1; SELECT 2; END")
            let statements = script([(1, "INSERT INTO t VALUES (1)"), (2, "INSERT INTO t VALUES (2)"), (3, "CALL two_sets()"),
                                     (4, "INSERT INTO t VALUES (3)"), (5, "INSERT INTO t VALUES (2)"), (6, "INSERT INTO t VALUES (4)")])
            let error = await quickupError { try await connection.run(statements) }
            #expect(error?.location == QuickupCore.SourceLocation(file: "V7__packet.sql", line: 5), "\(String(describing: error))")
            #expect(error?.description.contains("error 1062") == true)
            #expect(try await connection.query("SELECT id FROM t ORDER BY id") == [["1"], ["2"], ["3"]], "nothing after the failure")
        }
    }

    @Test func theFirstStatementOfAPacketFailing() async throws {
        try await withScratchDatabase { connection, _ in
            try await connection.exec("CREATE TABLE t (id INT PRIMARY KEY)")
            let statements = script([(3, "INSERT INTO nowhere VALUES (1)"), (4, "INSERT INTO t VALUES (1)")])
            let error = await quickupError { try await connection.run(statements) }
            #expect(error?.location?.line == 3, "\(String(describing: error))")
            #expect(error?.description.contains("error 1146") == true)
            #expect(try await connection.scalar("SELECT COUNT(*) FROM t") == "0")
        }
    }

    @Test func aTransactionalAttemptRolledBackInsideItsPacket() async throws {
        try await withScratchDatabase { connection, _ in
            try await connection.ensureUpgradeLog()
            try await connection.exec("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB")
            let running = Self.running
            let order = Order()
            let error = await quickupError {
                try await connection.runAttempt(
                    script([(1, "INSERT INTO t VALUES (1)"), (2, "INSERT INTO t VALUES (1)")]), recording: [running],
                    mirror: { order.append("journal") }, recorded: { order.append("upgrade_log") }, transactional: true,
                    success: { var done = running; done.status = .success; return done })
            }
            #expect(error?.location?.line == 2)
            #expect(order.steps == ["journal", "upgrade_log"], "the journal first, then the RUNNING row")
            #expect(try await connection.scalar("SELECT COUNT(*) FROM t") == "0", "rolled back")
            #expect(try await connection.latestEntries()["app/V1/sql.a"]?.status == .running, "RUNNING committed before the transaction")
            #expect(try await connection.scalar("SELECT @@in_transaction") == "0")
        }
    }

    @Test func aFailingRunningRowStopsThePacketBeforeTheStatements() async throws {
        try await withScratchDatabase { connection, _ in
            // No upgrade_log table: the RUNNING row fails, and the task's statements never run.
            try await connection.exec("CREATE TABLE t (id INT PRIMARY KEY)")
            let running = Self.running
            let order = Order()
            let error = await quickupError {
                try await connection.runAttempt(script([(1, "INSERT INTO t VALUES (1)")]), recording: [running],
                                                mirror: { order.append("journal") }, recorded: { order.append("upgrade_log") },
                                                transactional: false, success: { running })
            }
            #expect(error?.description.contains("error 1146") == true, "\(String(describing: error))")
            #expect(order.steps == ["journal"])
            #expect(try await connection.scalar("SELECT COUNT(*) FROM t") == "0")
        }
    }

    /// Issue 20.3: the caller's `meanwhile` (the run engine's logs, the next script) runs while the
    /// server works on the attempt's packet — after it was sent, before any of its results is read.
    /// Another session holds the lock on the RUNNING row's key, so the packet's first statement
    /// waits: `meanwhile` sees the server waiting on it and releases the lock. Called before the
    /// send, it would never see the wait; after a result, the packet would wait out the lock
    /// timeout and fail.
    @Test(.timeLimit(.minutes(10)))
    func meanwhileRunsWhileTheServerWorksOnThePacket() async throws {
        try await withScratchDatabase { connection, config in
            try await connection.ensureUpgradeLog()
            try await connection.exec("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB")
            let running = Self.running
            let holder = try await MariaDBConnection.connect(config, secrets: SecretResolver())
            try await holder.exec("START TRANSACTION")
            try await holder.record(running)
            let order = Order()
            let waiting = "SELECT trx_state FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = \(connection.threadID)"
            try await onOwnThread { try await connection.runAttempt(
                script([(1, "INSERT INTO t VALUES (1)")]), recording: [running], mirror: { order.append("journal") },
                recorded: { order.append("upgrade_log") }, transactional: false, success: { running },
                meanwhile: {
                    order.append("meanwhile")
                    // On the connection's queue, which may block: the observing is done by a task.
                    let released = DispatchSemaphore(value: 0)
                    Task {
                        let start = ContinuousClock.now
                        var state: String?
                        while state != "LOCK WAIT", secondsSince(start) < 120 {
                            try? await Task.sleep(for: .milliseconds(20))
                            state = try? await holder.scalar(waiting)
                        }
                        order.append(state == "LOCK WAIT" ? "server waiting" : "server never seen waiting")
                        try? await holder.exec("ROLLBACK")
                        released.signal()
                    }
                    released.wait()
                }) }
            #expect(order.steps == ["journal", "meanwhile", "server waiting", "upgrade_log"])
            #expect(try await connection.latestEntries()["app/V1/sql.a"]?.status == .running, "the packet's row, once the lock was free")
            #expect(try await connection.query("SELECT id FROM t") == [["1"]])
            await holder.close()
        }
    }

    // SLEEP(600) cannot end on its own here: the cancelled outcome and the rows prove the stop,
    // with no wall-clock assertion (issue 13 item 10); the time limit is a hang guard.
    @Test(.timeLimit(.minutes(10)))
    func cancellingAPacketStopsTheServerAtTheRunningStatement() async throws {
        try await withScratchDatabase { connection, config in
            try await connection.exec("CREATE TABLE t (id INT PRIMARY KEY)")
            let observer = try await MariaDBConnection.connect(config, secrets: SecretResolver())
            // One packet: all three may share it.
            let statements = script([(1, "INSERT INTO t VALUES (1)"), (2, "SET @slept = SLEEP(600)"), (3, "INSERT INTO t VALUES (2)")])
            #expect(statements.allSatisfy { MariaDBPacket.canShare($0.text) })
            let start = ContinuousClock.now
            let error = await withTaskGroup(of: QuickupError?.self) { group in
                group.addTask { await quickupError { try await connection.run(statements) } }
                var running: String?
                while running?.contains("SLEEP") != true, secondsSince(start) < 120 {
                    try? await Task.sleep(for: .milliseconds(50))
                    running = try? await observer.scalar(
                        "SELECT INFO FROM information_schema.PROCESSLIST WHERE ID = \(connection.threadID)")
                }
                group.cancelAll()
                return await group.next() ?? nil
            }
            #expect(error?.code == .statementCancelled, "\(String(describing: error))")
            #expect(error?.location?.line == 2, "names the statement that was running")
            #expect(try await connection.query("SELECT id FROM t") == [["1"]], "the server ran nothing after it")
            await observer.close()
        }
    }
}

/// Random scripts mixing statements that share packets with ones that go alone, each failing at
/// a random place (or not at all): the error names exactly the first failing statement and the
/// table holds exactly what ran before it — what sending them one by one gives.
@Suite(.enabled(if: TestServers.mariaDBEnabled, "needs the MariaDB test server (scripts/services.sh)"))
struct MariaDBPacketPropertyTests {
    @Test(arguments: 0..<12)
    func randomScriptsFailWhereOneByOneWould(seed: Int) async throws {
        var generator = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        try await withScratchDatabase { connection, _ in
            try await connection.exec("CREATE TABLE t (id INT PRIMARY KEY)")
            try await connection.exec("CREATE PROCEDURE two() BEGIN SELECT 1; SELECT 2; END")
            var statements: [SQLStatement] = []
            var applied: [Int] = []
            var failingLine: Int?
            for line in 1...Int.random(in: 5...40, using: &generator) {
                let id = line
                let text: String
                switch Int.random(in: 0..<10, using: &generator) {
                case 0: text = "CALL two()"
                case 1: text = "SELECT \(id)"
                case 2: text = "SET @v = \(id)"
                case 3 where failingLine == nil && !applied.isEmpty:
                    text = "INSERT INTO t VALUES (\(applied[0]))"  // duplicate key
                    failingLine = line
                default:
                    text = "INSERT INTO t VALUES (\(id))"
                    if failingLine == nil { applied.append(id) }
                }
                statements.append(SQLStatement(text: text, line: line, file: "random.sql"))
            }
            do {
                try await connection.run(statements)
                #expect(failingLine == nil, "the script should have failed at line \(failingLine ?? 0)")
            } catch let error as QuickupError {
                #expect(error.location?.line == failingLine, "\(error)")
                #expect(error.description.contains("error 1062"), "\(error)")
            }
            let rows = try await connection.query("SELECT id FROM t ORDER BY id").compactMap { $0.first ?? nil }.compactMap { Int($0) }
            #expect(rows == applied.sorted())
        }
    }
}


/// Records the order of callbacks from the connection's queue.
final class Order: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ step: String) { lock.withLock { list.append(step) } }
    var steps: [String] { lock.withLock { list } }
}
