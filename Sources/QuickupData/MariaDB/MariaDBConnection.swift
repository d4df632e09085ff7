import CMariaDB
import QuickupCore
import Synchronization

/// A connection to MariaDB or MySQL through MariaDB Connector/C (SPEC D1).
///
/// Every call on the underlying MYSQL* runs on a serial queue of this connection's own
/// (MariaDBSession), so callers never block Swift's cooperative pool and concurrent callers are
/// served one after the other. All stored properties are immutable and Sendable.
///
/// Each statement of a script is sent as itself (several share a packet only when their results
/// can be told apart, MariaDBPacket), so each failure names its own `file:line`. Cancelling the calling task kills the running statement on the server from a
/// side connection (MariaDBMonitor), which also reads progress.
public final class MariaDBConnection: DatasourceConnection, CustomStringConvertible {
    public let config: DatasourceConfig
    let session: MariaDBSession
    let monitor: MariaDBMonitor
    let gate = MariaDBStatementGate()
    /// An attempt's first packet sent ahead and not read yet (MariaDBChain); touched on the queue.
    let ahead = Mutex<SentAhead?>(nil)

    private init(config: DatasourceConfig, session: MariaDBSession) {
        self.config = config
        self.session = session
        self.monitor = MariaDBMonitor(main: session.endpoint, label: config.name)
    }

    /// Connects within env.yaml's `connect_timeout` (default 10 s) per try, with `policy`'s tries
    /// (D3: 3, waiting 0.5 s then 1 s) for failures another try may fix — refused, unreachable,
    /// too many connections; a refused login or an unknown database fails at once.
    public static func connect(_ config: DatasourceConfig, secrets: SecretResolver,
                               policy: ConnectRetryPolicy = .standard) async throws(QuickupError) -> MariaDBConnection {
        guard config.type == .mariadb || config.type == .mysql else {
            throw QuickupError(.invalidArgument, "datasource '\(config.name)' is \(config.type.rawValue), not MariaDB/MySQL",
                               at: config.location)
        }
        let password = try secrets.secret(for: config.password, of: config.name).map(RedactedSecret.init)
        let endpoint = MariaDBEndpoint(config: config, password: password)
        let session = try await policy.run { (_: Int) async throws(QuickupError) -> MariaDBSession in
            try await MariaDBSession.open(endpoint, label: config.name)
        }
        return MariaDBConnection(config: config, session: session)
    }

    /// The server's id of this connection (`CONNECTION_ID()`), as PROCESSLIST and KILL know it.
    public var threadID: UInt { session.threadID }

    /// `MariaDB user@host:port/db (connection 42)`: never the password (D4).
    public var description: String { "MariaDB \(config.displayName) (connection \(threadID))" }

    public var supportsTransactions: Bool { true }

    public func serverVersion() async throws(QuickupError) -> String {
        guard let version = try await query("SELECT VERSION()").first?.first ?? nil else {
            throw QuickupError(.datasourceProtocol, "MariaDB datasource '\(config.name)' returned no version")
        }
        return version
    }

    @discardableResult
    public func execute(_ statement: SQLStatement) async throws(QuickupError) -> ExecutionResult {
        let outcome = try await run(statement.text, location: statement.location, keepRows: false)
        return ExecutionResult(affectedRows: outcome.affected)
    }

    /// The statements in order, stopping at the first failure, all in one trip to the
    /// connection's queue: a script of small statements then costs what the `mariadb` client
    /// costs, instead of two thread hand-overs per statement. Cancellation is checked between
    /// statements and kills the one running.
    public func run(_ statements: [SQLStatement]) async throws(QuickupError) {
        _ = try await run(statements.map { MariaDBWork(sql: $0.text, location: $0.location) }, keepRows: false)
    }

    public func query(_ sql: String) async throws(QuickupError) -> [[String?]] {
        try await run(sql, location: nil, keepRows: true).rows
    }

    public func begin() async throws(QuickupError) { _ = try await run("START TRANSACTION", location: nil, keepRows: false) }
    public func commit() async throws(QuickupError) { _ = try await run("COMMIT", location: nil, keepRows: false) }
    public func rollback() async throws(QuickupError) { _ = try await run("ROLLBACK", location: nil, keepRows: false) }

    /// Data + index bytes from information_schema.TABLES (InnoDB's figures are estimates, refreshed
    /// by its statistics or ANALYZE TABLE). A name is looked up in the connection's database, or
    /// in the one it names (`schema.table`).
    public func tableSizes(_ tables: [String]) async throws(QuickupError) -> [String: Int64] {
        guard !tables.isEmpty else { return [:] }
        let names = tables.map(Self.splitName)
        let schemas = ["DATABASE()"] + Set(names.compactMap(\.schema)).sorted().map(MariaDBClient.literal)
        let rows = try await query("""
            SELECT DATABASE(), TABLE_SCHEMA, TABLE_NAME, DATA_LENGTH + INDEX_LENGTH FROM information_schema.TABLES \
            WHERE TABLE_SCHEMA IN (\(schemas.joined(separator: ", "))) \
            AND TABLE_NAME IN (\(Set(names.map(\.table)).sorted().map(MariaDBClient.literal).joined(separator: ", ")))
            """)
        // (schema, table) → bytes; a name without a schema is in the connection's database (row[0]).
        var found: [String: Int64] = [:]
        var current: String?
        for row in rows where row.count == 4 {
            guard let schema = row[1], let table = row[2] else { continue }
            current = current ?? row[0]
            found[schema + "\u{0}" + table] = row[3].flatMap { Int64($0) } ?? 0
        }
        var sizes: [String: Int64] = [:]
        for (name, (schema, table)) in zip(tables, names) {
            guard let schema = schema ?? current, let bytes = found[schema + "\u{0}" + table] else { continue }
            sizes[name] = bytes
        }
        return sizes
    }

    private static func splitName(_ name: String) -> (schema: String?, table: String) {
        guard let dot = name.firstIndex(of: ".") else { return (nil, name) }
        return (String(name[..<dot]), String(name[name.index(after: dot)...]))
    }

    /// Progress of the running statement where MariaDB reports it (ALTER TABLE, LOAD DATA …),
    /// read by the side connection; nil when idle or not reported.
    public func progress() async -> Double? {
        guard gate.isBusy else { return nil }
        return await monitor.progress(of: threadID)
    }

    public func close() async {
        await session.close()
        await monitor.close()
    }
}
