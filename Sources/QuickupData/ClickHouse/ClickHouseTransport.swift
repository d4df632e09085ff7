import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import QuickupCore

/// What a ClickHouse HTTP request returned: the body (or its end) and the server's exception, if
/// it reported one — before the data (non-200) or inside a 200 body (after streaming started).
struct ClickHouseReply: Sendable {
    var status: Int
    var body: [UInt8]
    var exception: ClickHouseException?
    /// `written_rows` of `X-ClickHouse-Summary` (servers since 19.x send it); nil when absent.
    var writtenRows: Int64? = nil
}

/// The HTTP interface of one ClickHouse server, as one user (SPEC D1, D3, D4).
///
/// Each statement is a POST with the SQL as its body, so statements of any size and with any
/// characters travel unchanged. The user and password go in `X-ClickHouse-User`/`X-ClickHouse-Key`
/// headers, never in the URL, where proxies and the server's own logs would keep them. All
/// requests of a connection share one `HTTPClient`, which `close()` shuts down.
struct ClickHouseTransport: Sendable {
    let client: HTTPClient
    let baseURL: String
    let user: String
    let password: String?
    let database: String?
    /// Names this connection's server-side session, so `SET` in one statement of a script holds for
    /// the next ones, as it would in clickhouse-client.
    let sessionID: String
    let readTimeout: TimeSpan
    /// `host:port as user 'u'` for messages; never the password.
    let target: String

    init(config: DatasourceConfig, password: String?) {
        let host = config.host ?? "127.0.0.1"
        let port = config.port ?? 8123
        let hostInURL = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .milliseconds(config.connectTimeoutOrDefault.milliseconds),
                                      read: .milliseconds(config.readTimeoutOrDefault.milliseconds))
        // quickup's ConnectRetryPolicy owns retrying (3 tries, D3); the client's own endless
        // backoff would stretch each try to the whole connect timeout and hide the cause.
        configuration.connectionPool.retryConnectionEstablishment = false
        // ClickHouse closes idle keep-alive connections after 3 s (keep_alive_timeout); dropping
        // ours first means a statement is never sent on a connection the server is closing.
        configuration.connectionPool.idleTimeout = .seconds(2)
        configuration.redirectConfiguration = .disallow
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.baseURL = "http://\(hostInURL):\(port)/"
        self.user = config.user ?? "default"
        self.password = password
        self.database = config.database
        self.sessionID = "quickup-" + UUID().uuidString.lowercased()
        self.readTimeout = config.readTimeoutOrDefault
        self.target = "\(host):\(port) as user '\(config.user ?? "default")'"
    }

    /// Sends `sql`; on task cancellation or read timeout the query is killed on the server, since
    /// ClickHouse (18.x at least) keeps running a query whose HTTP client went away.
    func post(_ sql: String, queryID: String, settings: [String: String], keep: BodyBuffer.Keep,
              inSession: Bool = true) async throws(QuickupError) -> ClickHouseReply {
        var parameters = ["query_id": queryID, "wait_end_of_query": "1", "default_format": "TabSeparated"]
        if let database { parameters["database"] = database }
        if inSession { parameters["session_id"] = sessionID }
        parameters.merge(settings) { _, new in new }
        var request = HTTPClientRequest(url: url(parameters))
        request.method = .POST
        request.headers = headers
        request.body = .bytes(ByteBuffer(string: sql))

        var buffer = BodyBuffer(keep)
        var head: (status: Int, tag: String?, code: String?, summary: String?)?
        do {
            let response = try await client.execute(request, deadline: .distantFuture)
            head = (Int(response.status.code), response.headers.first(name: "X-ClickHouse-Exception-Tag"),
                    response.headers.first(name: "X-ClickHouse-Exception-Code"), response.headers.first(name: "X-ClickHouse-Summary"))
            for try await chunk in response.body {
                guard buffer.append(chunk) else {
                    _ = await kill(queryID)
                    throw QuickupError(.datasourceProtocol, "the result from ClickHouse at \(target) is larger than \(buffer.limitText)",
                                       hint: "add a LIMIT or aggregate in the query; quickup keeps query results in memory")
                }
            }
        } catch let error as QuickupError {
            throw error
        } catch {
            if Task.isCancelled || error is CancellationError || (error as? HTTPClientError) == .cancelled {
                let status = await kill(queryID)
                throw QuickupError(.statementCancelled, "cancelled; KILL QUERY sent to ClickHouse at \(target) (\(status))")
            }
            if (error as? HTTPClientError) == .readTimeout {
                let status = await kill(queryID)
                throw QuickupError(.datasourceTimeout,
                                   "ClickHouse at \(target) sent nothing for \(readTimeout); the query was killed (\(status))",
                                   hint: "raise read_timeout of the datasource in env.yaml if statements run longer silently")
            }
            guard let head else {
                if let reason = HTTPConnectFailure.describe(error) {
                    throw QuickupError(.datasourceUnreachable, "cannot reach ClickHouse at \(target): \(reason)",
                                       hint: "check that clickhouse-server runs and listens for HTTP on that address (port 8123 by default) and the host/port in env.yaml")
                }
                throw QuickupError(.io, "the request to ClickHouse at \(target) failed: \(error)")
            }
            // Since 24.11 a server that fails after streaming started breaks the chunked encoding on
            // purpose, after writing the exception: the text we have is the explanation.
            if let exception = ClickHouseException.inBody(buffer.bytes, exceptionTag: head.tag) {
                return ClickHouseReply(status: head.status, body: buffer.bytes, exception: exception)
            }
            throw QuickupError(.io, "the response from ClickHouse at \(target) broke off: \(error)",
                               hint: "the statement may have run in part; query_id '\(queryID)' in system.query_log says")
        }
        guard let head else { throw QuickupError(.io, "ClickHouse at \(target) sent no response") }
        if head.status != 200 {
            let text = String(decoding: buffer.bytes, as: UTF8.self)
            let exception = text.isEmpty
                ? ClickHouseException(code: head.code.flatMap { Int($0) }, name: nil, message: "HTTP status \(head.status)")
                : ClickHouseException.parse(text, headerCode: head.code)
            return ClickHouseReply(status: head.status, body: buffer.bytes, exception: exception)
        }
        return ClickHouseReply(status: 200, body: buffer.bytes,
                               exception: ClickHouseException.inBody(buffer.tail(65_536), exceptionTag: head.tag),
                               writtenRows: head.summary.flatMap(Self.writtenRows))
    }

    /// `KILL QUERY … SYNC` on a request of its own. It goes through the future-based API on purpose:
    /// the calling task is usually cancelled already, and the async API would cancel this request too.
    func kill(_ queryID: String) async -> String {
        var parameters = ["query_id": "quickup-kill-" + UUID().uuidString.lowercased()]
        if let database { parameters["database"] = database }
        do {
            var headers = self.headers
            headers.add(name: "Content-Type", value: "text/plain; charset=UTF-8")
            let request = try HTTPClient.Request(url: url(parameters), method: .POST, headers: headers,
                                                 body: .string("KILL QUERY WHERE query_id = \(ClickHouseSQL.quote(queryID)) SYNC"))
            let response = try await client.execute(request: request, deadline: .now() + .seconds(15)).get()
            let body = response.body.map { String(buffer: $0) } ?? ""
            guard response.status == .ok else { return "KILL QUERY failed: \(ClickHouseException.parse(body).summary)" }
            return body.isEmpty ? "it had already ended" : "killed"
        } catch {
            return "KILL QUERY failed: \(error)"
        }
    }

    /// `{"read_rows":"0",…,"written_rows":"10000",…}`: numbers are quoted strings in this header.
    static func writtenRows(fromSummary summary: String) -> Int64? {
        struct Summary: Decodable { var written_rows: String? }
        let decoded = try? JSONDecoder().decode(Summary.self, from: Data(summary.utf8))
        return decoded?.written_rows.flatMap { Int64($0) }
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    private var headers: HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "X-ClickHouse-User", value: user)
        if let password { headers.add(name: "X-ClickHouse-Key", value: password) }
        return headers
    }

    private func url(_ parameters: [String: String]) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let query = parameters.sorted { $0.key < $1.key }.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }
        return baseURL + "?" + query.joined(separator: "&")
    }
}

