import Foundation
import GRDB
import QuickupCore

/// A SQLite datasource (SPEC D1): the file at env.yaml's `path`, through GRDB.
///
/// GRDB's `DatabaseQueue` runs every access on its own serial queue, so SQLite's blocking calls
/// never occupy Swift's cooperative threads, and cancelling the calling task interrupts the
/// running statement (`sqlite3_interrupt`). Transactions are real: `begin()` opens one that spans
/// the following `execute` calls until `commit()` or `rollback()`.
public final class SQLiteConnection: DatasourceConnection, Sendable {
    public let config: DatasourceConfig
    let queue: DatabaseQueue
    let path: String

    private init(config: DatasourceConfig, queue: DatabaseQueue, path: String) {
        self.config = config
        self.queue = queue
        self.path = path
    }

    /// Opens the file. A missing file is an error unless `createIfMissing`: a wrong path would
    /// otherwise give a new, empty database on which every script "succeeds".
    public static func open(_ config: DatasourceConfig, createIfMissing: Bool = false) async throws(QuickupError) -> SQLiteConnection {
        guard let path = config.path, !path.isEmpty else {
            throw QuickupError(.invalidArgument, "SQLite datasource '\(config.name)' has no path", at: config.location,
                               hint: "give the database file as path: in env.yaml")
        }
        if path != ":memory:", !createIfMissing, !FileManager.default.fileExists(atPath: path) {
            throw QuickupError(.fileNotFound, "SQLite datasource '\(config.name)': no database file at \(path)", at: config.location,
                               hint: "check path: in env.yaml (relative paths are relative to the env.yaml's folder)")
        }
        var configuration = Configuration()
        // begin() and commit() are separate calls, so a transaction must outlive one access.
        configuration.allowsUnsafeTransactions = true
        // Another process (an application still running in pre_stop) may hold the write lock:
        // wait for it as long as for a server to accept a connection.
        configuration.busyMode = .timeout(config.connectTimeoutOrDefault.seconds)
        configuration.label = "quickup.sqlite.\(config.name)"
        do {
            let queue = path == ":memory:" ? try DatabaseQueue(configuration: configuration)
                                           : try DatabaseQueue(path: path, configuration: configuration)
            return SQLiteConnection(config: config, queue: queue, path: path)
        } catch {
            throw QuickupError(.io, "cannot open SQLite database \(path) of datasource '\(config.name)': \(Self.describe(error))",
                               at: config.location, hint: "check the file's permissions and that it is a SQLite database")
        }
    }

    public func serverVersion() async throws(QuickupError) -> String {
        try await scalar("SELECT sqlite_version()") ?? ""
    }

    @discardableResult
    public func execute(_ statement: SQLStatement) async throws(QuickupError) -> ExecutionResult {
        let changes = try await access(statement.text, at: statement.location) { db in
            try db.execute(sql: statement.text)
            return db.changesCount
        }
        return ExecutionResult(affectedRows: Int64(changes))
    }

    public func query(_ sql: String) async throws(QuickupError) -> [[String?]] {
        try await access(sql, at: nil) { db in
            try Row.fetchAll(db, sql: sql).map { row in row.databaseValues.map(Self.text) }
        }
    }

    public var supportsTransactions: Bool { true }

    /// `BEGIN IMMEDIATE`: takes the write lock now, so a busy database fails here rather than
    /// halfway through the task.
    public func begin() async throws(QuickupError) {
        try await access("BEGIN IMMEDIATE", at: nil) { db in try db.execute(sql: "BEGIN IMMEDIATE") }
    }

    public func commit() async throws(QuickupError) {
        try await access("COMMIT", at: nil) { db in try db.execute(sql: "COMMIT") }
    }

    /// Rolls back if a transaction is open; SQLite ends some failed transactions by itself, and a
    /// rollback after that must not turn a clear error into a confusing second one.
    public func rollback() async throws(QuickupError) {
        try await access("ROLLBACK", at: nil) { db in
            if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") }
        }
    }

    public func tableSizes(_ tables: [String]) async throws(QuickupError) -> [String: Int64] {
        try await SQLiteTableSizes.measure(tables, on: self)
    }

    /// SQLite reports no progress for a statement.
    public func progress() async -> Double? { nil }

    public func close() async {
        try? queue.close()
    }

    /// Runs `body` on the database's queue, mapping SQLite errors to ones naming the statement.
    func access<T: Sendable>(_ sql: String, at location: SourceLocation?,
                             _ body: @escaping @Sendable (Database) throws -> T) async throws(QuickupError) -> T {
        do {
            return try await queue.writeWithoutTransaction(body)
        } catch is CancellationError {
            throw QuickupError(.statementCancelled, "cancelled — statement: \(StatementPreview.of(sql))", at: location)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
            throw QuickupError(.statementCancelled, "interrupted — statement: \(StatementPreview.of(sql))", at: location)
        } catch let error as DatabaseError {
            let busy = error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
            throw QuickupError(busy ? .datasourceTimeout : .statementFailed,
                               "SQLite error \(error.resultCode.rawValue): \(error.message ?? "\(error)") — statement: \(StatementPreview.of(sql)) (in \(path))",
                               at: location,
                               hint: busy ? "another process holds the database lock; stop it or raise connect_timeout in env.yaml" : nil)
        } catch {
            throw QuickupError(.io, "SQLite \(path): \(Self.describe(error)) — statement: \(StatementPreview.of(sql))", at: location)
        }
    }

    /// A column as text: numbers in SQLite's own notation, blobs as text when they are UTF-8,
    /// otherwise as a `x'…'` hex literal.
    static func text(_ value: DatabaseValue) -> String? {
        switch value.storage {
        case .null: return nil
        case .int64(let number): return String(number)
        case .double(let number): return String(number)
        case .string(let string): return string
        case .blob(let data):
            if let string = String(data: data, encoding: .utf8) { return string }
            return "x'" + data.map { String(format: "%02x", $0) }.joined() + "'"
        }
    }

    private static func describe(_ error: any Error) -> String {
        (error as? DatabaseError)?.message ?? "\(error)"
    }
}
