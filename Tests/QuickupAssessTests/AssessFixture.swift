import Foundation
import QuickupCore
import QuickupData
import QuickupTestSupport
import Synchronization

/// A release written into a fresh temporary directory from path → content pairs.
struct AssessFixture {
    let root: URL

    init(_ files: [String: String]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("qu-assess-\(UUID().uuidString)")
        for (path, content) in files { try write(path, content) }
    }

    func write(_ path: String, _ content: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
    }

    var path: String { root.path }
    var release: String { root.appendingPathComponent("release").path }
    var state: String { root.appendingPathComponent("state").path }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

/// The ClickHouse test server of scripts/services.sh, from the QUICKUP_TEST_CLICKHOUSE_* variables.
enum AssessServers {
    static let environment = ProcessInfo.processInfo.environment
    static let clickHouseVariables = ["QUICKUP_TEST_CLICKHOUSE_HOST", "QUICKUP_TEST_CLICKHOUSE_HTTP_PORT",
                                      "QUICKUP_TEST_CLICKHOUSE_USER", "QUICKUP_TEST_CLICKHOUSE_PASSWORD"]
    /// Run when both servers are configured, or under CI (where a missing server then fails the test).
    static var enabled: Bool { TestServers.isCI || (TestServers.mariaDB != nil && clickHouseVariables.allSatisfy { environment[$0] != nil }) }

    static func clickHouse(name: String, database: String) throws -> DatasourceConfig {
        let missing = clickHouseVariables.filter { environment[$0] == nil }
        guard missing.isEmpty else {
            throw TestServers.Missing(description: "ClickHouse test server not configured (\(missing.joined(separator: ", ")) unset): "
                                      + "run `eval \"$(bash scripts/services.sh env)\"` first")
        }
        var config = DatasourceConfig(name: name, type: .clickhouse, location: SourceLocation(file: "env.yaml", line: 1))
        config.host = environment["QUICKUP_TEST_CLICKHOUSE_HOST"]
        config.port = environment["QUICKUP_TEST_CLICKHOUSE_HTTP_PORT"].flatMap { Int($0) }
        config.user = environment["QUICKUP_TEST_CLICKHOUSE_USER"]
        config.password = .environment("QUICKUP_TEST_CLICKHOUSE_PASSWORD")
        config.database = database
        config.connectTimeout = .seconds(5)
        return config
    }
}

/// Counts connection attempts and retry waits without sleeping.
final class ConnectRecorder: Sendable {
    private let state = Mutex<(connects: [String], sleeps: Int)>(([], 0))
    var connects: [String] { state.withLock { $0.connects } }
    var sleeps: Int { state.withLock { $0.sleeps } }

    /// `Datasources.connect`, except that MariaDB retries (3 tries, D3) record their waits instead of sleeping.
    var connector: @Sendable (DatasourceConfig) async throws(QuickupError) -> any DatasourceConnection {
        { [self] (config: DatasourceConfig) async throws(QuickupError) -> any DatasourceConnection in
            state.withLock { $0.connects.append(config.name) }
            guard config.type == .mariadb else { return try await Datasources.connect(config, secrets: SecretResolver()) }
            var policy = ConnectRetryPolicy.standard
            policy.sleep = { [self] _ in state.withLock { $0.sleeps += 1 } }
            return try await MariaDBConnection.connect(config, secrets: SecretResolver(), policy: policy)
        }
    }
}
