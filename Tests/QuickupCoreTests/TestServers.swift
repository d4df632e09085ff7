import Foundation
import Testing

/// The real servers some tests need, as `scripts/services.sh env` describes them
/// (`eval "$(scripts/services.sh env)"` before `swift test`).
///
/// Without them such a test is skipped on a developer machine, but in CI (`CI` set) it runs and
/// fails, saying what is missing: CI must never pass by silently skipping.
///
///     @Test(.enabled(if: TestServers.mariaDBTestsEnabled, TestServers.mariaDBSkipComment))
///     func talksToMariaDB() throws { let server = try TestServers.requireMariaDB() … }
enum TestServers {
    /// A MariaDB test server, reached through a client option file (host, port, user, password)
    /// so that no password appears on a command line.
    struct MariaDB: Sendable {
        var defaultsFile: String
        var database: String
    }

    struct MissingServer: Error, CustomStringConvertible {
        var description: String
    }

    private static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static var isCI: Bool { !(environment["CI"] ?? "").isEmpty }

    /// From `QUICKUP_TEST_MARIADB_DEFAULTS` (and `QUICKUP_TEST_MARIADB_DATABASE`), if set.
    static var mariaDB: MariaDB? {
        guard let defaults = environment["QUICKUP_TEST_MARIADB_DEFAULTS"], !defaults.isEmpty else { return nil }
        let database = environment["QUICKUP_TEST_MARIADB_DATABASE"].flatMap { $0.isEmpty ? nil : $0 } ?? "quickup_test"
        return MariaDB(defaultsFile: defaults, database: database)
    }

    /// For `.enabled(if:)`: run when a server is configured, and always in CI (to fail there).
    static var mariaDBTestsEnabled: Bool { mariaDB != nil || isCI }

    static let mariaDBSkipComment: Comment =
        "needs a MariaDB test server: eval \"$(scripts/services.sh env)\" (QUICKUP_TEST_MARIADB_*)"

    /// The configured server, or an error that fails the test with instructions.
    static func requireMariaDB() throws -> MariaDB {
        guard let server = mariaDB else {
            throw MissingServer(description: """
                QUICKUP_TEST_MARIADB_DEFAULTS is not set, and CI requires this test to run: start the \
                test servers with `scripts/services.sh start` and export their settings with \
                `eval "$(scripts/services.sh env)"`
                """)
        }
        guard FileManager.default.isReadableFile(atPath: server.defaultsFile) else {
            throw MissingServer(description: "QUICKUP_TEST_MARIADB_DEFAULTS=\(server.defaultsFile) is not a readable file")
        }
        return server
    }
}
