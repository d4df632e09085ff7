/// MariaDB commits implicitly before and after these statements, so a task containing one cannot
/// be rolled back as a whole (E5). The list follows MariaDB's "SQL statements that cause an
/// implicit commit" page (DDL, account management, table maintenance, locking, transactions).
public enum ImplicitCommit {
    /// True when `statement` would end an open transaction on MariaDB/MySQL.
    public static func causes(_ statement: String) -> Bool {
        let (first, second) = firstTwoWords(statement)
        return causes(first: first, second: second)
    }

    /// The decision from a statement's first two upper-cased words ("" for a missing second).
    static func causes(first: String?, second: String) -> Bool {
        guard let first else { return false }
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

    /// `leadingWords(text, count: 2)` as two values: `causes` is asked of every statement of
    /// 100,000 scripts, and an array of words was an allocation each (P5, issue 20.1); words
    /// this short are strings held inline. The first two words are the same whether the walk
    /// stops after two or three, so the answer is `causes`'s as it was.
    static func firstTwoWords(_ text: String) -> (first: String?, second: String) {
        var first: String?, second = ""
        let walked = asciiWords(text, count: 2) { word in
            if first == nil { first = word } else { second = word }
        }
        if walked { return (first, second) }
        let words = scalarLeadingWords(text, count: 2)
        return (words.first, words.count > 1 ? words[1] : "")
    }

    /// `leadingWords` over UTF-8 bytes, for the common case that everything up to the last word
    /// it reads is ASCII (P5: lint asks this of every statement of 100,000 scripts, and the
    /// scalar walk built each word a scalar at a time); nil at the first other byte.
    static func asciiLeadingWords(_ text: String, count: Int) -> [String]? {
        var words: [String] = []
        return asciiWords(text, count: count) { words.append($0) } ? words : nil
    }

    /// Hands `body` each of the first `count` words, upper-cased, while the text is ASCII;
    /// false when a byte that is not ASCII came first (the words handed over are then void).
    /// Over the text's own bytes when it has them in one piece (any native string): stepping
    /// String's UTF-8 indices cost more than the walk (P5, issue 20.1: every statement).
    private static func asciiWords(_ text: String, count: Int, _ body: (String) -> Void) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { asciiWords(in: $0, count: count, body) }
            ?? asciiWords(in: text.utf8, count: count, body)
    }

    private static func asciiWords<Bytes: Collection<UInt8>>(in utf8: Bytes, count: Int, _ body: (String) -> Void) -> Bool {
        var found = 0
        var start: Bytes.Index?
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte >= 0x80 { return false }
            if byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A || byte == UInt8(ascii: "_") {
                if start == nil { start = index }
            } else {
                if let wordStart = start {
                    body(upper(utf8[wordStart..<index]))
                    start = nil
                    found += 1
                    if found == count { return true }
                }
                if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") && byte != UInt8(ascii: "\n") && byte != UInt8(ascii: "\r") { return true }
            }
            utf8.formIndex(after: &index)
        }
        if let wordStart = start, found < count { body(upper(utf8[wordStart...])) }
        return true
    }

    private static func upper<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
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
