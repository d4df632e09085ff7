/// The `mariadb` client's `add_line()`, byte for byte: what one input line adds to the pending
/// statement, and where statements end. Its quirks are kept on purpose, because the point is to
/// send what the client sends (each was checked against the real client):
///
/// - `-- ` needs a blank or the line's end after `--`, except at the very start of a statement,
///   where `--anything` is a comment too; `#` always starts a comment to the end of the line.
/// - `/* … */` is dropped; if text follows it directly, a space takes its place. `/*! … */` and
///   `/*M! … */` are kept; `/*+ … */` hints are dropped. Only `/*!` (not `/*M!`) is known to be
///   "a server comment": inside it `*/` ends it, and a `/*` inside it starts an ordinary comment
///   that its `*/` does not end. `#`, `--` and the delimiter still work inside `/*! */`.
/// - Quotes: `'`, `"`, `` ` ``; a backslash escapes the next byte in `'` and `"` strings, not in
///   `` ` `` identifiers; doubled quotes need no rule (the quote closes and reopens).
/// - A backslash at the end of a line disappears. Outside quotes, `\N` is text and `\x` is a
///   client command; an unknown one makes the client stop, so it is an error here.
/// - Lines are joined with `\n`, except that no `\n` follows a line whose text since the last
///   comment/delimiter starts with the word `delimiter` (the client expects a DELIMITER command).
/// - Leading blanks of a statement are skipped; the delimiter is not part of the statement.
/// - Multi-byte UTF-8 characters are copied without being looked at.
extension MariaDBScriptSplitter {
    mutating func scanLine(_ line: UnsafeBufferPointer<UInt8>) throws(QuickupError) {
        if line.isEmpty && pending.isEmpty { return }
        pending.markFlushed()
        let count = line.count
        @inline(__always) func byte(_ index: Int) -> UInt8 { index < count ? line[index] : 0 }
        var needsSpace = false  // a dropped /* */ ended right here
        var inServerComment = false  // inside /*! … */, for this line only (as in the client)
        var index = 0
        scanning: while index < count {
            let current = line[index]
            if current.isSQLSpace && pending.isEmpty {
                index += 1
                continue
            }
            // Fast path: a run of bytes that mean nothing here (letters, digits, blanks, whole
            // multi-byte characters) is copied in one go, exactly as the branches below would.
            if !inBlockComment && !needsSpace && !meaningfulBytes.contains(current) {
                var end = index + 1
                while end < count && !meaningfulBytes.contains(line[end]) { end += 1 }
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: line[index..<end]), line: lineNumber)
                index = end
                continue
            }
            if current >= 0xC0 {
                let end = min(index + SQLScriptBytes.sequenceLength(lead: current), count)
                if !inBlockComment { pending.append(contentsOf: UnsafeBufferPointer(rebasing: line[index..<end]), line: lineNumber) }
                index = end
                continue
            }
            if !inBlockComment && current == .backslash && openQuote != .backtick {
                let next = byte(index + 1)
                if next == 0 { break scanning }
                if openQuote != 0 || next == UInt8(ascii: "N") {
                    pending.append(current, line: lineNumber)
                    pending.append(next, line: lineNumber)
                    index += 2
                    continue
                }
                guard let command = MariaDBClientCommand.withShortcut(next) else {
                    let shown = next < 0x80 ? String(UnicodeScalar(next)) : "\\u{\(String(next, radix: 16))}"
                    throw error(.sqlSyntax, "unknown mariadb client command '\\\(shown)'; the client stops here",
                                hint: "outside quotes a backslash starts a client command such as \\g or \\G")
                }
                pending.markFlushed()
                try perform(command, invocation: UnsafeBufferPointer(rebasing: line[index...]), line: lineNumber)
                if quitRequested { return }
                index += 2
                if command.takesArgument { index = endOfArgument(in: line, from: index, inServerComment: inServerComment) }
                continue
            }
            if !inBlockComment && openQuote == 0 && delimiterStarts(in: line, at: index) {
                index += delimiter.count
                try endStatement()
                if quitRequested { return }
                continue
            }
            if !inBlockComment && openQuote == 0
                && (current == .hash
                    || (current == .dash && byte(index + 1) == .dash
                        && (byte(index + 2).isSQLSpace || byte(index + 2) == 0 || pending.isEmpty))) {
                pending.markFlushed()
                break scanning
            }
            if openQuote == 0 && current == .slash && byte(index + 1) == .star
                && !(byte(index + 2) == .bang || (byte(index + 2) == UInt8(ascii: "M") && byte(index + 3) == .bang)) {
                if !inBlockComment { blockCommentLine = lineNumber }
                inBlockComment = true
                pending.markFlushed()
                index += 2
                continue
            }
            if inBlockComment && !inServerComment && current == .star && byte(index + 1) == .slash {
                inBlockComment = false
                pending.markFlushed()
                needsSpace = true
                index += 2
                continue
            }
            if openQuote == 0 && current == .slash && byte(index + 1) == .star && byte(index + 2) == .bang {
                inServerComment = true
            } else if openQuote == 0 && inServerComment && current == .star && byte(index + 1) == .slash {
                inServerComment = false
            }
            if current == openQuote {
                openQuote = 0
            } else if !inBlockComment && openQuote == 0
                        && (current == .singleQuote || current == .doubleQuote || current == .backtick) {
                openQuote = current
                openQuoteLine = lineNumber
            }
            if !inBlockComment {
                if needsSpace && !current.isSQLSpace { pending.append(.space, line: lineNumber) }
                needsSpace = false
                pending.append(current, line: lineNumber)
            }
            index += 1
        }
        if !pending.isEmpty && !inBlockComment
            && (!pending.segmentStartsWithDelimiterCommand || openQuote != 0) {
            pending.append(.newline, line: lineNumber)
        }
    }

    /// A delimiter ended the statement: the client runs it as a command if it is one
    /// (`use db;`, `delimiter //;`), else sends it.
    private mutating func endStatement() throws(QuickupError) {
        pending.markFlushed()
        let command = pending.bytes.withUnsafeBufferPointer { MariaDBClientCommand.find(in: $0, delimiter: delimiter) }
        guard let command else {
            send()
            return
        }
        let statement = pending.bytes
        try statement.withUnsafeBufferPointer { (text) throws(QuickupError) in
            try perform(command, invocation: text, line: pending.startLine)
        }
        // After `quit` the client leaves the buffer as it is, and sends it on the way out.
        if !quitRequested { pending.clear() }
    }

    /// Where the argument of a `\x` command ends: at the `*/` of a `/*! */` comment (kept), else
    /// just after the next delimiter (dropped), else at the end of the line.
    private func endOfArgument(in line: UnsafeBufferPointer<UInt8>, from start: Int, inServerComment: Bool) -> Int {
        var index = start
        if inServerComment {
            while index < line.count && !(line[index] == .star && index + 1 < line.count && line[index + 1] == .slash) {
                index += 1
            }
            return index
        }
        while index < line.count && !delimiterStarts(in: line, at: index) { index += 1 }
        return index < line.count ? index + delimiter.count : index
    }

    @inline(__always)
    private func delimiterStarts(in line: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard line[index] == delimiter[0] else { return false }
        guard index + delimiter.count <= line.count else { return false }
        var offset = 1
        while offset < delimiter.count {
            if line[index + offset] != delimiter[offset] { return false }
            offset += 1
        }
        return true
    }
}
