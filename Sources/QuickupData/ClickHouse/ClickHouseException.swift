import Foundation

/// An exception reported by a ClickHouse server over HTTP: its numeric code, the code's name when
/// the server says it, and the message.
struct ClickHouseException: Sendable, Equatable {
    var code: Int?
    var name: String?
    var message: String

    /// `ClickHouse error 60 (UNKNOWN_TABLE): Table x doesn't exist`.
    var summary: String {
        var text = "ClickHouse error"
        if let code { text += " \(code)" }
        if let name { text += " (\(name))" }
        return text + ": " + message
    }

    /// Reads the text the server sends for an exception. Two generations exist:
    ///
    /// - up to 20.x: `Code: 60, e.displayText() = DB::Exception: Table x doesn't exist, e.what() = DB::Exception`
    /// - since 21.x: `Code: 60. DB::Exception: Table x doesn't exist. (UNKNOWN_TABLE) (version 23.8.1.1)`
    ///
    /// `headerCode` is `X-ClickHouse-Exception-Code` (sent since 20.3 when the error came before any
    /// data); it wins over the code in the text.
    static func parse(_ text: String, headerCode: String? = nil) -> ClickHouseException {
        var rest = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        var code = headerCode.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if rest.hasPrefix("Code: ") {
            let digits = rest.dropFirst(6).prefix(while: \.isNumber)
            if code == nil { code = Int(digits) }
            rest = rest.dropFirst(6 + digits.count)
            if rest.hasPrefix(".") || rest.hasPrefix(",") { rest = rest.dropFirst() }
            rest = rest.drop(while: { $0 == " " })
        }
        for prefix in ["e.displayText() = ", "DB::Exception: ", "DB::ErrnoException: ", "DB::NetException: "] {
            if rest.hasPrefix(prefix) { rest = rest.dropFirst(prefix.count) }
        }
        var message = String(rest)
        for suffix in [", e.what() = DB::Exception", ", e.what() = DB::NetException"] where message.hasSuffix(suffix) {
            message.removeLast(suffix.count)
        }
        var name: String?
        // "… (UNKNOWN_TABLE) (version 23.8.1.1)": peel the version, then the code's name.
        if let range = message.range(of: " (version ", options: .backwards), message.hasSuffix(")") {
            message = String(message[..<range.lowerBound])
        }
        if message.hasSuffix(")"), let open = message.lastIndex(of: "(") {
            let candidate = message[message.index(after: open)..<message.index(before: message.endIndex)]
            if !candidate.isEmpty, candidate.allSatisfy({ $0.isUppercase || $0 == "_" || $0.isNumber }) {
                name = String(candidate)
                message = String(message[..<open]).trimmingCharacters(in: .whitespaces)
                if message.hasSuffix(".") { message.removeLast() }
            }
        }
        return ClickHouseException(code: code, name: name, message: message.isEmpty ? text : message)
    }

    /// An exception the server wrote into a `200 OK` body because it happened after the response
    /// had started (streamed results, progress headers). `tail` is the end of the body.
    ///
    /// - Servers with exception tagging (25.x) send `X-ClickHouse-Exception-Tag: T` and frame the
    ///   text as `__exception__T\n<text>\n<size> T__exception__`.
    /// - Older ones append the plain exception text as the body's last line(s), starting with
    ///   `Code: NNN` at the start of a line. Data in TabSeparated never contains a raw newline, so
    ///   only a row that itself starts with `Code: NNN` and mentions `DB::Exception` could be
    ///   mistaken for one — accepted, as upgrade scripts do not select such rows.
    static func inBody(_ tail: [UInt8], exceptionTag: String?) -> ClickHouseException? {
        let text = String(decoding: tail, as: UTF8.self)
        if let tag = exceptionTag, !tag.isEmpty, let start = text.range(of: "__exception__" + tag) {
            var framed = text[start.upperBound...]
            if let end = framed.range(of: tag + "__exception__", options: .backwards) {
                framed = framed[..<end.lowerBound]
                // Drop the "<size> " that precedes the closing tag.
                let lines = framed.split(separator: "\n", omittingEmptySubsequences: true)
                framed = lines.dropLast().joined(separator: "\n")[...]
            }
            return parse(String(framed))
        }
        var searchEnd = text.endIndex
        while let found = text.range(of: "Code: ", options: .backwards, range: text.startIndex..<searchEnd) {
            let atLineStart = found.lowerBound == text.startIndex || text[text.index(before: found.lowerBound)] == "\n"
            let candidate = text[found.lowerBound...]
            let digits = candidate.dropFirst(6).prefix(while: \.isNumber)
            let afterDigits = candidate.dropFirst(6 + digits.count)
            if atLineStart, !digits.isEmpty, afterDigits.hasPrefix(". ") || afterDigits.hasPrefix(", "),
               candidate.contains("DB::") {
                return parse(String(candidate))
            }
            searchEnd = found.lowerBound
        }
        return nil
    }

    /// Wrong user, password or address: not worth retrying, and the operator must fix env.yaml.
    var isAuthentication: Bool {
        guard let code else { return false }
        return [192, 193, 194, 195, 516].contains(code)
    }

    /// What to do about the common failures of upgrade scripts.
    func hint(queryID: String) -> String {
        let lookup = "the server's system.query_log has it under query_id '\(queryID)'"
        switch code {
        case 60?, 81?: return "check the table and database names and the datasource's database in env.yaml; \(lookup)"
        case 62?: return "check the statement's syntax against the server's version (older servers lack e.g. ADD COLUMN IF NOT EXISTS); \(lookup)"
        case 15?, 44?, 57?: return "the object already exists: the script may have run before; make it idempotent (IF NOT EXISTS) or mark the task done; \(lookup)"
        case 159?: return "the statement exceeded the server's max_execution_time; \(lookup)"
        case 241?: return "the server ran out of memory for this statement; raise max_memory_usage or split the work; \(lookup)"
        case 394?: return "the statement was cancelled (KILL QUERY) on the server; \(lookup)"
        default: return lookup
        }
    }
}
