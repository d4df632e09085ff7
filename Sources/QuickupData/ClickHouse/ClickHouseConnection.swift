import Foundation
import QuickupCore
import Synchronization

/// A ClickHouse datasource over the HTTP interface (SPEC D1), which every server version has and
/// which needs no client library.
///
/// - Every request carries a fresh `query_id`, so `progress()` can find it in `system.processes`
///   and cancellation can `KILL QUERY` exactly it.
/// - `wait_end_of_query=1` makes the server finish before answering, so most errors arrive as a
///   non-200 status; those that still come inside a 200 body are detected (`ClickHouseException.inBody`).
/// - ClickHouse has no transactions: `supportsTransactions` is false and `begin`/`commit`/`rollback`
///   throw `datasourceUnsupported`, so a task wrongly marked transactional fails before it runs
///   instead of pretending it can be rolled back.
public final class ClickHouseConnection: DatasourceConnection, Sendable {
    public let config: DatasourceConfig
    let transport: ClickHouseTransport
    private let state = Mutex(State())

    private struct State {
        var runningQueryID: String?
        var lastRowVersion: UInt64 = 0
        var closed = false
    }

    /// Result bodies bigger than this are refused: `query` is for answers, not for bulk data.
    static let resultLimit = 256 * 1_048_576

    init(config: DatasourceConfig, password: String?) {
        self.config = config
        self.transport = ClickHouseTransport(config: config, password: password)
    }

    /// A connection dropped without `close()` still releases its HTTP client, in the background,
    /// instead of leaking it (or tripping the client's debug check).
    deinit {
        if !state.withLock({ $0.closed }) { transport.client.shutdown().whenComplete { _ in } }
    }

    /// Connects (checks the server answers and accepts the user) with `policy`'s tries (D3).
    public static func connect(_ config: DatasourceConfig, secrets: SecretResolver,
                               policy: ConnectRetryPolicy = .standard) async throws(QuickupError) -> ClickHouseConnection {
        let password = try secrets.secret(for: config.password, of: config.name)
        let connection = ClickHouseConnection(config: config, password: password)
        do throws(QuickupError) {
            _ = try await policy.run { _ async throws(QuickupError) in try await connection.serverVersion() }
        } catch {
            await connection.close()
            throw error.named(config)
        }
        return connection
    }

    public func serverVersion() async throws(QuickupError) -> String {
        try await scalar("SELECT version()") ?? ""
    }

    @discardableResult
    public func execute(_ statement: SQLStatement) async throws(QuickupError) -> ExecutionResult {
        // Progress headers every half read timeout keep a long, silent statement (ALTER, INSERT …
        // SELECT) from looking dead on servers that send them (18.x does not). They are spaced out
        // because the HTTP client caps all headers of a response at 80 KiB.
        let interval = max(1_000, transport.readTimeout.milliseconds / 2)
        let settings = ["send_progress_in_http_headers": "1", "http_headers_progress_interval_ms": "\(interval)"]
        let reply = try await send(statement.text, settings: settings, keep: .tail(65_536), location: statement.location)
        // Rows written by INSERT, where the server reports them (not 18.x); other statements have none.
        return ExecutionResult(affectedRows: reply.writtenRows ?? 0)
    }

    public func query(_ sql: String) async throws(QuickupError) -> [[String?]] {
        try await query(sql, settings: [:])
    }

    /// `query` with extra settings sent as URL parameters (e.g. `max_block_size`).
    public func query(_ sql: String, settings: [String: String]) async throws(QuickupError) -> [[String?]] {
        let reply = try await send(sql, settings: settings, keep: .all(limit: Self.resultLimit), location: nil)
        return TabSeparated.parse(reply.body)
    }

    public var supportsTransactions: Bool { false }

    public func begin() async throws(QuickupError) { throw noTransactions("begin") }
    public func commit() async throws(QuickupError) { throw noTransactions("commit") }
    public func rollback() async throws(QuickupError) { throw noTransactions("roll back") }

