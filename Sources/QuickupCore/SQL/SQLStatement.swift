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
