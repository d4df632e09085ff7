/// JSON strings written by hand where JSONEncoder is too slow for the volume: a plan of 100,000
/// tasks (P5), a detail line per task event (E10, E12). Byte-identical to JSONEncoder's output
/// with `.withoutEscapingSlashes`, which the tests check against it.
public enum JSONText {
    /// A JSON string as JSONEncoder writes one without escaping slashes.
    public static func quoted(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 2)
        appendQuoted(text, to: &out)
        return out
    }

    /// `quoted(text)` appended to `out`, without a string of its own.
    public static func appendQuoted(_ text: String, to out: inout String) {
        out += "\""
        let utf8 = text.utf8
        var plainStart = utf8.startIndex
        var index = plainStart
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                index = utf8.index(after: index)
                continue
            }
            out += text[plainStart..<index]
            switch byte {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            default:
                let hex = String(byte, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
            index = utf8.index(after: index)
            plainStart = index
        }
        out += text[plainStart..<index]
        out += "\""
    }
}
