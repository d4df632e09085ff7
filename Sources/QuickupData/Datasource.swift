import QuickupCore

/// One open connection to a datasource (SPEC D1). Implementations: MariaDB/MySQL (Connector/C),
/// ClickHouse (HTTP), Redis (hiredis), SQLite (GRDB). Blocking client libraries run on a thread
/// of their own so callers never block Swift's cooperative pool.
public protocol DatasourceConnection: Sendable {
    var config: DatasourceConfig { get }

    /// The server's version text, e.g. `10.11.6-MariaDB` or `18.16.1`.
    func serverVersion() async throws(QuickupError) -> String

    /// Runs one statement; failures name the statement's file:line, the server's code and message.
    /// Cancelling the calling task cancels the statement on the server (KILL QUERY and the like).
    @discardableResult
    func execute(_ statement: SQLStatement) async throws(QuickupError) -> ExecutionResult

    /// Runs statements in order, stopping at the first failure (which names its file:line).
    /// Drivers may send them in one go (MariaDB: one trip to its connection's thread for the
    /// whole script); the default calls `execute` for each.
    func run(_ statements: [SQLStatement]) async throws(QuickupError)

    /// Rows of a query, each column as text (NULL → nil).
    func query(_ sql: String) async throws(QuickupError) -> [[String?]]

    /// Transactions where the engine has them; `supportsTransactions` says whether it does.
    var supportsTransactions: Bool { get }
    func begin() async throws(QuickupError)
    func commit() async throws(QuickupError)
    func rollback() async throws(QuickupError)

    /// Bytes used by each named table (data + indexes); absent tables are left out.
    func tableSizes(_ tables: [String]) async throws(QuickupError) -> [String: Int64]

    /// Progress (0…1) of the statement running on this connection, where the server reports it.
    func progress() async -> Double?

    func close() async
}

extension DatasourceConnection {
    /// The first column of the first row.
    public func scalar(_ sql: String) async throws(QuickupError) -> String? {
        try await query(sql).first?.first ?? nil
    }

    /// Runs statements in order, stopping at the first failure.
    public func run(_ statements: [SQLStatement]) async throws(QuickupError) {
        for statement in statements { try await execute(statement) }
    }
}

public struct ExecutionResult: Sendable, Hashable {
    public var affectedRows: Int64
    public init(affectedRows: Int64) { self.affectedRows = affectedRows }
}
