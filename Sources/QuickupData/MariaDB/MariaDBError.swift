import CMariaDB
import QuickupCore

/// What Connector/C or the server said about the last call on a handle: the number (server codes
/// below 2000, e.g. 1064; client codes 2000–2999, e.g. 2013), the SQLSTATE and the message.
struct MariaDBServerError: Error, Sendable, Hashable, CustomStringConvertible {
    var code: UInt32
    var sqlState: String
    var message: String

    init(code: UInt32, sqlState: String, message: String) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
    }

    /// The error of the last call on `mysql`, run on the handle's queue.
    init(_ mysql: UnsafeMutablePointer<MYSQL>) {
        code = mysql_errno(mysql)
        sqlState = mysql_sqlstate(mysql).map { String(cString: $0) } ?? "HY000"
        let text = mysql_error(mysql).map { String(cString: $0) } ?? ""
        message = text.isEmpty ? "unknown error" : text
    }

    /// `error 1064 (42000): You have an error …`: the form DBAs search for.
    var description: String { "error \(code) (\(sqlState)): \(message)" }

    /// The connection itself is gone (server crashed, restarted, killed the session, network).
    var isConnectionLost: Bool {
        switch Int32(clamping: code) {
        case CR_SERVER_GONE_ERROR, CR_SERVER_LOST, CR_SERVER_LOST_EXTENDED, ER_CONNECTION_KILLED, ER_SERVER_SHUTDOWN:
            return true
        default:
            return false
        }
    }
}

/// Turns Connector/C failures into the messages of SPEC D3 and D2 with the codes of
/// DatasourceErrors.swift: where (datasource and address, or the script's file:line), what the
/// server said (code and message), and what to do.
enum MariaDBErrors {
    static func connectFailed(_ error: MariaDBServerError, endpoint: MariaDBEndpoint) -> QuickupError {
        let config = endpoint.config
        let user = config.user ?? "(default user)"
        let message = "cannot connect to MariaDB at \(endpoint.address) as user '\(user)': "
            + endpoint.redact(error.description)
        return QuickupError(connectCode(error), message, hint: connectHint(error, endpoint: endpoint)).named(config)
    }

    /// Unreachable (retried by ConnectRetryPolicy) when another try may help: refused, timed out,
    /// too many connections. Otherwise the server answered and refused this login (wrong password,
    /// database, grants): retrying cannot help and could get the host blocked.
    private static func connectCode(_ error: MariaDBServerError) -> QuickupError.Code {
        switch Int32(clamping: error.code) {
        case CR_CONNECTION_ERROR, CR_CONN_HOST_ERROR, CR_UNKNOWN_HOST, CR_SERVER_GONE_ERROR, CR_SERVER_LOST,
             CR_SERVER_LOST_EXTENDED, ER_CON_COUNT_ERROR, ER_TOO_MANY_USER_CONNECTIONS, ER_SERVER_SHUTDOWN:
            return .datasourceUnreachable
        default:
            return error.code < 2000 || Int32(clamping: error.code) == CR_AUTH_PLUGIN_CANNOT_LOAD
                ? .datasourceAuthentication : .datasourceUnreachable
        }
    }

    private static func connectHint(_ error: MariaDBServerError, endpoint: MariaDBEndpoint) -> String {
        let name = endpoint.config.name
        switch Int32(clamping: error.code) {
        case CR_CONNECTION_ERROR, CR_CONN_HOST_ERROR:
            return "check that the server runs and listens on \(endpoint.address), and the host/port (or path) "
                + "of datasource '\(name)' in env.yaml; a firewall may also refuse the connection"
        case CR_UNKNOWN_HOST:
            return "the host name does not resolve: check host of datasource '\(name)' in env.yaml and DNS"
        case ER_ACCESS_DENIED_ERROR:
            return "check the user and the password (password_env/password_file) of datasource '\(name)' in "
                + "env.yaml, and that the server grants this user access from this machine"
        case ER_DBACCESS_DENIED_ERROR:
            return "grant the user access to the database, or fix database of datasource '\(name)' in env.yaml"
        case ER_BAD_DB_ERROR:
            return "create the database or fix database of datasource '\(name)' in env.yaml"
        case ER_CON_COUNT_ERROR, ER_TOO_MANY_USER_CONNECTIONS:
            return "the server has no free connections (max_connections / max_user_connections): retry later"
        case ER_HOST_IS_BLOCKED:
            return "the server blocked this host after failed connections: run FLUSH HOSTS on the server"
        default:
            return "check datasource '\(name)' in env.yaml and the server's error log"
        }
    }

