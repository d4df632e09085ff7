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
