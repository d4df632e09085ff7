import CMariaDB
import QuickupCore

/// Where and how to log in: the datasource, its resolved password (redacted when shown) and the
/// timeouts in force.
struct MariaDBEndpoint: Sendable {
    var config: DatasourceConfig
    var password: RedactedSecret?
    /// Bound on reaching the server and logging in, per try (env.yaml `connect_timeout`).
    var connectTimeout: TimeSpan
    /// Bound on waiting for one reply, and on sending one request (env.yaml `read_timeout`):
    /// catches dead links and hung servers; a task's own timeout (E7) limits its statements.
    var readTimeout: TimeSpan

    init(config: DatasourceConfig, password: RedactedSecret?) {
        self.config = config
        self.password = password
        self.connectTimeout = config.connectTimeoutOrDefault
        self.readTimeout = config.readTimeoutOrDefault
    }

    /// `127.0.0.1:3306` or `unix socket /run/mysqld/mysqld.sock`: what error messages name.
    var address: String {
        if let path = config.path { return "unix socket \(path)" }
        return "\(config.host ?? "localhost"):\(config.port ?? 3306)"
    }

    func redact(_ text: String) -> String { password?.redact(text) ?? text }
}

/// A MYSQL* that may cross from the queue that created it to the object that keeps it. It is
/// only ever dereferenced on the queue of its owner (MariaDBSession, MariaDBMonitor).
struct MariaDBHandle: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<MYSQL>
}

/// Connector/C must be initialised once (mysql_library_init, a macro for mysql_server_init)
/// before several threads use it; Swift runs a global's initialiser exactly once, on first use,
/// whichever thread gets there first.
private let libraryInitialised: Bool = mysql_server_init(0, nil, nil) == 0

/// The blocking Connector/C calls quickup makes. Each runs on the queue that owns the handle.
enum MariaDBClient {
    /// Opens a connection: one try, bounded by the connect timeout. Failures another try may fix
    /// are `datasourceUnreachable`, which ConnectRetryPolicy retries.
    static func connect(_ endpoint: MariaDBEndpoint) throws(QuickupError) -> MariaDBHandle {
        guard libraryInitialised, let mysql = mysql_init(nil) else {
            throw QuickupError(.datasourceUnreachable, "cannot initialise the MariaDB client library (out of memory?)")
        }
        let config = endpoint.config
        _ = quickup_mysql_option_uint(mysql, MYSQL_OPT_CONNECT_TIMEOUT, seconds(endpoint.connectTimeout))
        _ = quickup_mysql_option_uint(mysql, MYSQL_OPT_READ_TIMEOUT, seconds(endpoint.readTimeout))
        _ = quickup_mysql_option_uint(mysql, MYSQL_OPT_WRITE_TIMEOUT, seconds(endpoint.readTimeout))
        _ = quickup_mysql_option_string(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        // A silent reconnect in the middle of a script would drop its transaction, temporary
        // tables and session variables and carry on as if nothing happened.
        _ = quickup_mysql_option_bool(mysql, MYSQL_OPT_RECONNECT, 0)
        // host + port means TCP even for "localhost" (where the client library would otherwise
        // pick its default socket); `path` means that socket.
        let protocolType = config.path == nil ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET
        _ = quickup_mysql_option_uint(mysql, MYSQL_OPT_PROTOCOL, protocolType.rawValue)

        // CLIENT_MULTI_RESULTS lets CALL return its result sets. CLIENT_MULTI_STATEMENTS lets
        // short statements share a packet (MariaDBPacket), only ones whose results can be told
        // apart, so each failure still names its own file:line. A statement text holding several
        // (a `DELIMITER` block) runs them all, as the `mariadb` client does.
        let flags = UInt(CLIENT_MULTI_RESULTS) | UInt(CLIENT_MULTI_STATEMENTS)
        let host = config.path == nil ? (config.host ?? "localhost") : "localhost"
        let connected = withOptionalCString(config.user) { user in
            withOptionalCString(endpoint.password?.value) { password in
                withOptionalCString(config.database) { database in
                    withOptionalCString(config.path) { socket in
                        mysql_real_connect(mysql, host, user, password, database,
                                           UInt32(clamping: config.port ?? 3306), socket, flags)
                    }
                }
            }
        }
        guard connected != nil else {
            let error = MariaDBServerError(mysql)
            mysql_close(mysql)
            throw MariaDBErrors.connectFailed(error, endpoint: endpoint)
        }
        return MariaDBHandle(pointer: mysql)
    }

    /// Connector/C takes whole seconds; anything under a second becomes one (0 would mean none).
    private static func seconds(_ span: TimeSpan) -> UInt32 {
        UInt32(clamping: max(1, (span.milliseconds + 999) / 1000))
    }

    private static func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let text else { return body(nil) }
        return text.withCString { body($0) }
    }

