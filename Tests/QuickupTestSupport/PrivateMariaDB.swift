import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A MariaDB server of one test's own, started by scripts/services.sh in a private directory on a
/// free port, so that killing it cannot disturb the shared server other tests (and other test
/// runs) use. `restart-mariadb` starts MariaDB alone (Redis and ClickHouse stay down).
public struct PrivateMariaDB {
    public let directory: String
    public let server: TestServers.MariaDB

    private static func environment(directory: String, port: Int?) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["QUICKUP_SERVICES_DIR"] = directory
        // Settings meant for the shared servers (e.g. other ports) must not leak into this one:
        // services.sh keeps this instance's own settings in its directory.
        for key in environment.keys where key.hasPrefix("QUICKUP_") && key.hasSuffix("_PORT") && !key.hasPrefix("QUICKUP_TEST_") {
            environment[key] = nil
        }
        if let port { environment["QUICKUP_MARIADB_PORT"] = String(port) }
        return environment
    }

    public static func start() async throws -> PrivateMariaDB {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestServers.uniqueName("qu_mdb_srv")).path
        let port = try unusedLocalPort()
        let started = try await runProgram("/bin/bash", [TestServers.servicesScript, "restart-mariadb"],
                                           environment: environment(directory: directory, port: port))
        guard started.status == 0 else {
            _ = try? await runProgram("/bin/bash", [TestServers.servicesScript, "stop"],
                                      environment: environment(directory: directory, port: nil))
            try? FileManager.default.removeItem(atPath: directory)
            throw TestServers.Missing(description: "could not start a private MariaDB on port \(port):\n\(started.output)")
        }
        let exported = try await runProgram("/bin/bash", [TestServers.servicesScript, "env"],
                                            environment: environment(directory: directory, port: nil))
        var values: [String: String] = [:]
        for line in exported.output.split(separator: "\n") where line.hasPrefix("export QUICKUP_TEST_MARIADB_") {
            let assignment = line.dropFirst("export ".count)
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            // Values are limited to [A-Za-z0-9._/-] by services.sh and single-quoted.
            values[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
                .trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
        guard let user = values["QUICKUP_TEST_MARIADB_USER"], let password = values["QUICKUP_TEST_MARIADB_PASSWORD"],
              let database = values["QUICKUP_TEST_MARIADB_DATABASE"] else {
            throw TestServers.Missing(description: "services.sh env printed no MariaDB settings:\n\(exported.output)")
        }
        let server = TestServers.MariaDB(host: "127.0.0.1", port: port, user: user, password: password,
                                         database: database, socket: values["QUICKUP_TEST_MARIADB_SOCKET"],
                                         defaultsFile: values["QUICKUP_TEST_MARIADB_DEFAULTS"])
        return PrivateMariaDB(directory: directory, server: server)
    }

    public func services(_ arguments: String...) async throws -> (status: Int32, output: String) {
        try await runProgram("/bin/bash", [TestServers.servicesScript] + arguments,
                             environment: Self.environment(directory: directory, port: nil))
    }

    /// Stops the server and deletes its directory.
    public func remove() async {
        _ = try? await services("stop")
        try? FileManager.default.removeItem(atPath: directory)
    }
}


/// A TCP port on 127.0.0.1 that nothing listens on right now: the kernel picks a free one for a
/// socket that is then closed.
public func unusedLocalPort() throws -> Int {
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
/// status and what it wrote (stdout and stderr together). A daemon it starts (services.sh
/// starting mariadbd) inherits nothing of the test process (see `ChildProcess`).
public func runProgram(_ path: String, _ arguments: [String], environment: [String: String]? = nil)
    async throws -> (status: Int32, output: String) {
    let child = try ChildProcess.start([path] + arguments, environment: environment, combined: true)
    let exit = await child.ended()
    return (exit.status, child.stdout)
}
