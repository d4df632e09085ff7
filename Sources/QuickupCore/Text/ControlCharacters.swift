/// Control characters made visible (issue 13 item 7): a manifest, a script or a tool's output
/// can hold ESC, BEL or a carriage return, and echoed raw to a terminal they move the cursor,
/// ring, retitle the window or hide text. Messages keep `\n` and `\t`; everything else that a
/// terminal acts on is written as an escape people can read: `\e`, `\a`, `\r`, `\x00`, `\u{9b}`.
public enum ControlCharacters {
    /// Whether `text` needs escaping at all (the common case is no: one pass, no copy).
    public static func needsEscaping(_ text: String) -> Bool {
        // Over the UTF-8 bytes (a plan of 100,000 tasks writes ~80 MB through here, issue 20):
        // every scalar `isControl` names is one of these byte patterns, and no other is.
        if let answer = text.utf8.withContiguousStorageIfAvailable(needsEscaping) { return answer }
        return text.unicodeScalars.contains(where: isControl)
    }

    /// `needsEscaping` of the text these bytes (valid UTF-8) hold, without making it a String.
    public static func needsEscaping(utf8 bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer(needsEscaping)
    }

    /// `needsEscaping` over valid UTF-8: C0 but newline and tab, DEL, C1 (C2 80–9F), the bidi
    /// overrides U+202A–202E (E2 80 AA–AE) and U+2066–2069 (E2 81 A6–A9).
    static func needsEscaping(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        var index = 0
        while index < bytes.count {
            // Printable ASCII (0x20–0x7E), the bulk of any output, is skipped eight bytes at a
            // time; the bytes are looked at one by one only from a word that holds another
            // (P5, issue 20.1: a byte at a time was 2 % of `plan --json`).
            while index + 8 <= bytes.count {
                if Self.hasNonPrintableASCII(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) { break }
                index += 8
            }
            guard index < bytes.count else { return false }
            let byte = bytes[index]
            index += 1
            if byte >= 0x20 && byte < 0x7F { continue }
            if byte < 0x20 { if byte != 0x0A && byte != 0x09 { return true } else { continue } }
            if byte == 0x7F { return true }
            guard index < bytes.count else { return false }
            let next = bytes[index]
            if byte == 0xC2 && next >= 0x80 && next <= 0x9F { return true }
            if byte == 0xE2, index + 1 < bytes.count {
                let third = bytes[index + 1]
                if next == 0x80 && third >= 0xAA && third <= 0xAE { return true }
                if next == 0x81 && third >= 0xA6 && third <= 0xA9 { return true }
            }
        }
        return false
    }

    /// Whether any of the eight bytes of `word` is outside 0x20–0x7E. Exact: each byte's test
    /// is kept to its own lane (its top bit cleared first, so neither sum carries out of it).
    @inline(__always)
    static func hasNonPrintableASCII(_ word: UInt64) -> Bool {
        let lanes: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let low7 = word & ~high
        // Top bit clear exactly where low7 < 0x20 (adding 0x60 stays below 0x80).
        let atLeastSpace = low7 &+ lanes &* 0x60
        // Top bit set exactly where low7 == 0x7F (adding 1 reaches 0x80).
        let isDelete = low7 &+ lanes
        return (word | ~atLeastSpace | isDelete) & high != 0
    }

    /// `text` with C0 controls (but newline and tab), DEL, C1 controls and the bidirectional
    /// overrides that reorder what a terminal shows written as visible escapes.
    /// `keepingColours`: SGR sequences (`ESC [ digits ; … m`, colours and bold) stay as they are,
    /// for text quickup coloured itself.
    public static func escaped(_ text: String, keepingColours: Bool = false) -> String {
        guard needsEscaping(text) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            guard isControl(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            if keepingColours, scalar == "\u{1B}", let end = sgrEnd(scalars, from: index) {
                out.unicodeScalars.append(contentsOf: scalars[(index - 1)..<end])
                index = end
                continue
            }
            switch scalar {
            case "\u{1B}": out += "\\e"
            case "\u{07}": out += "\\a"
            case "\r": out += "\\r"
            case "\u{08}": out += "\\b"
            case "\u{00}": out += "\\0"
            default:
                let hex = String(scalar.value, radix: 16)
                out += scalar.value < 0x80 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{\(hex)}"
            }
        }
        return out
    }

    /// The end (exclusive) of `[ digits ; … m` starting at `start`, if that is what follows an ESC.
    static func sgrEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard start < scalars.count, scalars[start] == "[" else { return nil }
        var index = start + 1
        while index < scalars.count, index - start < 16 {
            let scalar = scalars[index]
            if scalar == "m" { return index + 1 }
            guard (scalar >= "0" && scalar <= "9") || scalar == ";" else { return nil }
            index += 1
        }
        return nil
    }

    @inline(__always)
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x20 { return value != 0x0A && value != 0x09 }
        if value < 0x7F { return false }
        if value <= 0x9F { return true }
        return (value >= 0x202A && value <= 0x202E) || (value >= 0x2066 && value <= 0x2069)
    }
}
