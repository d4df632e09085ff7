/// Splits by tokens, for servers that take a statement's text as it is (ClickHouse, SQLite): a
/// statement runs from its first token to its last; blanks and comments around it are left out,
/// those inside it stay. `;` ends a statement, except inside an SQLite trigger body.
struct LexicalSQLSplitter {
    /// Where the two dialects differ (see `SQLDialect`).
    struct Rules {
        var backslashEscapesInQuotes: Bool
        var bracketIdentifiers: Bool
        /// `# ` and `#!` start a comment to the end of the line.
        var hashComments: Bool
        var nestedBlockComments: Bool
        /// `CREATE TRIGGER … BEGIN …; END;` is one statement.
        var triggerBodies: Bool

        static let clickhouse = Rules(
            backslashEscapesInQuotes: true, bracketIdentifiers: false, hashComments: true,
            nestedBlockComments: true, triggerBodies: false)
        static let sqlite = Rules(
            backslashEscapesInQuotes: false, bracketIdentifiers: true, hashComments: false,
            nestedBlockComments: false, triggerBodies: true)
    }

    let rules: Rules
    let file: String

    func split(_ bytes: [UInt8]) throws(QuickupError) -> [SQLStatement] {
        try bytes.withUnsafeBufferPointer { (script) throws(QuickupError) -> [SQLStatement] in
            var scan = Scan(script: script, rules: rules, file: file)
            try scan.run()
            return scan.statements
        }
    }

    /// One pass over the script.
    private struct Scan {
        let script: UnsafeBufferPointer<UInt8>
        let rules: Rules
        let file: String
        var statements: [SQLStatement] = []
        var index = 0
        var line = 1
        var statementStart: Int?
        var statementLine = 0
        var lastTokenEnd = 0
        var completeness = SQLiteStatementCompleteness()

        init(script: UnsafeBufferPointer<UInt8>, rules: Rules, file: String) {
            self.script = script
            self.rules = rules
            self.file = file
        }

        @inline(__always) func byte(_ position: Int) -> UInt8 { position < script.count ? script[position] : 0 }

        mutating func run() throws(QuickupError) {
            while index < script.count {
                let current = script[index]
                let next = byte(index + 1)
                let tokenStart = index
                let tokenLine = line
                if current == .newline {
                    line += 1
                    index += 1
                } else if current.isSQLSpace {
                    index += 1
                } else if (current == .dash && next == .dash)
                            || (rules.hashComments && current == .hash && (next == .space || next == .bang)) {
                    while index < script.count && script[index] != .newline { index += 1 }
                } else if current == .slash && next == .star {
                    try skipBlockComment()
                } else if current == .singleQuote || current == .doubleQuote || current == .backtick
                            || (rules.bracketIdentifiers && current == UInt8(ascii: "[")) {
                    try skipQuoted(closing: current == UInt8(ascii: "[") ? UInt8(ascii: "]") : current)
                    addToken(from: tokenStart, line: tokenLine, .other)
                } else if current == .semicolon {
                    index += 1
                    if rules.triggerBodies && !completeness.completes(with: .semicolon) {
                        addToken(from: tokenStart, line: tokenLine, .semicolon)
                    } else {
                        endStatement()
                    }
                } else if current.isSQLWordByte {
                    while index < script.count && script[index].isSQLWordByte { index += 1 }
                    let word = UnsafeBufferPointer(rebasing: script[tokenStart..<index])
                    addToken(from: tokenStart, line: tokenLine, rules.triggerBodies ? .init(word: word) : .other)
                } else {
                    index += 1
                    addToken(from: tokenStart, line: tokenLine, .other)
                }
            }
            endStatement()
        }

        private mutating func addToken(from start: Int, line tokenLine: Int, _ token: SQLiteStatementCompleteness.Token) {
            if statementStart == nil {
                statementStart = start
                statementLine = tokenLine
            }
            lastTokenEnd = index
            if rules.triggerBodies && token != .semicolon { _ = completeness.completes(with: token) }
        }

        private mutating func endStatement() {
            if let start = statementStart {
                let text = String(decoding: UnsafeBufferPointer(rebasing: script[start..<lastTokenEnd]), as: UTF8.self)
                statements.append(SQLStatement(text: text, line: statementLine, file: file))
            }
            statementStart = nil
            completeness = SQLiteStatementCompleteness()
        }

