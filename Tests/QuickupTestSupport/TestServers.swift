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

    /// The configured server's client options file (for the `mariadb` client), or a failure
    /// explaining how to provide it.
    public static func requireMariaDBDefaults() throws -> String {
        guard let defaults = try requireMariaDB().defaultsFile else {
            throw Missing(description: "QUICKUP_TEST_MARIADB_DEFAULTS is unset: `eval \"$(bash scripts/services.sh env)\"` sets it")
        }
        return defaults
    }

    /// `scripts/services.sh` of this checkout.
    public static let servicesScript: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/services.sh").path
    }()

    public static let mariaDBSkipComment: Comment =
        "needs a MariaDB test server: eval \"$(scripts/services.sh env)\" (QUICKUP_TEST_MARIADB_*)"

    // MARK: ClickHouse and Redis

    static let clickHouseVariables = ["QUICKUP_TEST_CLICKHOUSE_HOST", "QUICKUP_TEST_CLICKHOUSE_HTTP_PORT",
                                      "QUICKUP_TEST_CLICKHOUSE_USER", "QUICKUP_TEST_CLICKHOUSE_PASSWORD",
                                      "QUICKUP_TEST_CLICKHOUSE_DATABASE"]
    static let redisVariables = ["QUICKUP_TEST_REDIS_HOST", "QUICKUP_TEST_REDIS_PORT", "QUICKUP_TEST_REDIS_PASSWORD"]

    public static var clickHouseEnabled: Bool { isCI || missing(clickHouseVariables).isEmpty }
    public static var redisEnabled: Bool { isCI || missing(redisVariables).isEmpty }

    /// The test user's secrets come through `password_env`, the way env.yaml names them (D4).
    public static var secrets: SecretResolver { SecretResolver(environment: environment) }

    /// The ClickHouse datasource; `database` defaults to the server's test database.
    public static func clickHouse(database: String? = nil) throws -> DatasourceConfig {
        let absent = missing(clickHouseVariables)
        guard absent.isEmpty else { throw notConfigured(absent) }
        var config = DatasourceConfig(name: "ch_test", type: .clickhouse, location: QuickupCore.SourceLocation(file: "env.yaml", line: 20))
        config.host = environment["QUICKUP_TEST_CLICKHOUSE_HOST"]
        config.port = environment["QUICKUP_TEST_CLICKHOUSE_HTTP_PORT"].flatMap { Int($0) }
        config.user = environment["QUICKUP_TEST_CLICKHOUSE_USER"]
        config.password = .environment("QUICKUP_TEST_CLICKHOUSE_PASSWORD")
        config.database = database ?? environment["QUICKUP_TEST_CLICKHOUSE_DATABASE"]
        config.connectTimeout = .seconds(5)
        config.readTimeout = .seconds(60)
        return config
    }

    /// The Redis datasource on database `index`; a suite keeps to its own index and key prefix
    /// because other suites share the server.
    public static func redis(index: Int = 11) throws -> DatasourceConfig {
        let absent = missing(redisVariables)
        guard absent.isEmpty else { throw notConfigured(absent) }
        var config = DatasourceConfig(name: "redis_test", type: .redis, location: QuickupCore.SourceLocation(file: "env.yaml", line: 30))
        config.host = environment["QUICKUP_TEST_REDIS_HOST"]
        config.port = environment["QUICKUP_TEST_REDIS_PORT"].flatMap { Int($0) }
        config.password = .environment("QUICKUP_TEST_REDIS_PASSWORD")
        config.database = String(index)
        config.connectTimeout = .seconds(5)
        config.readTimeout = .seconds(30)
        return config
    }

    public static func password(_ variable: String) -> String { environment[variable] ?? "" }

    private static func missing(_ variables: [String]) -> [String] {
        variables.filter { (environment[$0] ?? "").isEmpty }
    }

    private static func notConfigured(_ variables: [String]) -> Missing {
        Missing(description: "test servers not configured: \(variables.joined(separator: ", ")) unset — run "
                + "`bash scripts/services.sh start` and `eval \"$(bash scripts/services.sh env)\"`")
    }

    /// A fresh name for a scratch database or folder, unique across concurrent test runs.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }
}
