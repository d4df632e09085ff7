import QuickupCore
import QuickupData

/// The database half of E6's lock: `GET_LOCK` on every MariaDB/MySQL datasource the plan uses,
/// held on a connection of its own for the whole run. The server drops it when that connection
/// dies, so a killed quickup never leaves it behind; a second quickup on another machine sharing
/// the databases is refused even though it cannot see this machine's journal.
actor DatabaseLocks {
    private var held: [any DatasourceConnection] = []

    static func name(site: String) -> String { "quickup.upgrade.\(site)" }

    func acquire(plan: Plan, environment: Environment,
                 connect: @Sendable (DatasourceConfig) async throws(QuickupError) -> any DatasourceConnection) async throws(QuickupError) {
        let used = Set(plan.tasks.compactMap(\.datasource))
        let configs = environment.datasources.filter { used.contains($0.name) && ($0.type == .mariadb || $0.type == .mysql) }
        // One lock per server: datasources on the same host:port share it.
        var servers: Set<String> = []
        let lockName = Self.name(site: environment.site)
        for config in configs where servers.insert("\(config.host ?? config.path ?? ""):\(config.port ?? 3306)").inserted {
            let connection = try await connect(config)
            let got = try await connection.scalar("SELECT GET_LOCK('\(lockName)', 0)")
            guard got == "1" else {
                let holder = try? await connection.scalar("SELECT IS_USED_LOCK('\(lockName)')")
                await connection.close()
                throw QuickupError(.locked, "another quickup run holds the database lock '\(lockName)' on \(config.displayName) (connection id \(holder.flatMap { $0 } ?? "?"))",
                                   hint: "wait for that run to finish; `SELECT * FROM information_schema.PROCESSLIST WHERE ID = <id>` shows where it runs")
            }
            held.append(connection)
        }
    }

    func release() async {
        for connection in held { await connection.close() }  // closing releases GET_LOCK
        held = []
    }
}
