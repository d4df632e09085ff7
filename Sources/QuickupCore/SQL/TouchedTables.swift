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
///
/// Read from UTF-8 bytes (issue 19: lint tokenises every DDL statement of a release): every
/// byte that delimits a token is ASCII, and a non-ASCII scalar is decoded only to ask whether it
/// is a letter, a digit or a blank. Combining marks continue a word, as they did when this read
/// `Character`s; a `\r\n` inside a `--`/`#` comment does not end it (one `Character` then).
enum SQLTokens {
    struct Token {
        /// Upper-cased bare word (keywords and unquoted names).
        var word: String?
        /// The name as written (bare words keep their case; quotes removed).
        var identifier: String?
        var symbol: Unicode.Scalar?
    }

    static func read(_ sql: String) -> [Token] {
        var sql = sql
        return sql.withUTF8 { read(utf8: $0) }
    }

    static func read(utf8 b: UnsafeBufferPointer<UInt8>) -> [Token] {
        var tokens: [Token] = []
        let n = b.count
        var i = 0
        while i < n {
            let c = b[i]
            if c < 0x80 {
                if c == 0x20 || (c >= 0x09 && c <= 0x0D) { i += 1; continue }
                if c == UInt8(ascii: "#") || (c == UInt8(ascii: "-") && i + 1 < n && b[i + 1] == UInt8(ascii: "-")) {
                    // To a line feed that is a Character of its own (not the end of a `\r\n`).
                    while i < n, !(b[i] == 0x0A && (i == 0 || b[i - 1] != 0x0D)) { i += 1 }
                } else if c == UInt8(ascii: "/"), i + 1 < n, b[i + 1] == UInt8(ascii: "*") {
                    i += 2
                    while i + 1 < n, !(b[i] == UInt8(ascii: "*") && b[i + 1] == UInt8(ascii: "/")) { i += 1 }
                    i += 2
                } else if c == UInt8(ascii: "'") {
                    i += 1
                    while i < n, b[i] != UInt8(ascii: "'") { i += b[i] == UInt8(ascii: "\\") ? 1 + scalarLength(b, i + 1) : scalarLength(b, i) }
                    i += 1
                } else if c == UInt8(ascii: "`") || c == UInt8(ascii: "\"") {
                    var j = i + 1
                    while j < n, b[j] != c { j += 1 }
                    tokens.append(Token(identifier: String(decoding: UnsafeBufferPointer(rebasing: b[(i + 1)..<j]), as: UTF8.self)))
                    i = j + 1
                } else if isASCIIWordByte(c) {
                    let j = wordEnd(b, from: i)
                    let text = String(decoding: UnsafeBufferPointer(rebasing: b[i..<j]), as: UTF8.self)
                    tokens.append(Token(word: text.uppercased(), identifier: text))
                    i = j
                } else {
                    tokens.append(Token(symbol: Unicode.Scalar(c)))
                    i += 1
                }
                continue
            }
            let (scalar, length) = decode(b, i)
            // Blanks, and marks left over from a Character begun by a blank or a quote.
            if scalar.properties.isWhitespace || isCombining(scalar) { i += length; continue }
            if isWordScalar(scalar) {
                let j = wordEnd(b, from: i)
                let text = String(decoding: UnsafeBufferPointer(rebasing: b[i..<j]), as: UTF8.self)
                tokens.append(Token(word: text.uppercased(), identifier: text))
                i = j
            } else {
                tokens.append(Token(symbol: scalar))
                i += length
                // Marks that combine with a symbol belong to it (one Character).
                while i < n, b[i] >= 0x80, case let (next, nextLength) = decode(b, i), isCombining(next) { i += nextLength }
            }
        }
        return tokens
    }

    @inline(__always)
    private static func isASCIIWordByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: "$")
    }

    /// End of the word starting at `start`: letters, digits, `_`, `$`, and marks combining with them.
    private static func wordEnd(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var j = start
        while j < b.count {
            if b[j] < 0x80 {
                guard isASCIIWordByte(b[j]) else { break }
                j += 1
            } else {
                let (scalar, length) = decode(b, j)
                guard isWordScalar(scalar) || isCombining(scalar) else { break }
                j += length
            }
        }
        return j
    }

    private static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        s.properties.isAlphabetic || s.properties.numericType != nil
    }

    private static func isCombining(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return s.value == 0x200D  // zero-width joiner
        }
    }

    @inline(__always)
    private static func scalarLength(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        i < b.count ? SQLScriptBytes.sequenceLength(lead: b[i]) : 1
    }

    /// The scalar at `i` of valid UTF-8 (statements come from Strings), and its length.
    private static func decode(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Unicode.Scalar, Int) {
        let length = min(SQLScriptBytes.sequenceLength(lead: b[i]), b.count - i)
        var value = UInt32(b[i]) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for k in 1..<max(length, 1) { value = value << 6 | UInt32(b[i + k] & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }
}
