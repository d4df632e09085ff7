import QuickupTestSupport
import Foundation
import QuickupCore
import QuickupData
import Testing

@Suite(.serialized, .enabled(if: TestServers.mariaDBEnabled, "needs MariaDB installed (scripts/services.sh)"))
struct MariaDBCrashTests {
    @Test(.timeLimit(.minutes(10)))
    func serverKilledInTheMiddleOfALongScript() async throws {
        _ = try TestServers.requireMariaDB()  // MariaDB is installed; under CI, say so if not
        let instance = try await PrivateMariaDB.start()
        do {
            try await killMidScript(instance)
        } catch {
            await instance.remove()
            throw error
        }
        await instance.remove()
    }

    /// A frozen server (SIGSTOP) answers neither the statement nor a KILL: cancelling must still
    /// return, by shutting the connection's socket down once the side connection cannot log in.
    @Test(.timeLimit(.minutes(10)))
    func cancelWhileTheServerIsFrozen() async throws {
        _ = try TestServers.requireMariaDB()  // MariaDB is installed; under CI, say so if not
        let instance = try await PrivateMariaDB.start()
        do {
            try await cancelFrozen(instance)
        } catch {
            _ = try? await instance.services("kill-mariadb", "CONT")
            await instance.remove()
            throw error
        }
        _ = try? await instance.services("kill-mariadb", "CONT")
        await instance.remove()
    }

    private func cancelFrozen(_ instance: PrivateMariaDB) async throws {
        var config = instance.server.config(name: "frozen")
        config.connectTimeout = .seconds(1)
        let connection = try await MariaDBConnection.connect(config, secrets: SecretResolver())
        let error = try await withThrowingTaskGroup(of: QuickupError?.self) { group in
            group.addTask {
                await quickupError { try await connection.exec("SELECT SLEEP(60)", file: "frozen.sql", line: 3) }
            }
            try await Task.sleep(for: .milliseconds(300))
            let frozen = try await instance.services("kill-mariadb", "STOP")
            #expect(frozen.status == 0, "\(frozen.output)")
            group.cancelAll()
            return try await group.next() ?? nil
        }
        // A frozen server never ends SLEEP(60): returning at all (within the test's time limit, a
        // hang guard) and saying how is what counts on a loaded machine.
        #expect(error?.code == .statementCancelled, "\(String(describing: error))")
        #expect(error?.description.contains("closing the connection") == true, "\(String(describing: error))")
        #expect(error?.location?.line == 3)
        let next = await quickupError { try await connection.exec("SELECT 1") }
        #expect(next?.code == .datasourceUnreachable, "the connection is unusable afterwards: \(String(describing: next))")
        await connection.close()
    }

    private func killMidScript(_ instance: PrivateMariaDB) async throws {
        let config = instance.server.config(name: "crash")
        let connection = try await MariaDBConnection.connect(config, secrets: SecretResolver())
        try await connection.exec("CREATE TABLE IF NOT EXISTS progress (step INT PRIMARY KEY)")
        // About 40 s of script: each step records itself, then waits.
        let script = (1...2_000).flatMap { step in
            [SQLStatement(text: "INSERT INTO progress VALUES (\(step))", line: 2 * step - 1, file: "long.sql"),
             SQLStatement(text: "SELECT SLEEP(0.02)", line: 2 * step, file: "long.sql")]
        }
        let observer = try await MariaDBConnection.connect(config, secrets: SecretResolver())
        let outcome: QuickupError? = try await withThrowingTaskGroup(of: QuickupError?.self) { group in
            group.addTask { await quickupError { try await connection.run(script) } }
            // Wait until the script is well under way, then crash the server under it.
            var steps = 0
            while steps < 20 {
                try await Task.sleep(for: .milliseconds(100))
                steps = Int(try await observer.scalar("SELECT COUNT(*) FROM progress") ?? "") ?? 0
            }
            let killed = try await instance.services("kill-mariadb")
            #expect(killed.status == 0, "\(killed.output)")
            return try await group.next() ?? nil
        }
        let error = try #require(outcome, "the script went on although the server was killed")
        #expect(error.code == .datasourceUnreachable, "\(error)")
        #expect(error.location?.file == "long.sql" && error.location?.line != nil, "\(error)")
        #expect(error.description.contains("127.0.0.1:\(instance.server.port)"), "\(error)")
        #expect(error.description.contains("error 2013") || error.description.contains("error 2006"), "\(error)")

        // The next statement on the dead connection fails at once too.
        let next = await quickupError { try await connection.exec("SELECT 1", file: "long.sql", line: 4_001) }
        #expect(next?.code == .datasourceUnreachable, "\(String(describing: next))")
        #expect(await connection.progress() == nil)
        await connection.close()
        await observer.close()

        // Restarted, the server has what was committed before the crash.
        let restarted = try await instance.services("restart-mariadb")
        #expect(restarted.status == 0, "\(restarted.output)")
        let again = try await MariaDBConnection.connect(config, secrets: SecretResolver())
        let steps = Int(try await again.scalar("SELECT COUNT(*) FROM progress") ?? "") ?? 0
        #expect(steps >= 20, "\(steps) steps survived")
        await again.close()
    }
}
