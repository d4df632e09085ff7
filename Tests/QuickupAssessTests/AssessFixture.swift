import Foundation
import QuickupCore
import QuickupData
import QuickupTestSupport
import Synchronization

/// A release written into a fresh temporary directory from path → content pairs.
struct AssessFixture {
    let tree: TemporaryTree

    init(_ files: [String: String]) throws { tree = try TemporaryTree("qu-assess", files: files) }

    func write(_ path: String, _ content: String) throws { try tree.write(path, content) }
    var root: URL { tree.root }
    var path: String { tree.path }
    var release: String { root.appendingPathComponent("release").path }
    var state: String { root.appendingPathComponent("state").path }

    func remove() { tree.remove() }
}

/// The ClickHouse test server of scripts/services.sh, from the QUICKUP_TEST_CLICKHOUSE_* variables.
enum AssessServers {
    /// Run when both servers are configured, or under CI (where a missing server then fails the test).
    static var enabled: Bool { TestServers.mariaDBEnabled && TestServers.clickHouseEnabled }

    static func clickHouse(name: String, database: String) throws -> DatasourceConfig {
        var config = try TestServers.clickHouse(database: database)
        config.name = name
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
