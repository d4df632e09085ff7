/// MariaDB commits implicitly before and after these statements, so a task containing one cannot
/// be rolled back as a whole (E5). The list follows MariaDB's "SQL statements that cause an
/// implicit commit" page (DDL, account management, table maintenance, locking, transactions).
public enum ImplicitCommit {
    /// True when `statement` would end an open transaction on MariaDB/MySQL.
    public static func causes(_ statement: String) -> Bool {
        let words = leadingWords(statement, count: 3)
        guard let first = words.first else { return false }
        let second = words.count > 1 ? words[1] : ""
        switch first {
        case "ALTER", "RENAME", "TRUNCATE", "GRANT", "REVOKE", "FLUSH", "INSTALL", "UNINSTALL",
             "BEGIN", "COMMIT", "ANALYZE", "OPTIMIZE", "REPAIR", "CACHE", "RESET", "PURGE":
            return true
        case "CREATE", "DROP":
            return second != "TEMPORARY"
        case "START":
            return second == "TRANSACTION"
        case "LOCK", "UNLOCK":
            return second == "TABLES" || second == "TABLE"
        case "LOAD":
            return second == "INDEX"
        case "CHECK":
            return second == "TABLE"
        case "SET":
            return second == "PASSWORD"
        default:
            return false
        }
    }

    /// Upper-cased leading words, skipping comments the splitter kept (`/*! … */` is not skipped:
    /// it is executable). Drivers use it too (MariaDB packs statements by their first word).
    public static func leadingWords(_ text: String, count: Int) -> [String] {
        asciiLeadingWords(text, count: count) ?? scalarLeadingWords(text, count: count)
    }

    /// `leadingWords` over UTF-8 bytes, for the common case that everything up to the last word
    /// it reads is ASCII (P5: lint asks this of every statement of 100,000 scripts, and the
    /// scalar walk built each word a scalar at a time); nil at the first other byte.
    static func asciiLeadingWords(_ text: String, count: Int) -> [String]? {
        var words: [String] = []
        let utf8 = text.utf8
        var start: String.Index?
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte >= 0x80 { return nil }
            if byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A || byte == UInt8(ascii: "_") {
                if start == nil { start = index }
            } else {
                if let wordStart = start {
                    words.append(upper(utf8[wordStart..<index]))
                    start = nil
                    if words.count == count { return words }
                }
                if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") && byte != UInt8(ascii: "\n") && byte != UInt8(ascii: "\r") { return words }
            }
            utf8.formIndex(after: &index)
        }
        if let wordStart = start, words.count < count { words.append(upper(utf8[wordStart...])) }
        return words
    }

    private static func upper(_ bytes: Substring.UTF8View) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { buffer in
            var filled = 0
            for byte in bytes {
                buffer[filled] = byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
                filled += 1
            }
            return filled
        }
    }

    /// `leadingWords` for any text, a scalar at a time.
    static func scalarLeadingWords(_ text: String, count: Int) -> [String] {
        var words: [String] = []
        var current = ""
        for scalar in text.unicodeScalars {
            // ASCII first: asking a scalar's properties costs a table lookup (issue 19).
            let isWordScalar = scalar.isASCII
                ? (scalar.value | 0x20 >= 0x61 && scalar.value | 0x20 <= 0x7A) || scalar == "_"
                : scalar.properties.isAlphabetic
            if isWordScalar {
                current.unicodeScalars.append(scalar)
            } else {
                if !current.isEmpty {
                    words.append(current.uppercased())
                    current = ""
                    if words.count == count { return words }
                }
                if scalar != " " && scalar != "\t" && scalar != "\n" && scalar != "\r" { break }
            }
        }
        if !current.isEmpty, words.count < count { words.append(current.uppercased()) }
        return words
    }
}
