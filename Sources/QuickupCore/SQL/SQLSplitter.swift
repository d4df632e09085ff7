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
        try split(normalized: SQLScriptBytes.normalized(script), file: file)
    }

    /// `split(_:file:)` of the text `UTF8Text.decode` makes of `bytes`, for a caller that has
    /// checked them with `UTF8Text.check` and holds no text (P5, issue 20.1).
    public func split(utf8 bytes: [UInt8], file: String) throws(QuickupError) -> [SQLStatement] {
        try split(normalized: SQLScriptBytes.normalized(UTF8Text.body(of: bytes)), file: file)
    }

    private func split(normalized bytes: [UInt8], file: String) throws(QuickupError) -> [SQLStatement] {
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

/// One statement of a SQL script, cut out the way the database's command-line client cuts it.
public struct SQLStatement: Hashable, Sendable {
    /// Exactly what the client would send to the server: for MariaDB, comments stripped and lines
    /// joined the way `mariadb` does it; never the delimiter itself.
    public var text: String
    /// 1-based line of the script where the statement's first non-blank, non-comment text is.
    public var line: Int
    /// The script's name as given to `SQLSplitter.split(_:file:)`, for `file:line` messages.
    public var file: String

    public init(text: String, line: Int, file: String) {
        self.text = text
        self.line = line
        self.file = file
    }

    /// Where the statement starts, for errors the server reports about it (SPEC D2).
    public var location: SourceLocation { SourceLocation(file: file, line: line) }
}

/// Whose rules decide where one statement ends and the next begins.
///
/// - `mariadb`: the `mariadb` command-line client of MariaDB 10.11 (`add_line()` in
///   client/mysql.cc), including `DELIMITER` and its other client commands.
/// - `clickhouse`: `;` ends a statement; `--` comments need no following space; `# ` and `#!`
///   start a comment as in current ClickHouse (older servers reject `#`, so scripts written for
///   them never contain it outside quotes); `/* */` nests; quotes take backslash escapes.
///   No `DELIMITER`, no `$tag$` heredocs.
/// - `sqlite`: the rules of `sqlite3_complete()`: `--` and `/* */` comments, no `#` comments,
///   no backslash escapes, `[…]` identifiers, no `DELIMITER`; the `;`s inside
///   `CREATE TRIGGER … BEGIN … END;` do not end the statement.
///
/// For `clickhouse` and `sqlite` a statement's text is the script's text from its first token to
/// its last, comments inside it included: those servers take comments as they are.
public enum SQLDialect: Sendable {
    case mariadb, clickhouse, sqlite
}