        private mutating func skipBlockComment() throws(QuickupError) {
            let openedAt = line
            var depth = 0
            while index < script.count {
                if script[index] == .slash && byte(index + 1) == .star && (depth == 0 || rules.nestedBlockComments) {
                    depth += 1
                    index += 2
                } else if script[index] == .star && byte(index + 1) == .slash {
                    depth -= 1
                    index += 2
                    if depth == 0 { return }
                } else {
                    if script[index] == .newline { line += 1 }
                    index += 1
                }
            }
            throw QuickupError(.sqlSyntax, "unterminated comment: the /* opened here is never closed",
                               at: SourceLocation(file: file, line: openedAt), hint: "close it with */")
        }

        private mutating func skipQuoted(closing: UInt8) throws(QuickupError) {
            let openedAt = line
            let opening = script[index]
            index += 1
            while index < script.count {
                let current = script[index]
                if current == closing {
                    index += 1
                    return
                }
                if rules.backslashEscapesInQuotes && current == .backslash && index + 1 < script.count {
                    index += 1
                    if script[index] == .newline { line += 1 }
                } else if current == .newline {
                    line += 1
                }
                index += 1
            }
            let shown = String(UnicodeScalar(opening))
            throw QuickupError(.sqlSyntax, "unterminated quote: the \(shown) opened here is never closed",
                               at: SourceLocation(file: file, line: openedAt), hint: "close it")
        }
    }
}

/// SQLite's own answer to "does this `;` end the statement?": the state machine of
/// `sqlite3_complete()`, which the `sqlite3` shell uses. It exists for triggers: in
/// `CREATE [TEMP] TRIGGER … BEGIN stmt; stmt; END;` only the `;` right after `END` ends the
/// statement. Blanks and comments are not fed; they never change the state.
struct SQLiteStatementCompleteness {
    enum Token: Int {
        case semicolon, other, explain, create, temp, trigger, end

        /// A word, as `sqlite3_complete()` classifies it (keywords in any case).
        init(word: UnsafeBufferPointer<UInt8>) {
            switch word.count {
            case 3 where SQLScriptBytes.equalsIgnoringCase(word, Self.endWord): self = .end
            case 4 where SQLScriptBytes.equalsIgnoringCase(word, Self.tempWord): self = .temp
            case 6 where SQLScriptBytes.equalsIgnoringCase(word, Self.createWord): self = .create
            case 7 where SQLScriptBytes.equalsIgnoringCase(word, Self.triggerWord): self = .trigger
            case 7 where SQLScriptBytes.equalsIgnoringCase(word, Self.explainWord): self = .explain
            case 9 where SQLScriptBytes.equalsIgnoringCase(word, Self.temporaryWord): self = .temp
            default: self = .other
            }
        }

        private static let endWord = Array("end".utf8)
        private static let tempWord = Array("temp".utf8)
        private static let createWord = Array("create".utf8)
        private static let triggerWord = Array("trigger".utf8)
        private static let explainWord = Array("explain".utf8)
        private static let temporaryWord = Array("temporary".utf8)
    }

    /// States: start, normal, explain, create, trigger (in a trigger), semicolon (just after a `;`
    /// in a trigger), end (just after `END` that followed such a `;`).
    private enum State: Int { case start, normal, explain, create, trigger, semicolon, end }

    // Rows: states in the order above; columns: tokens in `Token` order.
    private static let transitions: [[State]] = [
        /* start     */ [.start, .normal, .explain, .create, .normal, .normal, .normal],
        /* normal    */ [.start, .normal, .normal, .normal, .normal, .normal, .normal],
        /* explain   */ [.start, .explain, .normal, .create, .normal, .normal, .normal],
        /* create    */ [.start, .normal, .normal, .normal, .create, .trigger, .normal],
        /* trigger   */ [.semicolon, .trigger, .trigger, .trigger, .trigger, .trigger, .trigger],
        /* semicolon */ [.semicolon, .trigger, .trigger, .trigger, .trigger, .trigger, .end],
        /* end       */ [.start, .trigger, .trigger, .trigger, .trigger, .trigger, .trigger],
    ]

    private var state = State.start

    /// Feeds the next token; true when it is a `;` that ends the statement.
    mutating func completes(with token: Token) -> Bool {
        state = Self.transitions[state.rawValue][token.rawValue]
        return token == .semicolon && state == .start
    }
}
