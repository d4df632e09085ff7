/// JSON strings written by hand where JSONEncoder is too slow for the volume: a plan of 100,000
/// tasks (P5), a detail line per task event (E10, E12). Byte-identical to JSONEncoder's output
/// with `.withoutEscapingSlashes`, which the tests check against it.
///
/// Written as UTF-8 bytes, not appended to a `String`: a String append re-checks capacity,
/// uniqueness and the ASCII flag on every piece, and that was most of the cost of writing a
/// plan (P5, issue 20.1).
public enum JSONText {
    /// A JSON string as JSONEncoder writes one without escaping slashes.
    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        appendQuoted(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `quoted(text)` appended to `out`, without a string of its own.
    public static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        appendEscaped(text, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// `text` escaped as inside a JSON string, without the quotes. Escaping goes byte by byte,
    /// so a string's pieces escaped one after another equal the whole string escaped: a plan
    /// writes a task's key from its parts without making the key (P5, issue 20.1).
    public static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            var plainStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart..<index]))
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
                case 0x08: out.append(contentsOf: #"\b"#.utf8)
                case 0x0C: out.append(contentsOf: #"\f"#.utf8)
                case 0x0A: out.append(contentsOf: #"\n"#.utf8)
                case 0x0D: out.append(contentsOf: #"\r"#.utf8)
                case 0x09: out.append(contentsOf: #"\t"#.utf8)
                default:
                    let hex = String(byte, radix: 16)
                    out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                }
                plainStart = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart...]))
        }
    }

    /// One JSON object's fields appended in the order given — callers give them in byte order of
    /// their names, as JSONEncoder's `.sortedKeys` writes them — with absent values left out.
    /// The layout is the caller's: `first`/`next` open a field's name (next after a comma),
    /// `colon` ends it; a pretty-printed plan and a compact log line differ only there.
    public struct Fields {
        public private(set) var bytes: [UInt8]
        private let first: String, next: String, colon: String
        private var empty = true

        public init(opening: String, first: String, next: String, colon: String, capacity: Int = 256) {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(capacity)
            self.init(opening: opening, first: first, next: next, colon: colon, continuing: &buffer)
        }

        /// The object written after what `buffer` holds, into the buffer itself (taken here,
        /// given back by `end`): a plan writes all tasks of a component into one buffer.
        public init(opening: String, first: String, next: String, colon: String, continuing buffer: inout [UInt8]) {
            bytes = []
            swap(&bytes, &buffer)
            bytes.append(contentsOf: opening.utf8)
            self.first = first
            self.next = next
            self.colon = colon
        }

        /// The object so far, as text.
        public var text: String { String(decoding: bytes, as: UTF8.self) }

        /// Appends `closing` and hands the bytes to `buffer` (what it held is dropped).
        public mutating func end(_ closing: String, into buffer: inout [UInt8]) {
            bytes.append(contentsOf: closing.utf8)
            swap(&bytes, &buffer)
            bytes = []
        }

        /// `value` is JSON already (a number, `true`, an array).
        public mutating func raw(_ name: String, _ value: String?) {
            guard let value else { return }
            open(name)
            bytes.append(contentsOf: value.utf8)
        }

        /// A JSON value written by `write` straight into the object.
        public mutating func raw(_ name: String, _ write: (inout [UInt8]) throws -> Void) rethrows {
            open(name)
            try write(&bytes)
        }

        /// `value` is a string, quoted and escaped here.
        public mutating func quoted(_ name: String, _ value: String?) {
            guard let value else { return }
            open(name)
            JSONText.appendQuoted(value, to: &bytes)
        }

        public mutating func number<N: BinaryInteger>(_ name: String, _ value: N?) {
            raw(name, value.map { String($0) })
        }

        public mutating func bool(_ name: String, _ value: Bool?) {
            raw(name, value.map { $0 ? "true" : "false" })
        }

        /// A field name needs no escaping.
        private mutating func open(_ name: String) {
            bytes.append(contentsOf: (empty ? first : next).utf8)
            empty = false
            bytes.append(contentsOf: name.utf8)
            bytes.append(contentsOf: colon.utf8)
        }
    }
}
