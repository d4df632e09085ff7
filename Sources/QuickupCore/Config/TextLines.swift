/// A text split into natural lines that keep their own line break (LF, CRLF or CR), so that
/// joining them gives back the exact bytes: line-level editors change only the lines they mean to.
struct TextLines {
    struct Line {
        var content: String
        /// `"\n"`, `"\r\n"`, `"\r"`, or `""` for a last line without a break.
        var terminator: String
        var text: String { content + terminator }
    }

    var lines: [Line]

    init(_ text: String) {
        lines = []
        var content = ""
        for character in text {
            if character == "\n" || character == "\r\n" || character == "\r" {
                lines.append(Line(content: content, terminator: String(character)))
                content = ""
            } else {
                content.append(character)
            }
        }
        if !content.isEmpty { lines.append(Line(content: content, terminator: "")) }
    }

    var text: String { lines.map(\.text).joined() }

    /// The break new lines get: the file's first one, LF for a file without any.
    var lineEnd: String { lines.first { !$0.terminator.isEmpty }?.terminator ?? "\n" }

    /// Appends a line, first giving a break to a last line that had none.
    mutating func append(_ content: String) {
        let end = lineEnd
        if let last = lines.indices.last, lines[last].terminator.isEmpty { lines[last].terminator = end }
        lines.append(Line(content: content, terminator: end))
    }

    /// Inserts a line before `index`, taking the break the file uses.
    mutating func insert(_ content: String, at index: Int) {
        if index == lines.count { append(content); return }
        lines.insert(Line(content: content, terminator: lineEnd), at: index)
    }
}