    /// Bytes on disk of the active parts of each table, in the datasource's database.
    public func tableSizes(_ tables: [String]) async throws(QuickupError) -> [String: Int64] {
        guard !tables.isEmpty else { return [:] }
        let database = config.database.map(ClickHouseSQL.quote) ?? "currentDatabase()"
        let names = tables.map(ClickHouseSQL.quote).joined(separator: ", ")
        let rows = try await query("""
            SELECT table, toString(sum(bytes_on_disk)) FROM system.parts
            WHERE active AND database = \(database) AND table IN (\(names)) GROUP BY table
            """)
        var sizes: [String: Int64] = [:]
        for row in rows where row.count == 2 {
            if let table = row[0], let bytes = row[1].flatMap({ Int64($0) }) { sizes[table] = bytes }
        }
        return sizes
    }

    /// read_rows / total_rows_approx of the running statement in `system.processes`; nil when nothing
    /// runs or the server cannot estimate the total (e.g. DDL).
    public func progress() async -> Double? {
        guard let queryID = runningQueryID else { return nil }
        let rows = try? await send("SELECT read_rows, total_rows_approx FROM system.processes WHERE query_id = \(ClickHouseSQL.quote(queryID))",
                                   settings: [:], keep: .all(limit: 65_536), location: nil, tracked: false, inSession: false)
        guard let row = rows.map({ TabSeparated.parse($0.body) })?.first, row.count == 2,
              let read = row[0].flatMap({ Double($0) }), let total = row[1].flatMap({ Double($0) }), total > 0
        else { return nil }
        return min(1, max(0, read / total))
    }

    public func close() async {
        let first = state.withLock { state in
            defer { state.closed = true }
            return !state.closed
        }
        if first { await transport.shutdown() }
    }

    /// The query_id of the statement running now, if any (for progress and tests).
    var runningQueryID: String? { state.withLock { $0.runningQueryID } }

    /// A version for the next upgrade_log row that is larger than every earlier one of this process,
    /// even when two records fall in the same microsecond.
    func nextRowVersion() -> UInt64 {
        let now = UInt64(max(0, Date().timeIntervalSince1970 * 1_000_000))
        return state.withLock { state in
            state.lastRowVersion = max(now, state.lastRowVersion + 1)
            return state.lastRowVersion
        }
    }

    /// Sends one statement and turns a server exception into an error naming the statement.
    func send(_ sql: String, settings: [String: String], keep: BodyBuffer.Keep, location: SourceLocation?,
              tracked: Bool = true, inSession: Bool = true) async throws(QuickupError) -> ClickHouseReply {
        guard !state.withLock({ $0.closed }) else {
            throw QuickupError(.invalidArgument, "the ClickHouse connection '\(config.name)' is closed", at: location)
        }
        let queryID = "quickup-" + UUID().uuidString.lowercased()
        if tracked { state.withLock { $0.runningQueryID = queryID } }
        defer { if tracked { state.withLock { $0.runningQueryID = nil } } }
        let reply: ClickHouseReply
        do throws(QuickupError) {
            reply = try await transport.post(sql, queryID: queryID, settings: settings, keep: keep, inSession: inSession)
        } catch {
            var located = error
            located.location = located.location ?? location
            if located.code != .datasourceUnreachable { located.message += " — statement: \(StatementPreview.of(sql))" }
            throw located
        }
        guard let exception = reply.exception else { return reply }
        if exception.isAuthentication {
            throw QuickupError(.datasourceAuthentication, "ClickHouse at \(transport.target) refused the login: \(exception.summary)",
                               at: location, hint: "check the user and password (password_env/password_file) of the datasource in env.yaml")
        }
        throw QuickupError(.statementFailed, "\(exception.summary) — statement: \(StatementPreview.of(sql)) (on \(transport.target))",
                           at: location, hint: exception.hint(queryID: queryID))
    }

    private func noTransactions(_ verb: String) -> QuickupError {
        QuickupError(.datasourceUnsupported, "cannot \(verb) a transaction on ClickHouse datasource '\(config.name)': ClickHouse has no transactions",
                     hint: "mark the task transactional=false; make its statements idempotent so a re-run is safe")
    }
}
