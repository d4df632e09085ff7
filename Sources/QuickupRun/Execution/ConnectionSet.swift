import QuickupCore
import QuickupData

/// Connections opened lazily during a run: one per (component, datasource), so components running
/// in parallel never share a connection (and so never share a transaction). Closed at the end.
actor ConnectionSet {
    private let environment: Environment
    private let connect: @Sendable (DatasourceConfig) async throws(QuickupError) -> any DatasourceConnection
    private var open: [String: any DatasourceConnection] = [:]
    private var logsReady: Set<String> = []

    init(environment: Environment, connect: @escaping @Sendable (DatasourceConfig) async throws(QuickupError) -> any DatasourceConnection) {
        self.environment = environment
        self.connect = connect
    }

    func connection(_ datasource: String, for component: String) async throws(QuickupError) -> any DatasourceConnection {
        let key = "\(component)\u{0}\(datasource)"
        if let existing = open[key] { return existing }
        guard let config = environment.datasource(named: datasource) else {
            throw QuickupError(.invalidArgument, "env.yaml has no datasource '\(datasource)' (needed by \(component))",
                               hint: "add it under datasources in env.yaml")
        }
        let connection = try await connect(config)
        open[key] = connection
        if let store = connection as? any UpgradeLogStore, !logsReady.contains(datasource) {
            try await store.ensureUpgradeLog()
            logsReady.insert(datasource)
        }
        return connection
    }

    func closeAll() async {
        for connection in open.values { await connection.close() }
        open = [:]
    }
}
