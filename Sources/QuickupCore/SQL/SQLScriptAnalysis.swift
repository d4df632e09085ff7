/// A script as the client reads it, for `quickup lint` (N1): the statements it sends, the lines it
/// reads differently from how they look, and the error that stopped the split, if any.
public struct SQLScriptAnalysis: Sendable {
    public var statements: [SQLStatement]
    public var notes: [SQLSplitNote]
    /// Why the split stopped early (unterminated quote or comment, unknown client command…);
    /// `statements` then holds what was cut before it.
    public var error: QuickupError?

    public init(statements: [SQLStatement], notes: [SQLSplitNote] = [], error: QuickupError? = nil) {
        self.statements = statements
        self.notes = notes
        self.error = error
    }
}

/// A line the `mariadb` client reads differently from how it looks.
public enum SQLSplitNote: Hashable, Sendable {
    /// `--X` at the start of a line: dropped as a comment when no statement is pending, else sent
    /// as text (and the server reads `--` as two minus signs).
    case dashCommentWithoutSpace(line: Int, column: Int, dropped: Bool)
    /// A `DELIMITER` line while the statement begun at `statementLine` is unfinished: the client
    /// sends it as part of that statement and keeps `delimiter`.
    case delimiterInStatement(line: Int, column: Int, statementLine: Int, delimiter: String)
}

extension SQLSplitter {
    /// Splits like `split(_:file:)` and also returns the notes; never throws: a split error is
    /// returned with the statements cut before it. Only the `mariadb` dialect has notes.
    public func analyze(_ script: String, file: String) -> SQLScriptAnalysis {
        let bytes = SQLScriptBytes.normalized(script)
        switch dialect {
        case .mariadb:
            return MariaDBScriptSplitter.analyze(bytes, file: file)
        case .clickhouse, .sqlite:
            do throws(QuickupError) {
                return SQLScriptAnalysis(statements: try split(script, file: file))
            } catch {
                return SQLScriptAnalysis(statements: [], error: error)
            }
        }
    }
}
