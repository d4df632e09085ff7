/// Turns the raw bytes of a key or value into its text, as Java's `Properties.loadConvert` does:
/// `\t \n \r \f` become those controls, `\uXXXX` (exactly four hex digits, either case) becomes
/// that UTF-16 code unit, and a backslash before anything else just keeps that character
/// (`\=` → `=`, `\\` → `\`, `\中` → `中`).
///
/// `\uXXXX` yields UTF-16 code units, so `\uD83D\uDE00` is one emoji. A surrogate left unpaired
/// is valid in a Java string but not in a Swift one; it becomes U+FFFD (the same repair
/// `String(decoding:as: UTF16.self)` makes).
struct PropertiesUnescaper {
    /// A `\u` not followed by four hex digits; Java throws "Malformed \uxxxx encoding." here.
    struct MalformedEscape: Error {
        /// Offset of the backslash within the bytes handed to `text(of:)`.
        var offset: Int
        /// The offending escape as written (at most six bytes), for the message.
        var written: String
    }

    /// Output buffer reused between calls; only the escape path needs it.
    private var scratch: [UInt8] = []
    /// A high surrogate from `\uD8xx` waiting to see whether a low one follows.
    private var pendingHighSurrogate: UInt16?

    init() {
        scratch.reserveCapacity(256)
    }

    mutating func text(of raw: UnsafeBufferPointer<UInt8>) throws(MalformedEscape) -> String {
        guard let firstBackslash = raw.firstIndex(of: PropertiesSyntax.backslash) else {
            return String(decoding: raw, as: UTF8.self)
        }
        scratch.removeAll(keepingCapacity: true)
        pendingHighSurrogate = nil
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: raw[..<firstBackslash]))

        var index = firstBackslash
        while index < raw.count {
            let byte = raw[index]
            guard byte == PropertiesSyntax.backslash else {
                appendLiteral(byte)
                index += 1
                continue
            }
            // The line reader never leaves an unescaped backslash last, but stay safe anyway.
            guard index + 1 < raw.count else { break }
            let escaped = raw[index + 1]
            if escaped == UInt8(ascii: "u") {
                guard let unit = Self.hexCodeUnit(raw, from: index + 2) else {
                    let end = min(index + 6, raw.count)
                    let written = String(decoding: UnsafeBufferPointer(rebasing: raw[index..<end]), as: UTF8.self)
                    throw MalformedEscape(offset: index, written: written)
                }
                appendCodeUnit(unit)
                index += 6
            } else {
                appendLiteral(Self.control(for: escaped) ?? escaped)
                index += 2
            }
        }
        flushPendingSurrogate()
        return String(decoding: scratch, as: UTF8.self)
    }

    /// `t r n f` name controls; every other escaped character stands for itself.
    private static func control(for byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "t"): return PropertiesSyntax.tab
        case UInt8(ascii: "n"): return PropertiesSyntax.lineFeed
        case UInt8(ascii: "r"): return PropertiesSyntax.carriageReturn
        case UInt8(ascii: "f"): return PropertiesSyntax.formFeed
        default: return nil
        }
    }

    /// Four hex digits starting at `start`, or `nil` if there are fewer or any is not hex.
    /// A non-ASCII character is never a hex digit, so counting bytes matches Java counting chars.
    private static func hexCodeUnit(_ raw: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt16? {
        guard start + 4 <= raw.count else { return nil }
        var value: UInt16 = 0
        for index in start..<(start + 4) {
            let byte = raw[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// Literal bytes are copied as they are; multi-byte UTF-8 stays intact byte by byte.
    private mutating func appendLiteral(_ byte: UInt8) {
        flushPendingSurrogate()
        scratch.append(byte)
    }

    private mutating func appendCodeUnit(_ unit: UInt16) {
        if UTF16.isLeadSurrogate(unit) {
            flushPendingSurrogate()
            pendingHighSurrogate = unit
        } else if UTF16.isTrailSurrogate(unit) {
            if let high = pendingHighSurrogate {
                pendingHighSurrogate = nil
                let value = 0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(unit - 0xDC00)
                appendScalar(Unicode.Scalar(value) ?? Self.replacement)
            } else {
                appendScalar(Self.replacement)
            }
        } else {
            flushPendingSurrogate()
            appendScalar(Unicode.Scalar(unit) ?? Self.replacement)
        }
    }

    private mutating func flushPendingSurrogate() {
        guard pendingHighSurrogate != nil else { return }
        pendingHighSurrogate = nil
        appendScalar(Self.replacement)
    }

    /// Appends `scalar` as UTF-8 (by hand: this runs per escape and must not allocate).
    private mutating func appendScalar(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        switch value {
        case ..<0x80:
            scratch.append(UInt8(value))
        case ..<0x800:
            scratch.append(0xC0 | UInt8(value >> 6))
            scratch.append(0x80 | UInt8(value & 0x3F))
        case ..<0x10000:
            scratch.append(0xE0 | UInt8(value >> 12))
            scratch.append(0x80 | UInt8((value >> 6) & 0x3F))
            scratch.append(0x80 | UInt8(value & 0x3F))
        default:
            scratch.append(0xF0 | UInt8(value >> 18))
            scratch.append(0x80 | UInt8((value >> 12) & 0x3F))
            scratch.append(0x80 | UInt8((value >> 6) & 0x3F))
            scratch.append(0x80 | UInt8(value & 0x3F))
        }
    }

    private static let replacement: Unicode.Scalar = "\u{FFFD}"
}
