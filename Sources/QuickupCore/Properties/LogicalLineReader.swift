/// Splits `.properties` input into logical lines exactly as `java.util.Properties.LineReader`
/// (JDK 17) does, working on UTF-8 bytes.
///
/// Every character that matters here (space, `\t`, `\f`, CR, LF, `#`, `!`, `\`) is ASCII, and in
/// UTF-8 the bytes of a multi-byte character are never ASCII, so scanning bytes makes the same
/// decisions Java makes scanning UTF-16 chars — and is much faster than walking `Character`s.
///
/// Java's rules, reproduced step by step (see `readLine()` in JDK 17's `Properties.java`):
/// - whitespace (space, `\t`, `\f`) at the start of every natural line is skipped;
/// - lines that are empty after that are skipped, and so are comments: a `#` or `!` as the first
///   character of a logical line runs to the end of its natural line and is never continued;
/// - a natural line ending in an odd number of backslashes continues on the next one (the last
///   backslash and the line break are dropped, the next line's leading whitespace is skipped);
///   an odd backslash run at end of file is dropped too;
/// - CR, LF and CRLF all end a line.
struct LogicalLineReader {
    private let input: UnsafeBufferPointer<UInt8>
    private var offset = 0
    /// 1-based physical line of the byte at `offset`; CRLF counts as one line break.
    private var physicalLine = 1

    /// The current logical line: natural lines joined, continuation backslashes removed.
    /// Reused between lines so reading allocates only when a longer line shows up.
    private(set) var line: [UInt8] = []
    /// Where each natural line's contribution starts in `line`, and its physical line number.
    /// Only consulted to place an entry or an error, so it stays tiny.
    private var segments: [(start: Int, physicalLine: Int, inputOffset: Int)] = []
    /// Input offset just past the current logical line's last natural line, before its line
    /// break (or the end of input). Editors replace `lineStartOffset..<endOffset` (K1).
    private(set) var endOffset = 0
    /// True when input ended inside a continuation (`a=b\` or `a=b\<LF>` at end of file):
    /// text appended after it would be joined to this line.
    private(set) var endsInContinuation = false

    init(_ input: UnsafeBufferPointer<UInt8>) {
        self.input = input
        line.reserveCapacity(256)
    }

    /// Reads the next logical line into `line`; `false` at end of input.
    mutating func readLine() -> Bool {
        line.removeAll(keepingCapacity: true)
        segments.removeAll(keepingCapacity: true)
        var skipWhitespace = true
        var appendedLineBegin = false
        var precedingBackslash = false
        var segmentPending = true

        while true {
            guard offset < input.count else {
                if line.isEmpty { return false }
                endsInContinuation = precedingBackslash || appendedLineBegin
                if precedingBackslash { line.removeLast() }
                endOffset = input.count
                return true
            }
            let byte = input[offset]
            let byteLine = physicalLine
            consumeByte()

            if skipWhitespace {
                if PropertiesSyntax.isWhitespace(byte) { continue }
                // A line break right after a continuation ends the logical line (below) instead.
                if !appendedLineBegin && PropertiesSyntax.isLineBreak(byte) { continue }
                skipWhitespace = false
                appendedLineBegin = false
            }
            if line.isEmpty && PropertiesSyntax.isCommentStart(byte) {
                guard skipComment() else { return false }
                skipWhitespace = true
                segments.removeAll(keepingCapacity: true)
                segmentPending = true
                continue
            }
            if !PropertiesSyntax.isLineBreak(byte) {
                if segmentPending {
                    segments.append((line.count, byteLine, offset - 1))
                    segmentPending = false
                }
                // Up to the line break only backslash parity matters, so copy the rest of the
                // natural line in one go instead of byte by byte (the hot path for big files).
                var end = offset
                while end < input.count && !PropertiesSyntax.isLineBreak(input[end]) { end += 1 }
                let run = UnsafeBufferPointer(rebasing: input[(offset - 1)..<end])
                line.append(contentsOf: run)
                offset = end
                let trailingBackslashes = Self.trailingBackslashCount(run)
                let oddRun = trailingBackslashes % 2 == 1
                precedingBackslash = trailingBackslashes == run.count ? precedingBackslash != oddRun : oddRun
                continue
            }
            // End of a natural line.
            if line.isEmpty {
                skipWhitespace = true
                segments.removeAll(keepingCapacity: true)
                segmentPending = true
                continue
            }
            if offset >= input.count || !precedingBackslash {
                endsInContinuation = offset >= input.count && precedingBackslash
                if precedingBackslash { line.removeLast() }
                endOffset = offset - 1
                return true
            }
            // Continuation: drop the backslash, swallow the LF of a CRLF, skip leading whitespace.
            line.removeLast()
            skipWhitespace = true
            appendedLineBegin = true
            precedingBackslash = false
            segmentPending = true
            if byte == PropertiesSyntax.carriageReturn && input[offset] == PropertiesSyntax.lineFeed {
                consumeByte()
            }
        }
    }

    /// The physical line where the current logical line begins: that of its first character,
    /// or, for a line left empty (a lone `\` at end of file), of the backslash.
    var startLine: Int {
        physicalLine(atLineOffset: 0)
    }

    /// Input offset of the logical line's first character (after leading whitespace).
    var firstCharacterOffset: Int { segments.first?.inputOffset ?? endOffset }

    /// Length in `line` of the part taken from the first natural line.
    var firstSegmentLength: Int { segments.count > 1 ? segments[1].start : line.count }

    /// The physical line holding `line[lineOffset]`.
    func physicalLine(atLineOffset lineOffset: Int) -> Int {
        var result = segments.first?.physicalLine ?? physicalLine
        for segment in segments where segment.start <= lineOffset {
            result = segment.physicalLine
        }
        return result
    }

    /// Consumes the rest of a comment up to and including its line break; `false` at end of input.
    private mutating func skipComment() -> Bool {
        while offset < input.count {
            let byte = input[offset]
            consumeByte()
            if PropertiesSyntax.isLineBreak(byte) { return true }
        }
        return false
    }

    private static func trailingBackslashCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        while count < bytes.count && bytes[bytes.count - 1 - count] == PropertiesSyntax.backslash { count += 1 }
        return count
    }

    private mutating func consumeByte() {
        let byte = input[offset]
        if byte == PropertiesSyntax.carriageReturn {
            physicalLine += 1
        } else if byte == PropertiesSyntax.lineFeed
            && (offset == 0 || input[offset - 1] != PropertiesSyntax.carriageReturn) {
            physicalLine += 1
        }
        offset += 1
    }
}
