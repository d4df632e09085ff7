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
