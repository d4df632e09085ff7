import QuickupTestSupport
import Testing
@testable import QuickupCore

/// Issue 19: `SQLTokens` reads UTF-8 bytes instead of `Character`s. On statements of ASCII, CJK,
/// accented letters, digits of other scripts, quotes, comments and CRLF, it must give exactly the
/// tokens the `Character` reader gave (kept here as the reference).
@Suite("SQL tokens from bytes (issue 19)")
struct SQLTokensTests {
    /// The reader as it was before issue 19, verbatim.
    static func referenceTokens(_ sql: String) -> [String] {
        var tokens: [String] = []
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
                tokens.append("identifier:\(text)")
                i = j + 1
            } else if isWordChar(c) {
                var j = i, text = ""
                while j < chars.count, isWordChar(chars[j]) { text.append(chars[j]); j += 1 }
                tokens.append("word:\(text.uppercased())|\(text)")
                i = j
            } else {
                tokens.append("symbol:\(c)")
                i += 1
            }
        }
        return tokens
    }

    static func tokens(_ sql: String) -> [String] {
        SQLTokens.read(sql).map { token in
            if let word = token.word { return "word:\(word)|\(token.identifier ?? "")" }
            if let identifier = token.identifier { return "identifier:\(identifier)" }
            return "symbol:\(token.symbol.map { String($0) } ?? "")"
        }
    }

    static let pieces = [
        "CREATE", " ", "TABLE", "IF", "NOT", "EXISTS", "`Orders`", "\"q\"", "shop.t", "(", ")", ",", ";", "=", "'",
        "'a\\'b'", "\\", "-- c\n", "--x", "#h\n", "/* c */", "/*", "*/", "\n", "\r\n", "\t", "表", "名前", "café",
        "٣", "x1", "$v", "_u", "ü", "😀", "\u{00A0}", "\u{3000}", "·", "—", "a_b$9", "ALTER", "DROP", "COLUMN",
    ]

    @Test("random statements: the same tokens as the Character reader")
    func differential() {
        var rng = SplitMix64(seed: 0x19_0001)
        for round in 0..<5_000 {
            var sql = ""
            for _ in 0..<Int.random(in: 0...30, using: &rng) {
                sql += Self.pieces[Int.random(in: 0..<Self.pieces.count, using: &rng)]
                if Bool.random(using: &rng) { sql += " " }
            }
            #expect(Self.tokens(sql) == Self.referenceTokens(sql), "round \(round): \(sql.debugDescription)")
        }
    }

    @Test("the shapes lint reads are unchanged on typical DDL")
    func shapes() {
        for sql in ["CREATE TABLE IF NOT EXISTS `表` (id INT)", "ALTER TABLE shop.orders DROP COLUMN IF EXISTS 名前, ADD COLUMN c INT",
                    "DELETE FROM t -- WHERE\n", "UPDATE t SET a = 'WHERE' ", "DROP INDEX i ON t"] {
            #expect(Self.tokens(sql) == Self.referenceTokens(sql), "\(sql)")
        }
        #expect(StatementShape.of("ALTER TABLE shop.orders DROP COLUMN IF EXISTS 名前, ADD COLUMN c INT").kind
            == .alterTable(actions: [.init(verb: .dropColumn, column: "名前", guarded: true), .init(verb: .addColumn, column: "c", guarded: false)]))
    }
}
