/// What a script means when a `DELIMITER` line sits inside an unfinished statement: the script
/// with the missing delimiter written in before each such line, split again. The first note is
/// always real; a later one counts only if it is still there once the earlier ones are repaired
/// (the DELIMITER that closes a procedure block is usually caught up in the first one's mess).
struct DelimiterRepair {
    /// The notes that are not a consequence of an earlier one, with original line numbers.
    private(set) var independentNotes: [SQLSplitNote] = []
    /// Statements of the repaired script.
    private(set) var intended = 0
    /// How many of the repaired script's statements the client does not send as written.
    private(set) var mangled = 0

    init(text: String, file: String, analysis: SQLScriptAnalysis, limit: Int) {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" }).map(String.init)
        var current = analysis
        /// Repaired-script line numbers of the lines inserted so far.
        var inserted: [Int] = []
        func original(_ repaired: Int) -> Int { repaired - inserted.count { $0 < repaired } }
        for _ in 0..<limit {
            let next = current.notes.first {
                if case .delimiterInStatement = $0 { return true }
                return false
            }
            guard case .delimiterInStatement(let line, let column, let statementLine, let delimiter)? = next,
                  line >= 1, line <= lines.count else { break }
            independentNotes.append(.delimiterInStatement(line: original(line), column: column,
                                                         statementLine: original(statementLine), delimiter: delimiter))
            lines.insert(delimiter, at: line - 1)
            inserted = inserted.map { $0 >= line ? $0 + 1 : $0 } + [line]
            current = SQLSplitter(dialect: .mariadb).analyze(lines.joined(separator: "\n"), file: file)
        }
        intended = current.statements.count
        var sent: [String: Int] = [:]
        for statement in analysis.statements { sent[statement.text, default: 0] += 1 }
        for statement in current.statements {
            if let count = sent[statement.text], count > 0 { sent[statement.text] = count - 1 } else { mangled += 1 }
        }
    }
}
