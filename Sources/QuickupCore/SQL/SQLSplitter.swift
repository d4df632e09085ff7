/// Cuts a SQL script into the statements its database's command-line client would send, one by
/// one, so that quickup runs a script exactly as `mariadb db < script.sql` would and can name the
/// `file:line` of a statement the server rejects (SPEC D2).
///
/// For `.mariadb` (the default) the rules are those of the `mariadb` client of MariaDB 10.11 in
/// batch mode, quirks included; `MariaDBScriptSplitter+Line.swift` lists them. In short:
///
/// - `-- ` and `#` comments and `/* */` comments are dropped; `/*! */` and `/*M! */` are kept.
/// - `'…'`, `"…"` (backslash escapes) and `` `…` `` protect delimiters and comment markers.
/// - `DELIMITER xx` lines (any case) change the delimiter, as in procedure and trigger scripts.
/// - Statements are the text between delimiters, leading blanks and trailing blanks dropped,
///   lines joined with `\n`; empty statements are dropped; the last one needs no delimiter.
/// - A UTF-8 byte-order mark at the start and the `\r` of `\r\n` are ignored.
/// - Client commands: `go`/`\g` and `ego`/`\G` end a statement; `clear`/`\c` drops it;
///   `quit`/`exit`/`\q` ends the script; `use db`/`\u db` becomes the statement "USE `db`" (the
///   client sends it as COM_INIT_DB, with the same effect). Any other client command (`source`,
///   `system`, `tee`, `status`…) is refused with `.sqlClientCommand`.
///
/// Where the client would go on, quickup reports an error instead (`.sqlSyntax`, at the line where
/// the problem began): an unterminated quote or comment at the end of the script (the client would
/// send the broken text), `DELIMITER` or `USE` without an argument (the client prints an error and
/// goes on); like the client, a NUL byte or an unknown `\x` command stop the script.
///
/// The `.clickhouse` and `.sqlite` rules are described at `SQLDialect`.
///
/// Splitting scans UTF-8 bytes once and does no I/O.
public struct SQLSplitter: Sendable {
    public var dialect: SQLDialect

    public init(dialect: SQLDialect = .mariadb) {
        self.dialect = dialect
    }

    /// The statements of `script`, in order. `file` names the script in statements and errors.
    public func split(_ script: String, file: String) throws(QuickupError) -> [SQLStatement] {
        let bytes = SQLScriptBytes.normalized(script)
        switch dialect {
        case .mariadb:
            return try MariaDBScriptSplitter.split(bytes, file: file)
        case .clickhouse:
            return try LexicalSQLSplitter(rules: .clickhouse, file: file).split(bytes)
        case .sqlite:
            return try LexicalSQLSplitter(rules: .sqlite, file: file).split(bytes)
        }
    }
}
