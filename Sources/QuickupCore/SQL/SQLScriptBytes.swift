/// The bytes the splitters scan, and the byte classes they share.
///
/// Splitting works on UTF-8 bytes, not Characters: every byte that matters (quotes, `;`, `\`,
/// comment markers) is ASCII, and UTF-8 never uses ASCII values inside a multi-byte character.
enum SQLScriptBytes {
    /// The script's UTF-8 bytes with what the `mariadb` client drops while reading lines removed:
    /// a byte-order mark at the very start, and the `\r` of each `\r\n` (a lone `\r` stays).
    static func normalized(_ script: String) -> [UInt8] {
        var script = script
        return script.withUTF8 { normalized($0) }
    }

    /// `normalized` of the text these bytes hold. An array slice with nothing to drop gives the
    /// array it covers, not a copy (P5: the loader splits 100,000 scripts as it read them).
    static func normalized<Bytes: RandomAccessCollection>(_ script: Bytes) -> [UInt8] where Bytes.Element == UInt8, Bytes.Index == Int {
        let body = script[(script.starts(with: byteOrderMark) ? script.startIndex + byteOrderMark.count : script.startIndex)...]
        guard body.contains(.carriageReturn) else { return Array(body) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(body.count)
        for index in body.indices {
            let isLineEndCarriageReturn = body[index] == .carriageReturn && index + 1 < body.endIndex && body[index + 1] == .newline
            if !isLineEndCarriageReturn { bytes.append(body[index]) }
        }
        return bytes
    }

    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Number of bytes of the UTF-8 sequence that `lead` starts (1 for ASCII and stray bytes).
    @inline(__always)
    static func sequenceLength(lead: UInt8) -> Int {
        if lead < 0xC0 { return 1 }
        if lead < 0xE0 { return 2 }
        if lead < 0xF0 { return 3 }
        return 4
    }

    /// ASCII letters compared without case, as the client compares command names.
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercaseWord: [UInt8]) -> Bool {
        guard bytes.count == lowercaseWord.count else { return false }
        for (byte, expected) in zip(bytes, lowercaseWord) where byte.asciiLowercased != expected {
            return false
        }
        return true
    }
}

/// A set of ASCII bytes, tested with two shifts and a mask (hot loops ask it for every byte).
struct ASCIIByteSet {
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    init(_ bytes: [UInt8]) {
        for byte in bytes where byte < 0x80 { insert(byte) }
    }

    mutating func insert(_ byte: UInt8) {
        if byte < 64 { low |= 1 << UInt64(byte) } else if byte < 128 { high |= 1 << UInt64(byte - 64) }
    }

    @inline(__always)
    func contains(_ byte: UInt8) -> Bool {
        if byte < 64 { return low & (1 << UInt64(byte)) != 0 }
        if byte < 128 { return high & (1 << UInt64(byte - 64)) != 0 }
        return false
    }
}

extension UInt8 {
    static let tab = UInt8(ascii: "\t")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let semicolon = UInt8(ascii: ";")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")
    static let star = UInt8(ascii: "*")
    static let dash = UInt8(ascii: "-")
    static let hash = UInt8(ascii: "#")
    static let bang = UInt8(ascii: "!")
    static let singleQuote = UInt8(ascii: "'")
    static let doubleQuote = UInt8(ascii: "\"")
    static let backtick = UInt8(ascii: "`")

    /// Whitespace as the client's `my_isspace` sees it: space, `\t`, `\n`, `\v`, `\f`, `\r`.
    @inline(__always)
    var isSQLSpace: Bool { self == .space || (self >= 0x09 && self <= 0x0D) }

    /// What the client's `remove_cntrl` keeps at a statement's end: anything but ASCII controls
    /// and space (bytes of multi-byte characters count as printable with a UTF-8 connection).
    @inline(__always)
    var isSQLPrintable: Bool { self > 0x20 && self != 0x7F }

    /// Letters, digits, `_`, `$` and every byte of a multi-byte character: what a word is made of.
    @inline(__always)
    var isSQLWordByte: Bool {
        self >= 0x80 || self == UInt8(ascii: "_") || self == UInt8(ascii: "$")
            || (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9")) || asciiLowercased.isASCIILowercaseLetter
    }

    var asciiLowercased: UInt8 {
        self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z") ? self + 0x20 : self
    }

    var isASCIILowercaseLetter: Bool { self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z") }
}
