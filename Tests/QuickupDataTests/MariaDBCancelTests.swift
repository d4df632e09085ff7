import QuickupTestSupport
import Foundation
import QuickupCore
import QuickupData
import Synchronization
import Testing

/// Cancelling a running statement (KILL QUERY from a side connection) and reading progress.
@Suite(.enabled(if: TestServers.mariaDBEnabled, "needs the MariaDB test server (scripts/services.sh)"))
struct MariaDBCancelTests {
    // No wall-clock assertion (issue 13 item 10): SLEEP(600) cannot end on its own within the
    // test, so a `statementCancelled` outcome and nothing run after it prove the cancel; the
    // time limit is only a hang guard, and waits for the server are generous for a loaded box.
    @Test(.timeLimit(.minutes(10)))
    func cancellingTheTaskKillsTheStatement() async throws {
        try await withScratchDatabase { connection, config in
            let observer = try await MariaDBConnection.connect(config, secrets: SecretResolver())
            let start = ContinuousClock.now
            let (outcome, progressWhileSleeping, runningBeforeCancel) = await withTaskGroup(
                of: Result<ExecutionResult, QuickupError>.self
            ) { group in
                group.addTask {
                    do throws(QuickupError) {
                        return .success(try await connection.exec("SELECT SLEEP(600)", file: "slow.sql", line: 4))
                    } catch {
                        return .failure(error)
                    }
                }
                // Wait until the server runs it (a busy machine may take a while), then cancel.
                var running: String?
                while running != "SELECT SLEEP(600)", secondsSince(start) < 120 {
                    try? await Task.sleep(for: .milliseconds(50))
                    running = try? await observer.scalar(
                        "SELECT INFO FROM information_schema.PROCESSLIST WHERE ID = \(connection.threadID)")
                }
                let progress = await connection.progress()
                group.cancelAll()
                let outcome = await group.next() ?? .failure(QuickupError(.io, "the statement's task vanished"))
                return (outcome, progress, running)
            }
            #expect(runningBeforeCancel == "SELECT SLEEP(600)", "the statement was on the server")
            #expect(progressWhileSleeping == nil, "SLEEP reports no progress")
            guard case .failure(let error) = outcome else {
                Issue.record("the statement was not cancelled: \(outcome)")
                return
            }
            #expect(error.code == .statementCancelled, "\(error)")
            #expect(error.location == QuickupCore.SourceLocation(file: "slow.sql", line: 4))
            #expect(error.description.contains("KILL QUERY \(connection.threadID)"), "\(error)")
            // The server no longer runs it, and the connection stays usable.
            let command = try await observer.query(
                "SELECT COMMAND, INFO FROM information_schema.PROCESSLIST WHERE ID = \(connection.threadID)")
            #expect(command.first?[0] == "Sleep" && command.first?[1] == nil, "\(command)")
            #expect(try await connection.scalar("SELECT 41 + 1") == "42")
            await observer.close()
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func cancellingAScriptStopsItWhereItIs() async throws {
        try await withScratchDatabase { connection, config in
            try await connection.exec("CREATE TABLE t (id INT PRIMARY KEY)")
            let observer = try await MariaDBConnection.connect(config, secrets: SecretResolver())
            let script = [
                SQLStatement(text: "INSERT INTO t VALUES (1)", line: 1, file: "script.sql"),
                SQLStatement(text: "SELECT SLEEP(600)", line: 2, file: "script.sql"),
                SQLStatement(text: "INSERT INTO t VALUES (2)", line: 3, file: "script.sql"),
            ]
            let start = ContinuousClock.now
            let error = await withTaskGroup(of: QuickupError?.self) { group in
                group.addTask { await quickupError { try await connection.run(script) } }
                // Cancel once the sleep runs (not after a fixed pause a loaded machine may outlast).
                var running: String?
                while running != "SELECT SLEEP(600)", secondsSince(start) < 120 {
                    try? await Task.sleep(for: .milliseconds(50))
                    running = try? await observer.scalar(
                        "SELECT INFO FROM information_schema.PROCESSLIST WHERE ID = \(connection.threadID)")
                }
                group.cancelAll()
                return await group.next() ?? nil
            }
            await observer.close()
            #expect(error?.code == .statementCancelled, "\(String(describing: error))")
            #expect(error?.location?.line == 2, "names the statement that was running")
            #expect(try await connection.query("SELECT id FROM t") == [["1"]], "the rest of the script was not sent")
        }
    }

    @Test func aCancelledTaskSendsNothing() async throws {
        try await withScratchDatabase { connection, _ in
            try await connection.exec("CREATE TABLE t (id INT PRIMARY KEY)")
            let error = await withTaskGroup(of: QuickupError?.self) { group in
                group.cancelAll()
                group.addTask {
                    await quickupError { try await connection.exec("INSERT INTO t VALUES (1)", file: "x.sql", line: 2) }
                }
                return await group.next() ?? nil
            }
            #expect(error?.code == .statementCancelled)
            #expect(error?.description.contains("before the statement was sent") == true, "\(String(describing: error))")
            #expect(try await connection.scalar("SELECT COUNT(*) FROM t") == "0")
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func progressOfAnAlterTable() async throws {
        try await withScratchDatabase { connection, config in
            let loader = try await MariaDBConnection.connect(config, secrets: SecretResolver())
            try await loader.exec("CREATE TABLE t (id INT PRIMARY KEY, pad VARCHAR(100)) ENGINE=InnoDB")
            try await loader.exec("INSERT INTO t SELECT seq, REPEAT('x', 100) FROM seq_1_to_300000")
            await loader.close()
            #expect(await connection.progress() == nil, "idle")

            // On a loaded machine a whole copy can slip between samples (or the side connection
            // can lag): the ALTER is repeated, at most six times, until progress was sampled.
            var seen: [Double] = []
            for _ in 0..<6 where !seen.contains(where: { $0 > 0 && $0 < 1 }) {
                let done = Flag()
                seen = try await withThrowingTaskGroup(of: [Double].self) { group in
                    group.addTask {
                        // ALGORITHM=COPY copies row by row and reports progress as it goes.
                        defer { done.set() }
                        try await connection.exec("ALTER TABLE t ENGINE=InnoDB, ALGORITHM=COPY")
                        return []
                    }
                    group.addTask {
                        var values: [Double] = []
                        while !done.isSet {
                            if let value = await connection.progress() { values.append(value) }
                            try await Task.sleep(for: .milliseconds(50))
                        }
                        return values
                    }
                    var all: [Double] = []
                    for try await values in group { all += values }
                    return all
                }
            }
            #expect(!seen.isEmpty, "no progress seen during a copying ALTER TABLE of 300,000 rows")
            #expect(seen.allSatisfy { (0...1).contains($0) }, "\(seen)")
            #expect(seen.contains { $0 > 0 && $0 < 1 }, "\(seen)")
            #expect(await connection.progress() == nil, "idle again")
        }
    }
}

/// A one-way switch tasks can share.
final class Flag: Sendable {
    private let value = Atomic(false)
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
}
