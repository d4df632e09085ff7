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

    /// One JSON object's fields appended in the order given — callers give them in byte order of
    /// their names, as JSONEncoder's `.sortedKeys` writes them — with absent values left out.
    /// The layout is the caller's: `first`/`next` open a field's name (next after a comma),
    /// `colon` ends it; a pretty-printed plan and a compact log line differ only there.
    public struct Fields {
        public private(set) var text: String
        private let first: String, next: String, colon: String
        private var empty = true

        public init(opening: String, first: String, next: String, colon: String, capacity: Int = 256) {
            text = opening
            text.reserveCapacity(capacity)
            self.first = first
            self.next = next
            self.colon = colon
        }

        /// `value` is JSON already (a number, `true`, an array).
        public mutating func raw(_ name: String, _ value: String?) {
            guard let value else { return }
            open(name)
            text += value
        }

        /// `value` is a string, quoted and escaped here.
        public mutating func quoted(_ name: String, _ value: String?) {
            guard let value else { return }
            open(name)
            JSONText.appendQuoted(value, to: &text)
        }

        public mutating func number<N: BinaryInteger>(_ name: String, _ value: N?) {
            raw(name, value.map { String($0) })
        }

        public mutating func bool(_ name: String, _ value: Bool?) {
            raw(name, value.map { $0 ? "true" : "false" })
        }

        /// A field name needs no escaping.
        private mutating func open(_ name: String) {
            text += empty ? first : next
            empty = false
            text += name
            text += colon
        }
    }
}
