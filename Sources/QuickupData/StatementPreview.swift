/// The start of a statement or command for error messages (SPEC D2: errors name the statement):
/// enough to recognise it in the script, short enough for one line of a report.
enum StatementPreview {
    static func of(_ text: String, limit: Int = 80) -> String {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
        let joined = words.joined(separator: " ")
        return joined.count <= limit ? joined : String(joined.prefix(limit)) + "…"
    }
}