/// Collects a response body as it streams in: all of it up to a limit (query results), or only its
/// last bytes (statements, whose output is discarded but whose end may hold an exception).
struct BodyBuffer: Sendable {
    enum Keep: Sendable {
        case all(limit: Int)
        case tail(Int)
    }

    let keep: Keep
    private(set) var bytes: [UInt8] = []

    init(_ keep: Keep) { self.keep = keep }

    /// Adds a chunk; false when `.all` would pass its limit.
    mutating func append(_ chunk: ByteBuffer) -> Bool {
        bytes.append(contentsOf: chunk.readableBytesView)
        switch keep {
        case .all(let limit):
            return bytes.count <= limit
        case .tail(let size):
            // Trim only when twice the size is held, so trimming costs O(1) per byte on average.
            if bytes.count > 2 * size { bytes.removeFirst(bytes.count - size) }
            return true
        }
    }

    func tail(_ size: Int) -> [UInt8] { bytes.count <= size ? bytes : Array(bytes.suffix(size)) }

    var limitText: String {
        switch keep {
        case .all(let limit): return "\(limit / 1_048_576) MiB"
        case .tail(let size): return "\(size) bytes"
        }
    }
}

/// Tells a failure to reach the server (worth another try, SPEC D3) from a failure during a request
/// (never retried: the statement may have run).
enum HTTPConnectFailure {
    /// A short reason ("Connection refused", "connect timeout") when `error` means the server could
    /// not be reached at all; nil otherwise.
    static func describe(_ error: any Error) -> String? {
        if let error = error as? HTTPClientError, error == .connectTimeout { return "connect timeout" }
        if let error = error as? ChannelError, case .connectTimeout(let amount) = error {
            return "connect timeout after \(amount.nanoseconds / 1_000_000) ms"
        }
        if let error = error as? NIOConnectionError {
            if let failure = error.connectionErrors.first { return describe(failure.error) ?? "\(failure.error)" }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "the host name '\(error.host)' does not resolve" }
            return "no address to connect to for '\(error.host)'"
        }
        if let error = error as? IOError, [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL, ETIMEDOUT].contains(error.errnoCode) {
            return String(cString: strerror(error.errnoCode))
        }
        if error is SocketAddressError { return "the host name does not resolve (\(error))" }
        return nil
    }
}
