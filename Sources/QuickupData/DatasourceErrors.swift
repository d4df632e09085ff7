import QuickupCore

/// Error codes of the datasource drivers (SPEC D1–D3). Each says what kind of failure it is, so
/// the executor can decide between retrying, stopping and asking the operator.
extension QuickupError.Code {
    /// The server could not be reached: refused, unreachable, connect timeout (after every try).
    public static let datasourceUnreachable = Self(rawValue: "datasource_unreachable")
    /// The server answered but refused the user or password.
    public static let datasourceAuthentication = Self(rawValue: "datasource_authentication")
    /// The server rejected or failed a statement or command; the message carries its code and text.
    public static let statementFailed = Self(rawValue: "statement_failed")
    /// The calling task was cancelled; the statement was stopped on the server where possible.
    public static let statementCancelled = Self(rawValue: "statement_cancelled")
    /// No answer within the read timeout.
    public static let datasourceTimeout = Self(rawValue: "datasource_timeout")
    /// The operation does not exist for this kind of datasource (e.g. transactions on ClickHouse).
    public static let datasourceUnsupported = Self(rawValue: "datasource_unsupported")
    /// The server's answer could not be understood (truncated, unexpected format).
    public static let datasourceProtocol = Self(rawValue: "datasource_protocol")
}

extension QuickupError {
    /// The error with the datasource's name and env.yaml place added, for failures at connect time.
    func named(_ config: DatasourceConfig) -> QuickupError {
        var error = self
        error.message = "datasource '\(config.name)': " + error.message
        error.location = error.location ?? config.location
        return error
    }
}

/// The start of a statement or command for error messages (SPEC D2: errors name the statement):
/// enough to recognise it in the script, short enough for one line of a report.
enum StatementPreview {
    static func of(_ text: String, limit: Int = 80) -> String {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
        let joined = words.joined(separator: " ")
        return joined.count <= limit ? joined : String(joined.prefix(limit)) + "…"
    }
}
