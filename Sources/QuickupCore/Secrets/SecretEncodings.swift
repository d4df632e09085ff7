/// The forms a secret takes when a program prints it escaped or encoded (D4, issue 13 item 2):
/// a tool that dumps its context as JSON writes `S\"p\\\u00e4`, Python's repr writes `S"p\\ä`,
/// a URL carries `S%22p%5C%C3%A4`, a shell script quotes it, an HTTP client sends
/// `Basic base64(user:password)`. Redaction must match each of them, not only the literal text.
///
/// Each encoder covers the common variants of its family (which characters are escaped, hex
/// case, which quote is escaped); the set is small (a few dozen strings) and deduplicated.
public enum SecretEncodings {
    /// Every form of `secret` worth matching, the literal first; each at least as long as it.
    public static func forms(of secret: String) -> [String] {
        var forms: [String] = [secret]
        var seen: Set<String> = [secret]
        func add(_ form: String) {
            guard !form.isEmpty, seen.insert(form).inserted else { return }
            forms.append(form)
        }
        for slash in [false, true] {
            for unicode in [UnicodeStyle.literal, .lower, .upper] { add(json(secret, escapeSlash: slash, unicode: unicode)) }
        }
        for quotes in [(false, false), (true, false), (false, true), (true, true)] {
            add(python(secret, escapeSingle: quotes.0, escapeDouble: quotes.1, ascii: false))
            add(python(secret, escapeSingle: quotes.0, escapeDouble: quotes.1, ascii: true))
            add(pythonBytes(secret, escapeSingle: quotes.0, escapeDouble: quotes.1))
        }
        let unreserved = "-._~"
        for upper in [true, false] {
            add(percent(secret, keep: unreserved + "/", spaceAsPlus: false, upper: upper))  // Python quote()
            add(percent(secret, keep: unreserved, spaceAsPlus: false, upper: upper))        // quote(safe='')
            add(percent(secret, keep: unreserved, spaceAsPlus: true, upper: upper))         // quote_plus, forms
            add(percent(secret, keep: unreserved + "!*'()", spaceAsPlus: false, upper: upper))  // encodeURIComponent
        }
        add(replacing(secret, ["'": "'\\''"]))                         // sh: '…'\''…'
        add(replacing(secret, ["'": "'\"'\"'"]))                       // sh: '…'"'"'…'
        add(replacing(secret, ["\\": "\\\\", "\"": "\\\"", "$": "\\$", "`": "\\`"]))  // sh: "…"
        add(backslashEscaped(secret))                                   // sh: \-escaped, printf %q
        add(replacing(secret, ["'": "''"]))                              // SQL '…'
        add(replacing(secret, ["\\": "\\\\", "'": "\\'"]))               // MySQL '…' with backslashes
        for form in base64Cores(of: Array(secret.utf8)) { add(form) }
        return forms
    }

    enum UnicodeStyle { case literal, lower, upper }

    /// JSON string content: `"` and `\` escaped, control characters as `\n` or `\u00XX`, `/`
    /// optionally (Foundation's JSONEncoder does), non-ASCII literal or as `\u` escapes.
    static func json(_ text: String, escapeSlash: Bool, unicode: UnicodeStyle) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/": out += escapeSlash ? "\\/" : "/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + hex(scalar.value, width: 4, upper: unicode == .upper)
                } else if scalar.value < 0x80 || unicode == .literal {
                    out.unicodeScalars.append(scalar)
                } else {
                    for unit in String(scalar).utf16 { out += "\\u" + hex(UInt32(unit), width: 4, upper: unicode == .upper) }
                }
            }
        }
        return out
    }

    /// Python's repr() (or ascii()) of a str, without the quotes around it.
    static func python(_ text: String, escapeSingle: Bool, escapeDouble: Bool, ascii: Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += escapeSingle ? "\\'" : "'"
            case "\"": out += escapeDouble ? "\\\"" : "\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let value = scalar.value
                if value < 0x20 || value == 0x7F || (ascii && value >= 0x80) || (value >= 0x80 && value < 0xA0) {
                    if value < 0x100 {
                        out += "\\x" + hex(value, width: 2, upper: false)
                    } else if value < 0x10000 {
                        out += "\\u" + hex(value, width: 4, upper: false)
                    } else {
                        out += "\\U" + hex(value, width: 8, upper: false)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Python's repr() of the secret's UTF-8 bytes (`b'…'`), without the quotes.
    static func pythonBytes(_ text: String, escapeSingle: Bool, escapeDouble: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out += "\\\\"
            case UInt8(ascii: "'"): out += escapeSingle ? "\\'" : "'"
            case UInt8(ascii: "\""): out += escapeDouble ? "\\\"" : "\""
            case UInt8(ascii: "\n"): out += "\\n"
            case UInt8(ascii: "\r"): out += "\\r"
            case UInt8(ascii: "\t"): out += "\\t"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += "\\x" + hex(UInt32(byte), width: 2, upper: false)
            }
        }
        return out
    }

    /// Percent-encoding of the UTF-8 bytes; letters, digits and `keep` stay as they are.
    static func percent(_ text: String, keep: String, spaceAsPlus: Bool, upper: Bool) -> String {
        let kept = Set(keep.utf8)
        var out = ""
        for byte in text.utf8 {
            let alphanumeric = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            if alphanumeric || kept.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte == 0x20 && spaceAsPlus {
                out += "+"
            } else {
                out += "%" + hex(UInt32(byte), width: 2, upper: upper)
            }
        }
        return out
    }

    /// A backslash before every character a shell treats specially (bash's printf %q for ASCII).
    static func backslashEscaped(_ text: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_/.,:@%+=-".unicodeScalars)
        var out = ""
        for scalar in text.unicodeScalars {
            if !plain.contains(scalar) && scalar.value < 0x80 { out += "\\" }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    static func replacing(_ text: String, _ table: [Character: String]) -> String {
        var out = ""
        for character in text {
            if let replacement = table[character] { out += replacement } else { out.append(character) }
        }
        return out
    }

    /// The base64 characters that depend only on the secret's bytes, for each of the three
    /// positions the secret can start at within a 3-byte group: this matches the secret inside
    /// any base64 text — `Basic base64(user:password)` for any user — and the whole standard
    /// encoding of the secret alone. Secrets shorter than 6 bytes give too short a core to
    /// tell apart from other base64 text and are only matched whole.
    static func base64Cores(of bytes: [UInt8]) -> [String] {
        guard !bytes.isEmpty else { return [] }
        var cores = [base64(bytes), String(base64(bytes).filter { $0 != "=" })]
        guard bytes.count >= 6 else { return cores }
        for offset in 0..<3 {
            let encoded = Array(base64([UInt8](repeating: 0, count: offset) + bytes).utf8)
            // Characters that mix in the zero bytes in front, and the last group's characters that
            // mix in whatever follows the secret (or padding).
            let head = (offset * 8 + 5) / 6
            let total = offset + bytes.count
            let tail = total % 3 == 0 ? 0 : 4 - (total % 3 == 1 ? 1 : 2)
            let end = encoded.count - tail
            guard end - head >= 6 else { continue }
            cores.append(String(decoding: encoded[head..<end], as: UTF8.self))
        }
        return cores
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let b0 = UInt32(bytes[index])
            let b1 = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
            let b2 = index + 2 < bytes.count ? UInt32(bytes[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(group >> 18 & 63)])
            out.append(alphabet[Int(group >> 12 & 63)])
            out.append(index + 1 < bytes.count ? alphabet[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(group & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(_ value: UInt32, width: Int, upper: Bool) -> String {
        let text = String(value, radix: 16, uppercase: upper)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