    /// Sends `sql` and reads the first result's header: `mysql_real_query`, except that when
    /// `meanwhile` is given the two halves are apart and it runs between them, while the server
    /// works (issue 20.3: the run engine's own bookkeeping then costs no time of its own). False on
    /// an error, which the connection holds.
    static func query(_ mysql: UnsafeMutablePointer<MYSQL>, _ sql: String, meanwhile: (() -> Void)?) -> Bool {
        let length = UInt(sql.utf8.count)
        guard let meanwhile else {
            return sql.withCString { mysql_real_query(mysql, $0, length) } == 0
        }
        guard sql.withCString({ mysql_send_query(mysql, $0, length) }) == 0 else { return false }
        meanwhile()
        return mysql_read_query_result(mysql) == 0
    }

    /// Sends one statement and reads every result it produces (a SELECT's rows, each result set
    /// of a CALL), keeping the rows of the first result set when `keepRows` is set. The rows of
    /// the others are read and dropped: the protocol needs them read before the next statement.
    /// `meanwhile` runs once the statement is sent, before its answer is read (`query`).
    static func run(_ mysql: UnsafeMutablePointer<MYSQL>, _ sql: String, keepRows: Bool,
                    meanwhile: (() -> Void)? = nil) throws(MariaDBServerError) -> (affected: Int64, rows: [[String?]]) {
        guard query(mysql, sql, meanwhile: meanwhile) else { throw MariaDBServerError(mysql) }
        var affected: Int64 = 0
        var rows: [[String?]] = []
        var haveRows = false
        while true {
            if let result = mysql_use_result(mysql) {
                defer { mysql_free_result(result) }
                let keep = keepRows && !haveRows
                haveRows = true
                let columns = Int(mysql_num_fields(result))
                while let row = mysql_fetch_row(result) {
                    guard keep else { continue }
                    guard let lengths = mysql_fetch_lengths(result) else { throw MariaDBServerError(mysql) }
                    var values: [String?] = []
                    values.reserveCapacity(columns)
                    for column in 0..<columns {
                        if let field = row[column] {
                            let bytes = UnsafeRawBufferPointer(start: field, count: Int(lengths[column]))
                            values.append(String(decoding: bytes, as: UTF8.self))
                        } else {
                            values.append(nil)
                        }
                    }
                    rows.append(values)
                }
                // mysql_fetch_row answers NULL both at the end and on an error (e.g. the
                // statement was killed while sending rows): only the error number tells them apart.
                if mysql_errno(mysql) != 0 { throw MariaDBServerError(mysql) }
            } else if mysql_field_count(mysql) != 0 {
                throw MariaDBServerError(mysql)
            } else {
                let count = mysql_affected_rows(mysql)
                if count != UInt64.max { affected += Int64(clamping: count) }
            }
            let next = mysql_next_result(mysql)
            if next == -1 { break }
            if next > 0 { throw MariaDBServerError(mysql) }
        }
        return (affected, rows)
    }

    /// A string as a SQL literal that means the same under every sql_mode: plain text in quotes,
    /// anything else as `_utf8mb4 X'…'`, since backslash escaping changes meaning under
    /// NO_BACKSLASH_ESCAPES.
    static func literal(_ text: String?) -> String {
        var literal = ""
        appendLiteral(text, to: &literal)
        return literal
    }

    /// `literal(text)` appended to `sql` without a string of its own: the upgrade_log row of
    /// every task is built this way (issue 20.3).
    static func appendLiteral(_ text: String?, to sql: inout String) {
        guard let text else {
            sql += "NULL"
            return
        }
        let plain = text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x20 || byte == 0x2D || byte == 0x2E || byte == 0x2F || byte == 0x3A || byte == 0x5F
        }
        guard !plain else {
            sql += "'"
            sql += text
            sql += "'"
            return
        }
        let digits = Array("0123456789ABCDEF".utf8)
        var hex: [UInt8] = Array("_utf8mb4 X'".utf8)
        hex.reserveCapacity(12 + text.utf8.count * 2)
        for byte in text.utf8 {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        hex.append(UInt8(ascii: "'"))
        sql += String(decoding: hex, as: UTF8.self)
    }

    /// An identifier in backquotes, with backquotes inside doubled.
    static func identifier(_ name: String) -> String {
        "`" + name.replacingBackquotes() + "`"
    }
}

private extension String {
    func replacingBackquotes() -> String {
        var result = ""
        for character in self {
            result.append(character)
            if character == "`" { result.append("`") }
        }
        return result
    }
}
