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

/// A TCP port on 127.0.0.1 that nothing listens on right now: the kernel picks a free one for a
/// socket that is then closed.
func unusedLocalPort() throws -> Int {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw TestServers.Missing(description: "socket() failed: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0 else { throw TestServers.Missing(description: "bind() failed: errno \(errno)") }
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw TestServers.Missing(description: "getsockname() failed: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Runs a program to its end without blocking a thread of the cooperative pool; returns its exit
/// status and what it wrote (stdout and stderr together).
///
/// Foundation notices a child's end when a socket the child inherits reaches end-of-file, so a
/// daemon started by the child (services.sh starting mariadbd) would keep `Process` waiting for
/// ever. A wrapper shell keeps that socket and runs the program with every descriptor above 2
/// closed.
func runProgram(_ path: String, _ arguments: [String], environment: [String: String]? = nil)
    async throws -> (status: Int32, output: String) {
    let wrapper = #"""
        ( for fd in /proc/$BASHPID/fd/*; do n=${fd##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-"; fi; done 2>/dev/null
          exec "$@" )
        """#
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", wrapper, "run-program", path] + arguments
    if let environment { process.environment = environment }
    let output = FileManager.default.temporaryDirectory.appendingPathComponent(TestServers.uniqueName("qu_out"))
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: output) }
    let handle = try FileHandle(forWritingTo: output)
    process.standardOutput = handle
    process.standardError = handle
    process.standardInput = FileHandle.nullDevice
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do {
            try process.run()
        } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
        }
    }
    try handle.close()
    let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    return (status, text)
}
