/// Which tables a SQL statement changes or copies from, read from its text (A1): the tables whose
/// size decides how much a backup needs. A lexical reading of the usual DDL and DML forms, not a
/// parser: names inside strings and comments are never taken, and a form it does not know
/// touches nothing (the size is then underestimated, which the report says it measures).
public enum TouchedTables {
    /// Tables the statements change (ALTER, UPDATE, INSERT, DELETE, TRUNCATE, DROP, RENAME,
    /// CREATE/DROP INDEX … ON, OPTIMIZE) and those an INSERT … SELECT or CREATE … AS SELECT copies
    /// from. Names keep a `schema.` prefix when written with one; order of first mention.
    public static func of(_ statements: [SQLStatement]) -> [String] {
        var seen = Set<String>(), result: [String] = []
        for statement in statements {
            for name in of(statement.text) where seen.insert(name).inserted { result.append(name) }
        }
        return result
    }

    /// Tables the statements create (`CREATE TABLE [IF NOT EXISTS] name`).
    public static func created(_ statements: [SQLStatement]) -> [String] {
        statements.compactMap { statement in
            let tokens = SQLTokens.read(statement.text)
            guard tokens.first?.word == "CREATE" else { return nil }
            var c = Cursor(tokens: tokens, index: 1)
            c.skip(["OR", "REPLACE", "TEMPORARY"])
            guard c.take("TABLE") else { return nil }
            c.skipIfNotExists()
            return c.name()
        }
    }

    public static func of(_ sql: String) -> [String] {
        let tokens = SQLTokens.read(sql)
        guard let first = tokens.first?.word else { return [] }
        var c = Cursor(tokens: tokens, index: 1)
        var names: [String] = []
        switch first {
        case "ALTER":
            c.skip(["ONLINE", "IGNORE"])
            if c.take("TABLE") { c.skipIfNotExists(); names += c.name().map { [$0] } ?? [] }
        case "UPDATE":
            c.skip(["LOW_PRIORITY", "IGNORE"])
            names += c.nameList()
        case "INSERT", "REPLACE":
            c.skip(["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "INTO"])
            _ = c.take("TABLE")
            names += c.name().map { [$0] } ?? []
            names += c.sourcesAfterSelect()
        case "DELETE":
            c.skip(["LOW_PRIORITY", "QUICK", "IGNORE"])
            if c.take("FROM") { names += c.name().map { [$0] } ?? [] }
        case "TRUNCATE", "OPTIMIZE", "DROP", "RENAME":
            if first == "DROP", c.peekWord == "INDEX" {
                c.index += 1
                c.skipIfNotExists()
                _ = c.name()
                if c.take("ON") { names += c.name().map { [$0] } ?? [] }
            } else {
                c.skip(["TEMPORARY", "LOCAL", "NO_WRITE_TO_BINLOG"])
                guard c.take("TABLE") || c.take("TABLES") || first == "TRUNCATE" else { break }
                c.skipIfNotExists()
                names += first == "RENAME" ? c.renamePairs() : c.nameList()
            }
        case "CREATE":
            c.skip(["OR", "REPLACE", "ONLINE", "UNIQUE", "FULLTEXT", "SPATIAL", "TEMPORARY"])
            if c.take("INDEX") {
                c.skipIfNotExists()
                _ = c.name()
                if c.take("ON") { names += c.name().map { [$0] } ?? [] }
            } else if c.take("TABLE") {
                names += c.sourcesAfterSelect()
            }
        default:
            break
        }
        return names
    }

    struct Cursor {
        var tokens: [SQLTokens.Token]
        var index: Int

        var peekWord: String? { index < tokens.count ? tokens[index].word : nil }

        mutating func take(_ word: String) -> Bool {
            guard peekWord == word else { return false }
            index += 1
            return true
        }

        mutating func skip(_ words: Set<String>) {
            while let w = peekWord, words.contains(w) { index += 1 }
        }

        mutating func skipIfNotExists() {
            if peekWord == "IF" { index += 1; _ = take("NOT"); _ = take("EXISTS") }
        }

        /// `name`, `` `name` ``, `schema.name`.
        mutating func name() -> String? {
            guard index < tokens.count, let part = tokens[index].identifier else { return nil }
            index += 1
            var name = part
            while index + 1 < tokens.count, tokens[index].symbol == ".", let next = tokens[index + 1].identifier {
                name += "." + next
                index += 2
            }
            return name
        }

        mutating func nameList() -> [String] {
            var names: [String] = []
            while let n = name() {
                names.append(n)
                guard index < tokens.count, tokens[index].symbol == "," else { break }
                index += 1
            }
            return names
        }

        mutating func renamePairs() -> [String] {
            var names: [String] = []
            while let n = name() {
                names.append(n)
                guard take("TO"), name() != nil, index < tokens.count, tokens[index].symbol == "," else { break }
                index += 1
            }
            return names
        }

        /// Tables after FROM or JOIN once a SELECT has begun (INSERT … SELECT, CREATE … AS SELECT).
        mutating func sourcesAfterSelect() -> [String] {
            guard let select = tokens[index...].firstIndex(where: { $0.word == "SELECT" }) else { return [] }
            index = select
            var names: [String] = []
            while index < tokens.count {
                let word = tokens[index].word
                index += 1
                if word == "FROM" || word == "JOIN" {
                    if index < tokens.count, tokens[index].symbol == "(" { continue }
                    names += name().map { [$0] } ?? []
                }
            }
            return names
        }
    }
}

/// Words, quoted identifiers and symbols of a statement; strings and comments dropped.
enum SQLTokens {
    struct Token {
        /// Upper-cased bare word (keywords and unquoted names).
        var word: String?
        /// The name as written (bare words keep their case; quotes removed).
        var identifier: String?
        var symbol: Character?
    }

    static func read(_ sql: String) -> [Token] {
        var tokens: [Token] = []
        let chars = Array(sql)
        var i = 0
        func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "$" }
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "#" || (c == "-" && i + 1 < chars.count && chars[i + 1] == "-") {
                while i < chars.count, chars[i] != "\n" { i += 1 }
            } else if c == "/", i + 1 < chars.count, chars[i + 1] == "*" {
                i += 2
                while i + 1 < chars.count, !(chars[i] == "*" && chars[i + 1] == "/") { i += 1 }
                i += 2
            } else if c == "'" {
                i += 1
                while i < chars.count, chars[i] != "'" { i += chars[i] == "\\" ? 2 : 1 }
                i += 1
            } else if c == "`" || c == "\"" {
                var j = i + 1, text = ""
                while j < chars.count, chars[j] != c { text.append(chars[j]); j += 1 }
                tokens.append(Token(identifier: text))
                i = j + 1
            } else if isWordChar(c) {
                var j = i, text = ""
                while j < chars.count, isWordChar(chars[j]) { text.append(chars[j]); j += 1 }
                tokens.append(Token(word: text.uppercased(), identifier: text))
                i = j
            } else {
                tokens.append(Token(symbol: c))
                i += 1
            }
        }
        return tokens
    }
}
