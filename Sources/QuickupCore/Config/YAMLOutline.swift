/// The block structure of a YAML document, line by line (SPEC K1): which lines hold which
/// mapping entries and sequence items, and where each value's text sits. Enough to edit a
/// document in place without re-serialising it (which would lose comments, quoting, anchors).
///
/// Values are not interpreted: a scalar, a flow collection (`{…}`, `[…]`) or a block scalar
/// (`|`, `>`) is a leaf covering its lines. What cannot be outlined safely (tabs in indentation,
/// complex keys, several documents, inconsistent indentation) throws with file:line.
struct YAMLOutline {
    indirect enum Node {
        case mapping(column: Int, entries: [Entry])
        case sequence(column: Int, items: [Item])
        case leaf(Leaf)
    }

    struct Leaf {
        enum Kind { case empty, scalar, flow, block }
        var kind: Kind
        /// The value text on its first line, comment and anchor removed.
        var text: String
    }

    struct Entry {
        var key: String
        var line: Int
        var column: Int
        /// Column where the text after `key:` starts (the space after the colon), on `line`.
        var afterColon: Int
        var value: Value
    }

    struct Item {
        var line: Int
        var column: Int
        /// Column after `- `, where the item's content starts.
        var contentColumn: Int
        var value: Value
    }

    /// A value: its node, its anchor, the last line it covers, and any comment on its first line.
    struct Value {
        var node: Node
        var anchor: String?
        var lastLine: Int
        var comment: String
    }

    let lines: [[Character]]
    let file: String
    var root: Node = .mapping(column: 0, entries: [])
    /// Index of the first line after `---`/directives; new content never goes before it.
    var bodyStart = 0

    init(_ text: TextLines, file: String) throws(QuickupError) {
        lines = text.lines.map { Array($0.content) }
        self.file = file
        try outline()
    }

    func fail(_ line: Int, _ message: String, hint: String = "edit this part of the file by hand, or change it with a config task of format `file`") -> QuickupError {
        QuickupError(.configChange, message, at: SourceLocation(file: file, line: line + 1), hint: hint)
    }

    func indent(_ line: Int) -> Int { lines[line].prefix { $0 == " " }.count }

    func isContent(_ line: Int) -> Bool {
        guard let first = lines[line].first(where: { $0 != " " && $0 != "\t" }) else { return false }
        return first != "#"
    }