    /// A statement the server rejected, or a connection lost (or silent for longer than the read
    /// timeout) while it ran. `seconds` is how long the statement had been running.
    static func statementFailed(_ error: MariaDBServerError, sql: String, location: SourceLocation?,
                                endpoint: MariaDBEndpoint, seconds: Double) -> QuickupError {
        let said = endpoint.redact(error.description)
        let statement = endpoint.redact(StatementPreview.of(sql))
        let name = endpoint.config.name
        if error.isConnectionLost {
            // Connector/C reports a read timeout as a lost connection; the clock tells them apart.
            if Int32(clamping: error.code) == CR_SERVER_LOST, seconds >= endpoint.readTimeout.seconds - 0.5 {
                return QuickupError(
                    .datasourceTimeout,
                    "MariaDB datasource '\(name)' at \(endpoint.address) sent nothing for \(endpoint.readTimeout) "
                        + "(\(said)) — statement: \(statement)",
                    at: location,
                    hint: "raise read_timeout of the datasource in env.yaml if statements run longer; the statement "
                        + "may still run on the server (SHOW PROCESSLIST)")
            }
            return QuickupError(
                .datasourceUnreachable,
                "lost the connection to MariaDB datasource '\(name)' at \(endpoint.address) while a statement ran: "
                    + "\(said) — statement: \(statement)",
                at: location,
                hint: "the server crashed, restarted or closed the session (wait_timeout, max_allowed_packet, "
                    + "KILL): check its error log; the statement may or may not have taken effect")
        }
        return QuickupError(.statementFailed, "MariaDB \(said) — statement: \(statement) (on \(endpoint.address))",
                            at: location, hint: statementHint(error.code))
    }

    private static func statementHint(_ code: UInt32) -> String? {
        switch Int32(clamping: code) {
        case ER_PARSE_ERROR: return "fix the SQL syntax at the quoted text"
        case ER_NO_SUCH_TABLE: return "the table does not exist: check the database and the order of the tasks"
        case ER_TABLE_EXISTS_ERROR: return "use CREATE TABLE IF NOT EXISTS so that the script can run again"
        case ER_DUP_FIELDNAME, ER_DUP_KEYNAME:
            return "it exists already (did the script run before?): use ADD … IF NOT EXISTS to make it re-runnable"
        case ER_CANT_DROP_FIELD_OR_KEY: return "use DROP … IF EXISTS so that the script can run again"
        case ER_DUP_ENTRY: return "a unique key already holds this value: the data may have been loaded before"
        case ER_LOCK_WAIT_TIMEOUT, ER_LOCK_DEADLOCK:
            return "another session holds locks on these rows: retry when it is done (task retries)"
        case ER_QUERY_INTERRUPTED: return "the statement was killed (KILL QUERY by a timeout or an operator)"
        case ER_TABLEACCESS_DENIED_ERROR, ER_COLUMNACCESS_DENIED_ERROR, ER_DBACCESS_DENIED_ERROR,
             ER_SPECIFIC_ACCESS_DENIED_ERROR:
            return "grant the missing privilege to the datasource's user"
        default: return nil
        }
    }

    static func cancelled(sql: String, location: SourceLocation?, endpoint: MariaDBEndpoint,
                          fate: MariaDBStatementGate.Fate, threadID: UInt) -> QuickupError {
        let statement = endpoint.redact(StatementPreview.of(sql))
        let name = endpoint.config.name
        switch fate {
        case .notCancelled, .cancelledBeforeStart:
            return QuickupError(.statementCancelled, "cancelled before the statement was sent — statement: \(statement)",
                                at: location)
        case .cancelledWhileRunning:
            return QuickupError(.statementCancelled, "cancelled; KILL QUERY \(threadID) sent to MariaDB datasource "
                                    + "'\(name)' at \(endpoint.address) — statement: \(statement)",
                                at: location, hint: "it may have been partly applied; check before running it again")
        case .connectionClosed:
            return QuickupError(.statementCancelled, "cancelled by closing the connection to MariaDB datasource "
                                    + "'\(name)' at \(endpoint.address) (KILL QUERY \(threadID) did not stop it or could "
                                    + "not be sent) — statement: \(statement)",
                                at: location, hint: "it may still run on the server; check SHOW PROCESSLIST before "
                                    + "running it again")
        }
    }
}
