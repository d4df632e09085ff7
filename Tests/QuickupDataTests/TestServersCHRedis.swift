import QuickupTestSupport
import Foundation
import QuickupCore
import Synchronization
@testable import QuickupData

/// The ClickHouse and Redis test servers of `scripts/services.sh` (docs/SERVICES.md), read from
/// the `QUICKUP_TEST_*` variables that `services.sh env` exports.
///
/// Without them the server tests are skipped (`.enabled(if:)`) — except under CI (`CI` set), where
/// they run and fail with a message saying what is missing, so a broken CI setup cannot pass by
/// skipping everything.
enum CHRedisTestServers {
    static let environment = ProcessInfo.processInfo.environment
    static var isCI: Bool { !(environment["CI"] ?? "").isEmpty }

    static let clickHouseVariables = ["QUICKUP_TEST_CLICKHOUSE_HOST", "QUICKUP_TEST_CLICKHOUSE_HTTP_PORT",
                                      "QUICKUP_TEST_CLICKHOUSE_USER", "QUICKUP_TEST_CLICKHOUSE_PASSWORD",
                                      "QUICKUP_TEST_CLICKHOUSE_DATABASE"]
    static let redisVariables = ["QUICKUP_TEST_REDIS_HOST", "QUICKUP_TEST_REDIS_PORT", "QUICKUP_TEST_REDIS_PASSWORD"]

    static var clickHouseEnabled: Bool { isCI || missing(clickHouseVariables).isEmpty }
    static var redisEnabled: Bool { isCI || missing(redisVariables).isEmpty }

    struct NotConfigured: Error, CustomStringConvertible {
        var variables: [String]
        var description: String {
            "test servers not configured: \(variables.joined(separator: ", ")) unset — run `bash scripts/services.sh start` and `eval \"$(bash scripts/services.sh env)\"`"
        }
    }

    /// The test user's secrets come through `password_env`, the way env.yaml names them (D4).
    static var secrets: SecretResolver { SecretResolver(environment: environment) }

    /// The ClickHouse datasource; `database` defaults to the server's test database.
    static func clickHouse(database: String? = nil) throws -> DatasourceConfig {
        let absent = missing(clickHouseVariables)
        guard absent.isEmpty else { throw NotConfigured(variables: absent) }
        var config = DatasourceConfig(name: "ch_test", type: .clickhouse, location: SourceLocation(file: "env.yaml", line: 20))
        config.host = environment["QUICKUP_TEST_CLICKHOUSE_HOST"]
        config.port = environment["QUICKUP_TEST_CLICKHOUSE_HTTP_PORT"].flatMap { Int($0) }
        config.user = environment["QUICKUP_TEST_CLICKHOUSE_USER"]
        config.password = .environment("QUICKUP_TEST_CLICKHOUSE_PASSWORD")
        config.database = database ?? environment["QUICKUP_TEST_CLICKHOUSE_DATABASE"]
        config.connectTimeout = .seconds(5)
        config.readTimeout = .seconds(60)
        return config
    }

    /// The Redis datasource on database `index`; this suite keeps to its own index and key prefix
    /// because other suites share the server.
    static func redis(index: Int = 11) throws -> DatasourceConfig {
        let absent = missing(redisVariables)
        guard absent.isEmpty else { throw NotConfigured(variables: absent) }
        var config = DatasourceConfig(name: "redis_test", type: .redis, location: SourceLocation(file: "env.yaml", line: 30))
        config.host = environment["QUICKUP_TEST_REDIS_HOST"]
        config.port = environment["QUICKUP_TEST_REDIS_PORT"].flatMap { Int($0) }
        config.password = .environment("QUICKUP_TEST_REDIS_PASSWORD")
        config.database = String(index)
        config.connectTimeout = .seconds(5)
        config.readTimeout = .seconds(30)
        return config
    }

    static func password(_ variable: String) -> String { environment[variable] ?? "" }

    private static func missing(_ variables: [String]) -> [String] {
        variables.filter { (environment[$0] ?? "").isEmpty }
    }
}

/// A retry policy that records the waits instead of sleeping, so connect-failure tests take no time.
final class RecordedSleeps: Sendable {
    private let delays = Mutex<[Duration]>([])
    var recorded: [Duration] { delays.withLock { $0 } }

    func policy(tries: Int = 3) -> ConnectRetryPolicy {
        var policy = ConnectRetryPolicy.standard
        policy.tries = tries
        policy.sleep = { [self] delay in delays.withLock { $0.append(delay) } }
        return policy
    }
}

/// A unique name for this run's databases and keys: suites share the servers.
func chredisUniqueName(_ prefix: String) -> String {
    prefix + "_" + UUID().uuidString.prefix(8).lowercased()
}
