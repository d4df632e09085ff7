/// What a lint rule needs to know about one SQL statement: which DDL or DML form it is, on which
/// table, with or without `IF [NOT] EXISTS` and `WHERE`. Read lexically with the tokens
/// `TouchedTables` uses (strings and comments never count); a form it does not know is `.other`.
public struct StatementShape: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// `CREATE [OR REPLACE] <object> [IF NOT EXISTS] name` (`object`: TABLE, INDEX, VIEW…).
        case create(object: String, orReplace: Bool, ifNotExists: Bool)
        /// `DROP <object> [IF EXISTS] name`.
        case drop(object: String, ifExists: Bool)
        case alterTable(actions: [AlterAction])
        case truncate
        case delete(hasWhere: Bool)
        case update(hasWhere: Bool)
        case rename
        case use
        case other
    }

    /// One comma-separated clause of `ALTER TABLE`.
    public struct AlterAction: Hashable, Sendable {
        public enum Verb: String, Hashable, Sendable { case addColumn, dropColumn, renameColumn, modifyColumn, modifyTTL, mutation, other }
        public var verb: Verb
        public var column: String?
        /// `IF NOT EXISTS` after ADD, `IF EXISTS` after DROP/MODIFY.
        public var guarded: Bool
    }

    public var kind: Kind
    /// The table (or object) named, `schema.` prefix kept; nil when none was read.
    public var table: String?
    /// A `TTL` clause in `CREATE TABLE` (ClickHouse).
    public var hasTTL = false

    /// Cheap test first: only statements starting with one of these words are tokenised.
    static let interestingVerbs: Set<String> = ["CREATE", "DROP", "ALTER", "TRUNCATE", "DELETE", "UPDATE", "RENAME", "USE"]

    /// Words between CREATE and the object's kind; made once, not per statement (issue 19).
    static let createModifiers: Set<String> = ["ONLINE", "UNIQUE", "FULLTEXT", "SPATIAL", "TEMPORARY", "ALGORITHM", "DEFINER", "SQL",
                                               "SECURITY", "MATERIALIZED", "AGGREGATE", "=", "UNDEFINED", "MERGE", "TEMPTABLE"]

    public static func of(_ text: String) -> StatementShape {
        guard let first = ImplicitCommit.leadingWords(text, count: 1).first, interestingVerbs.contains(first) else {
            return StatementShape(kind: .other)
        }
        let tokens = SQLTokens.read(text)
        var c = TouchedTables.Cursor(tokens: tokens, index: 1)
        switch first {
        case "CREATE":
            let orReplace = c.take("OR") && c.take("REPLACE")
            c.skip(createModifiers)
            guard let object = c.peekWord else { return StatementShape(kind: .other) }
            c.index += 1
            let ifNotExists = c.peekWord == "IF"
            c.skipIfNotExists()
            var table = c.name()
            if object == "INDEX", c.take("ON") { table = c.name() }
            let hasTTL = object == "TABLE" && tokens.contains { $0.word == "TTL" }
            return StatementShape(kind: .create(object: object, orReplace: orReplace, ifNotExists: ifNotExists), table: table, hasTTL: hasTTL)
        case "DROP":
            c.skip(["TEMPORARY", "ONLINE", "OFFLINE"])
            guard let object = c.peekWord else { return StatementShape(kind: .other) }
            c.index += 1
            let ifExists = c.peekWord == "IF"
            c.skipIfNotExists()
            var table = c.name()
            if object == "INDEX", c.take("ON") { table = c.name() }
            return StatementShape(kind: .drop(object: object, ifExists: ifExists), table: table)
        case "ALTER":
            c.skip(["ONLINE", "IGNORE"])
            guard c.take("TABLE") else { return StatementShape(kind: .other) }
            c.skipIfNotExists()
            let table = c.name()
            if c.take("ON"), c.take("CLUSTER") { _ = c.name() }
            return StatementShape(kind: .alterTable(actions: alterActions(tokens, from: c.index)), table: table)
        case "TRUNCATE":
            _ = c.take("TABLE")
            c.skipIfNotExists()
            return StatementShape(kind: .truncate, table: c.name())
        case "DELETE":
            c.skip(["LOW_PRIORITY", "QUICK", "IGNORE"])
            let table = c.take("FROM") ? c.name() : nil
            return StatementShape(kind: .delete(hasWhere: tokens.contains { $0.word == "WHERE" }), table: table)
        case "UPDATE":
            c.skip(["LOW_PRIORITY", "IGNORE"])
            return StatementShape(kind: .update(hasWhere: tokens.contains { $0.word == "WHERE" }), table: c.name())
        case "RENAME":
            _ = c.take("TABLE")
            return StatementShape(kind: .rename, table: c.name())
        case "USE":
            return StatementShape(kind: .use, table: c.name())
        default:
            return StatementShape(kind: .other)
        }
    }

    /// The clauses after `ALTER TABLE name`, split at top-level commas.
    private static func alterActions(_ tokens: [SQLTokens.Token], from start: Int) -> [AlterAction] {
        var clauses: [[SQLTokens.Token]] = [[]]
        var depth = 0
        for token in tokens[min(start, tokens.count)...] {
            if token.symbol == "(" { depth += 1 }
            if token.symbol == ")" { depth -= 1 }
            if token.symbol == ",", depth == 0 { clauses.append([]); continue }
            clauses[clauses.count - 1].append(token)
        }
        return clauses.filter { !$0.isEmpty }.map(action)
    }

    private static func action(_ clause: [SQLTokens.Token]) -> AlterAction {
        var c = TouchedTables.Cursor(tokens: clause, index: 0)
        let verb = c.peekWord ?? ""
        c.index += 1
        switch verb {
        case "DELETE", "UPDATE":
            return AlterAction(verb: .mutation, column: nil, guarded: false)
        case "ADD", "DROP", "MODIFY", "CHANGE", "RENAME":
            if verb == "MODIFY", c.peekWord == "TTL" { return AlterAction(verb: .modifyTTL, column: nil, guarded: false) }
            let explicitColumn = c.take("COLUMN")
            // `ADD INDEX`, `DROP PRIMARY KEY`, `ADD CONSTRAINT`…: not a column.
            let notColumn: Set<String> = ["INDEX", "KEY", "PRIMARY", "UNIQUE", "FOREIGN", "CONSTRAINT", "PARTITION",
                                          "FULLTEXT", "SPATIAL", "CHECK", "PROJECTION", "TTL", "STATISTICS", "SETTING"]
            if !explicitColumn, let word = c.peekWord, notColumn.contains(word) {
                return AlterAction(verb: .other, column: nil, guarded: false)
            }
            if !explicitColumn && (verb == "RENAME") { return AlterAction(verb: .other, column: nil, guarded: false) }
            let guarded = c.peekWord == "IF"
            c.skipIfNotExists()
            let column = c.name()
            let kind: AlterAction.Verb
            switch verb {
            case "ADD": kind = .addColumn
            case "DROP": kind = .dropColumn
            case "RENAME": kind = .renameColumn
            default: kind = .modifyColumn
            }
            return AlterAction(verb: kind, column: column, guarded: guarded)
        default:
            return AlterAction(verb: .other, column: nil, guarded: false)
        }
    }
}
