import QuickupTestSupport
import Foundation
import QuickupCore
import QuickupData
import Synchronization
import Testing

/// Runs `body` with a connection to a database of its own (`qu_mdb_<random>`) on the shared test
/// server, and drops the database afterwards whether `body` succeeds or not. The servers are
/// shared with other test runs: nothing here touches anything but that database.
func withScratchDatabase<T>(
    _ body: (MariaDBConnection, DatasourceConfig) async throws -> T
) async throws -> T {
    let server = try TestServers.requireMariaDB()
    let name = TestServers.uniqueName("qu_mdb")
    let admin = try await MariaDBConnection.connect(server.config(name: "admin"), secrets: SecretResolver())
    try await admin.exec("CREATE DATABASE `\(name)`")
    let config = server.config(database: name)
    do {
        let connection = try await MariaDBConnection.connect(config, secrets: SecretResolver())
        let result: T
        do {
            result = try await body(connection, config)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        try await admin.exec("DROP DATABASE `\(name)`")
        await admin.close()
        return result
    } catch {
        _ = try? await admin.exec("DROP DATABASE IF EXISTS `\(name)`")
        await admin.close()
        throw error
    }
}

extension MariaDBConnection {
    /// Runs one statement as if from line `line` of `test.sql`.
    @discardableResult
    func exec(_ sql: String, file: String = "test.sql", line: Int = #line) async throws(QuickupError) -> ExecutionResult {
        try await execute(SQLStatement(text: sql, line: line, file: file))
    }
}

/// Seconds since `start`.
func secondsSince(_ start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// The error `body` throws, as a QuickupError (failing the test if it throws none or another kind).
func quickupError(_ body: () async throws -> Void, sourceLocation: Testing.SourceLocation = #_sourceLocation)
    async -> QuickupError? {
    do {
        try await body()
        Issue.record("expected an error, got none", sourceLocation: sourceLocation)
        return nil
    } catch let error as QuickupError {
        return error
    } catch {
        Issue.record("expected a QuickupError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}


/// Runs `body` on a thread of its own, as the run engine runs a component (DedicatedThread): a
/// connection's call that blocks for long (a statement waiting on a lock or a SLEEP, a
/// `meanwhile` waiting for the test) then blocks that thread, not one of the few shared ones the
/// other tests running in parallel — and the kill that ends it — need.
func onOwnThread<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
    let thread = DedicatedThread(name: "quickup-test")
    defer { thread.stop() }
    return try await withTaskExecutorPreference(thread) { try await body() }
}
