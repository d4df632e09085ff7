import QuickupTestSupport

/// Builds random `.properties` files dense in the corners of Java's grammar (SPEC M1): every
/// separator form, comments, blank lines, continuations with odd and even backslash runs, every
/// escape, malformed `\u`, mixed CR/LF/CRLF, CJK, surrogate pairs, form feeds, a BOM, and files
/// that are not UTF-8 (read as ISO-8859-1).
struct PropertiesFileGenerator {
    var rng: SplitMix64

    /// File `index` of run `seed`: each file has its own generator so it can be rebuilt alone.
    init(seed: UInt64, index: Int) {
        rng = SplitMix64(seed: seed ^ (UInt64(index) &* 0xD6E8_FEB8_6659_FD93))
    }

    mutating func file() -> [UInt8] {
        var text = chance(0.03) ? "\u{FEFF}" : ""
        let structured = chance(0.8)
        for _ in 0..<Int.random(in: 0...12, using: &rng) {
            text += structured ? line() : chaos()
            text += lineEnd()
        }
        if chance(0.4) { text += structured ? line() : chaos() }  // no line break at end of file
        if chance(0.1) { text += String(repeating: "\\", count: Int.random(in: 1...3, using: &rng)) }
        var bytes = Array(text.utf8)
        if chance(0.08) { bytes = latin1Noise(into: bytes) }
        return bytes
    }

    // MARK: Lines

    private mutating func line() -> String {
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<8: return whitespace(max: 3)
        case 8..<20: return whitespace(max: 2) + pick(["#", "!"]) + fragments(max: 4, context: .text)
        default:
            return whitespace(max: 3) + fragments(max: 3, context: .key) + separator()
                + fragments(max: 5, context: .value)
        }
    }

    /// Tokens thrown together with no line structure, to shake out odd interactions.
    private mutating func chaos() -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...10, using: &rng) {
            text += chance(0.3) ? pick([" ", "=", ":", "#", "!", "\\", "\r", "\n", "\r\n", "\t"]) // `.key` context: no lone surrogates, which could merge two distinct Java keys.
                : token(.key)
        }
        return text
    }

    private mutating func separator() -> String {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return ""
        case 1: return whitespace(max: 3)
        case 2: return pick(["==", "::", "=:", ":="])
        default: return whitespace(max: 2) + pick(["=", ":", " ", "\t", "\u{0C}"]) + whitespace(max: 2)
        }
    }

    private mutating func lineEnd() -> String {
        let end = pick(["\n", "\n", "\n", "\r\n", "\r\n", "\r"])
        if chance(0.15) { return String(repeating: "\\", count: Int.random(in: 1...4, using: &rng)) + end }
        if chance(0.05) { return end + end }
        return end
    }

    private mutating func whitespace(max: Int) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...max, using: &rng) { text += pick([" ", " ", "\t", "\u{0C}"]) }
        return text
    }

    // MARK: Tokens

    enum Context { case key, value, text }

    private mutating func fragments(max: Int, context: Context) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...max, using: &rng) { text += token(context) }
        return text
    }

    private mutating func token(_ context: Context) -> String {
        // Rare, so that most files load and their maps get compared (~10% of files fail).
        if chance(0.004) { return malformedUnicodeEscape() }
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<30: return word()
        case 30..<38: return pick(["中文", "描述", "升级数据库", "任务", "説明", "한국어"])
        case 38..<42: return pick(["😀", "🚀", "𝄞", "👍🏽"])
        case 42..<47: return pick(["é", "e\u{301}", "ß", "\u{A0}", "\u{3000}", "\u{FEFF}", "\u{85}", "\u{2028}", "\u{0}", "\u{0B}"])
        case 47..<55: return pick([" ", "\t", "\u{0C}", "=", ":", "#", "!"])
        case 55..<70: return "\\" + pick(["t", "n", "r", "f", "\\", "=", ":", " ", "#", "!", "a", "b", "x", "U", "中", "😀", "\t"])
        case 70..<82: return unicodeEscape(context)
        case 82..<88: return String(repeating: "\\", count: Int.random(in: 1...5, using: &rng))
        default: return continuation()
        }
    }

    private mutating func word() -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        var text = ""
        for _ in 0..<Int.random(in: 1...6, using: &rng) { text.append(letters[Int.random(in: 0..<letters.count, using: &rng)]) }
        return text
    }

    /// An odd run of backslashes, a line break, and the next line's leading whitespace.
    private mutating func continuation() -> String {
        let run = 2 * Int.random(in: 0...2, using: &rng) + 1
        let blankLine = chance(0.1) ? pick(["\n", "\r\n"]) : ""
        return String(repeating: "\\", count: run) + pick(["\n", "\r\n", "\r"]) + blankLine + whitespace(max: 3)
    }

    private mutating func unicodeEscape(_ context: Context) -> String {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return "\\uD83D\\uDE00"
        case 1: return "\\ud834\\udd1e"
        // Lone surrogates only in values: two keys differing only there would both map to U+FFFD.
        case 2 where context != .key: return "\\u" + pick(["D83D", "DE00", "dbff", "DC00"])
        default:
            let unit = pick([0x41, 0x20, 0x3D, 0x3A, 0x5C, 0x0A, 0x0D, 0x0C, 0x00, 0xE9, 0x4E2D, 0xFEFF, 0xFFFF,
                             UInt16.random(in: 0...0xD7FF, using: &rng)])
            return "\\u" + hex(unit)
        }
    }

    private mutating func malformedUnicodeEscape() -> String {
        let digits = String(hex(UInt16.random(in: 0...0xFFFF, using: &rng)).prefix(Int.random(in: 0...3, using: &rng)))
        return "\\u" + digits + pick(["", "G", "g", " ", "中", "\\", "=", "\n", "-", "x"])
    }

    private mutating func hex(_ unit: UInt16) -> String {
        let digits = String(unit, radix: 16)
        let padded = String(repeating: "0", count: 4 - digits.count) + digits
        return chance(0.5) ? padded.uppercased() : padded
    }

    /// Sprinkles bytes ≥ 0x80 so the file is (almost always) invalid UTF-8 and read as ISO-8859-1.
    private mutating func latin1Noise(into bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        for _ in 0...Int.random(in: 0...4, using: &rng) {
            let position = Int.random(in: 0...result.count, using: &rng)
            result.insert(UInt8.random(in: 0x80...0xFF, using: &rng), at: position)
        }
        return result
    }

    // MARK: Randomness

    private mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &rng) < probability
    }

    private mutating func pick<T>(_ choices: [T]) -> T {
        choices[Int.random(in: 0..<choices.count, using: &rng)]
    }
}
