import Foundation
import QuickupCore
import QuickupData
import Testing

/// The real servers of `scripts/services.sh` (docs/SERVICES.md), found through the
/// `QUICKUP_TEST_*` variables that `eval "$(scripts/services.sh env)"` exports.
///
/// Tests that need a server use `.enabled(if: TestServers.mariaDBEnabled)`: without the variables
/// they are skipped on a developer machine, but under CI (`CI` set) they run and fail with a
/// message saying how to start the servers — a CI that forgot them must not pass quietly.
public enum TestServers {
    public struct MariaDB: Sendable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String
        public var database: String
        public var socket: String?
        public var defaultsFile: String?

        public init(host: String, port: Int, user: String, password: String, database: String, socket: String?, defaultsFile: String?) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.database = database
            self.socket = socket
            self.defaultsFile = defaultsFile
        }

        /// A datasource of this server, password by literal (tests only) and optionally another database.
        public func config(name: String = "test-mariadb", database: String? = nil) -> DatasourceConfig {
            var config = DatasourceConfig(name: name, type: .mariadb,
                                          location: QuickupCore.SourceLocation(file: "env.yaml", line: 1))
            config.host = host
            config.port = port
            config.user = user
            config.password = .literal(password)
            config.database = database ?? self.database
            return config
        }
    }

    public static let environment = ProcessInfo.processInfo.environment
    public static let isCI = environment["CI"].map { !$0.isEmpty && $0 != "0" && $0 != "false" } ?? false

    public static let mariaDB: MariaDB? = {
        guard let host = environment["QUICKUP_TEST_MARIADB_HOST"],
              let port = environment["QUICKUP_TEST_MARIADB_PORT"].flatMap({ Int($0) }),
              let user = environment["QUICKUP_TEST_MARIADB_USER"],
              let password = environment["QUICKUP_TEST_MARIADB_PASSWORD"],
              let database = environment["QUICKUP_TEST_MARIADB_DATABASE"]
        else { return nil }
        return MariaDB(host: host, port: port, user: user, password: password, database: database,
                       socket: environment["QUICKUP_TEST_MARIADB_SOCKET"],
                       defaultsFile: environment["QUICKUP_TEST_MARIADB_DEFAULTS"])
    }()

    /// Run MariaDB tests when the server is configured, or under CI (where they then fail).
    public static let mariaDBEnabled = mariaDB != nil || isCI

    public struct Missing: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// The configured server, or a failure explaining how to provide one.
    public static func requireMariaDB() throws -> MariaDB {
        guard let mariaDB else {
            throw Missing(description: "the MariaDB test server is not configured (QUICKUP_TEST_MARIADB_* unset"
                          + (isCI ? ", and CI is set, so its tests fail rather than skip" : "") + "): run "
                          + "`bash scripts/services.sh start && eval \"$(bash scripts/services.sh env)\"` "
                          + "before the tests (scripts/test.sh does)")
        }
        return mariaDB
    }

    /// `scripts/services.sh` of this checkout.
    public static let servicesScript: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/services.sh").path
    }()

    /// A fresh name for a scratch database or folder, unique across concurrent test runs.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }
}