    private mutating func outline() throws(QuickupError) {
        var first: Int?
        for index in lines.indices where isContent(index) {
            let text = String(lines[index])
            if text.hasPrefix("%") { bodyStart = index + 1; continue }
            if text == "---" || text.hasPrefix("--- ") || text == "..." {
                if first == nil && text != "..." { bodyStart = index + 1; continue }
                throw fail(index, "\(file) holds several YAML documents; quickup edits single-document files only")
            }
            if lines[index].prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
                throw fail(index, "tab in indentation", hint: "YAML forbids tabs for indentation; fix the file first")
            }
            if first == nil { first = index }
        }
        guard let first else { return }
        let last = lines.indices.last { isContent($0) } ?? first
        root = try block(at: first, column: indent(first), last: last)
    }

    /// The node starting at `column` of `line` and ending at or before `last`.
    func block(at line: Int, column: Int, last: Int) throws(QuickupError) -> Node {
        let rest = lines[line][column...]
        if rest.first == "-" && (rest.count == 1 || rest.dropFirst().first == " ") {
            return try sequence(at: line, column: column, last: last)
        }
        if keyEnd(line, from: column) != nil {
            return try mapping(at: line, column: column, last: last)
        }
        if rest.first == "?" { throw fail(line, "complex mapping keys ('? ') are not supported") }
        return .leaf(leaf(String(rest)).leaf)
    }

    private func mapping(at start: Int, column: Int, last: Int) throws(QuickupError) -> Node {
        var entries: [Entry] = []
        var line = start
        var entryColumn = column
        while line <= last {
            guard let (key, afterColon) = keyEnd(line, from: entryColumn) else {
                throw fail(line, "expected `key: value` at column \(entryColumn + 1)")
            }
            let inline = String(lines[line][afterColon...])
            let parsed = leaf(inline)
            let end = extent(after: line, column: column, blockScalar: parsed.leaf.kind == .block,
                             indentlessSequence: parsed.leaf.kind == .empty)
            let node = try child(of: line, column: column, leaf: parsed.leaf, last: end)
            entries.append(Entry(key: key, line: line, column: entryColumn, afterColon: afterColon,
                                 value: Value(node: node, anchor: parsed.anchor, lastLine: end, comment: parsed.comment)))
            guard let next = try nextSibling(after: end, last: last, column: column, of: "mapping") else { break }
            line = next
            entryColumn = column
        }
        return .mapping(column: column, entries: entries)
    }

    private func sequence(at start: Int, column: Int, last: Int) throws(QuickupError) -> Node {
        var items: [Item] = []
        var line = start
        var dashColumn = column
        while line <= last {
            let text = lines[line]
            guard text.count > dashColumn, text[dashColumn] == "-",
                  text.count == dashColumn + 1 || text[dashColumn + 1] == " " else {
                throw fail(line, "expected a list item `- …` at column \(dashColumn + 1)")
            }
            var content = dashColumn + 1
            while content < text.count && text[content] == " " { content += 1 }
            let parsed = leaf(String(text[min(content, text.count)...]))
            let end = extent(after: line, column: column, blockScalar: parsed.leaf.kind == .block, indentlessSequence: false)
            let node: Node
            if content < text.count && parsed.leaf.kind == .scalar && (keyEnd(line, from: content) != nil || isDash(text, content)) {
                // Compact notation: `- key: value` / `- - x` starts a block inside the item.
                node = try compact(at: line, column: content, last: end)
            } else {
                node = try child(of: line, column: column, leaf: parsed.leaf, last: end)
            }
            items.append(Item(line: line, column: dashColumn, contentColumn: content,
                              value: Value(node: node, anchor: parsed.anchor, lastLine: end, comment: parsed.comment)))
            guard let next = try nextSibling(after: end, last: last, column: column, of: "list") else { break }
            line = next
            dashColumn = column
        }
        return .sequence(column: column, items: items)
    }

    /// A block that starts mid-line after `- `: its later lines sit at `column`.
    private func compact(at line: Int, column: Int, last: Int) throws(QuickupError) -> Node {
        if isDash(lines[line], column) { throw fail(line, "nested compact lists (`- - x`) are not supported") }
        var entries: [Entry] = []
        var current = line
        while current <= last {
            guard let (key, afterColon) = keyEnd(current, from: column) else {
                throw fail(current, "expected `key: value` at column \(column + 1)")
            }
            let parsed = leaf(String(lines[current][afterColon...]))
            let end = extent(after: current, column: column, blockScalar: parsed.leaf.kind == .block,
                             indentlessSequence: parsed.leaf.kind == .empty)
            let node = try child(of: current, column: column, leaf: parsed.leaf, last: end)
            entries.append(Entry(key: key, line: current, column: column, afterColon: afterColon,
                                 value: Value(node: node, anchor: parsed.anchor, lastLine: end, comment: parsed.comment)))
            guard let next = try nextSibling(after: end, last: last, column: column, of: "mapping") else { break }
            current = next
        }
        return .mapping(column: column, entries: entries)
    }

    /// The next content line after `end` (up to `last`), which must sit at the block's `column`;
    /// nil when the block ends.
    private func nextSibling(after end: Int, last: Int, column: Int, of what: String) throws(QuickupError) -> Int? {
        var line = end + 1
        while line <= last && !isContent(line) { line += 1 }
        guard line <= last else { return nil }
        guard indent(line) == column else {
            throw fail(line, "indentation \(indent(line)) does not match the \(what)'s \(column)")
        }
        return line
    }

    /// The node below a key or dash: nested lines when the inline value is empty, else the leaf.
    private func child(of line: Int, column: Int, leaf: Leaf, last: Int) throws(QuickupError) -> Node {
        guard leaf.kind == .empty, last > line,
              let next = ((line + 1)...last).first(where: isContent) else { return .leaf(leaf) }
        return try block(at: next, column: indent(next), last: last)
    }

    /// A `-` that starts a list item (followed by a space or the end of the line), not `-1`.
    func isDash(_ text: [Character], _ column: Int) -> Bool {
        column < text.count && text[column] == "-" && (column + 1 == text.count || text[column + 1] == " ")
    }

    /// The last line belonging to the value that starts on `line` under a node at `column`:
    /// lines indented deeper (and, after an empty value, `- ` lines at the same column).
    func extent(after line: Int, column: Int, blockScalar: Bool, indentlessSequence: Bool) -> Int {
        var end = line
        var index = line + 1
        while index < lines.count {
            let text = lines[index]
            let isBlank = text.allSatisfy { $0 == " " || $0 == "\t" }
            if isBlank || (!blockScalar && !isContent(index)) { index += 1; continue }
            let depth = indent(index)
            let dash = depth < text.count && text[depth] == "-" && (text.count == depth + 1 || text[depth + 1] == " ")
            if depth > column || (indentlessSequence && depth == column && dash) {
                end = index
            } else {
                break
            }
            index += 1
        }
        return end
    }

    /// The key at `column` of `line` and the column right after its colon, or nil when the line
    /// is not `key: …` there.
    func keyEnd(_ line: Int, from column: Int) -> (String, Int)? {
        let text = lines[line]
        guard column < text.count else { return nil }
        if text[column] == "\"" || text[column] == "'" {
            guard let (key, end) = quoted(text, from: column) else { return nil }
            var after = end
            while after < text.count && text[after] == " " { after += 1 }
            guard after < text.count, text[after] == ":", after + 1 == text.count || text[after + 1] == " " else { return nil }
            return (key, after + 1)
        }
        if "[{&*!|>%@`#?".contains(text[column]) { return nil }
        if text[column] == "-" && (column + 1 == text.count || text[column + 1] == " ") { return nil }
        var index = column
        while index < text.count {
            if text[index] == "#" && index > column && text[index - 1] == " " { return nil }
            if text[index] == ":" && (index + 1 == text.count || text[index + 1] == " ") {
                let key = String(text[column..<index]).trimmingBlanks()
                return key.isEmpty ? nil : (key, index + 1)
            }
            index += 1
        }
        return nil
    }

    /// A quoted scalar starting at `column`: its value and the column after the closing quote.
    private func quoted(_ text: [Character], from column: Int) -> (String, Int)? {
        let quote = text[column]
        var value = ""
        var index = column + 1
        while index < text.count {
            let character = text[index]
            if quote == "'" && character == "'" {
                if index + 1 < text.count && text[index + 1] == "'" { value.append("'"); index += 2; continue }
                return (value, index + 1)
            }
            if quote == "\"" && character == "\\" {
                // Keys with escapes are compared by their written form; rare in configuration.
                guard index + 1 < text.count else { return nil }
                value.append(character); value.append(text[index + 1]); index += 2; continue
            }
            if quote == "\"" && character == "\"" { return (value, index + 1) }
            value.append(character)
            index += 1
        }
        return nil
    }

    /// Splits an inline value into anchor, value text and trailing comment.
    func leaf(_ inline: String) -> (leaf: Leaf, anchor: String?, comment: String) {
        var text = Array(inline)
        var start = 0
        while start < text.count && text[start] == " " { start += 1 }
        var anchor: String?
        if start < text.count && text[start] == "&" {
            var end = start + 1
            while end < text.count && text[end] != " " { end += 1 }
            anchor = String(text[(start + 1)..<end])
            start = end
            while start < text.count && text[start] == " " { start += 1 }
        }
        // Find where a trailing comment starts: ` #` outside quotes.
        var index = start
        var commentStart = text.count
        if index < text.count && (text[index] == "\"" || text[index] == "'") {
            if let (_, end) = quoted(text, from: index) { index = end } else { index = text.count }
        }
        while index < text.count {
            if text[index] == "#" && (index == 0 || text[index - 1] == " ") { commentStart = index; break }
            index += 1
        }
        var valueEnd = commentStart
        while valueEnd > start && text[valueEnd - 1] == " " { valueEnd -= 1 }
        let comment = commentStart < text.count ? String(text[valueEnd...]) : ""
        text = Array(text[start..<max(start, valueEnd)])
        let value = String(text)
        let kind: Leaf.Kind
        switch text.first {
        case nil: kind = .empty
        case "|", ">": kind = .block
        case "{", "[": kind = .flow
        default: kind = .scalar
        }
        return (Leaf(kind: kind, text: value), anchor, comment)
    }
}
