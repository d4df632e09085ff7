/// The bytes that carry meaning in a `.properties` file, and how Java splits a logical line into
/// key and value (`Properties.load0` in JDK 17).
///
/// Everything significant is ASCII, so UTF-8 bytes can be classified one at a time.
enum PropertiesSyntax {
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let formFeed: UInt8 = 0x0C
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let backslash = UInt8(ascii: "\\")
    static let equals = UInt8(ascii: "=")
    static let colon = UInt8(ascii: ":")
    static let hash = UInt8(ascii: "#")
    static let bang = UInt8(ascii: "!")

    /// Java's properties whitespace: space, tab and form feed — not CR/LF, not Unicode spaces.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab || byte == formFeed
    }

    @inline(__always)
    static func isLineBreak(_ byte: UInt8) -> Bool {
        byte == lineFeed || byte == carriageReturn
    }

    @inline(__always)
    static func isSeparator(_ byte: UInt8) -> Bool {
        byte == equals || byte == colon
    }

    @inline(__always)
    static func isCommentStart(_ byte: UInt8) -> Bool {
        byte == hash || byte == bang
    }

    /// Where the key ends and the value starts in one logical line.
    ///
    /// The key runs to the first unescaped `=`, `:` or whitespace. After it, whitespace is
    /// skipped, then at most one `=`/`:` (only if the key did not already end at one), then
    /// whitespace again; the value is whatever is left, trailing whitespace included.
    static func splitKeyValue(_ line: UnsafeBufferPointer<UInt8>) -> (keyEnd: Int, valueStart: Int) {
        let limit = line.count
        var keyEnd = 0
        var valueStart = limit
        var hasSeparator = false
        var precedingBackslash = false
        while keyEnd < limit {
            let byte = line[keyEnd]
            if !precedingBackslash {
                if isSeparator(byte) {
                    valueStart = keyEnd + 1
                    hasSeparator = true
                    break
                }
                if isWhitespace(byte) {
                    valueStart = keyEnd + 1
                    break
                }
            }
            precedingBackslash = byte == backslash ? !precedingBackslash : false
            keyEnd += 1
        }
        while valueStart < limit {
            let byte = line[valueStart]
            if !isWhitespace(byte) {
                guard !hasSeparator && isSeparator(byte) else { break }
                hasSeparator = true
            }
            valueStart += 1
        }
        return (keyEnd, valueStart)
    }
}
