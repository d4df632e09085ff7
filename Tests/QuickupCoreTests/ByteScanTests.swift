@testable import QuickupCore
import Testing

/// The byte scans that replaced per-character ones on hot paths (P5, issues 19 and 20) must
/// answer exactly as the scans they replaced.
@Suite("Byte scans equal the character scans they replaced")
struct ByteScanTests {
    /// Scalars around every boundary `isControl` draws, and their neighbours in UTF-8.
    static let scalars: [Unicode.Scalar] = [
        "\u{0}", "\u{8}", "\u{9}", "\u{A}", "\u{D}", "\u{1B}", "\u{1F}", " ", "a", "~", "\u{7F}", "\u{80}", "\u{9B}",
        "\u{9F}", "\u{A0}", "é", "\u{FF}", "\u{100}", "\u{2029}", "\u{202A}", "\u{202E}", "\u{202F}", "\u{2065}",
        "\u{2066}", "\u{2069}", "\u{206A}", "中", "\u{FEFF}", "😀",
    ]

    @Test("ControlCharacters.needsEscaping: bytes and scalars agree on every pair of boundary scalars")
    func needsEscaping() {
        for a in Self.scalars {
            for b in Self.scalars {
                let text = "x" + String(Character(a)) + String(Character(b))
                let expected = text.unicodeScalars.contains(where: ControlCharacters.isControl)
                #expect(ControlCharacters.needsEscaping(text) == expected, "\(Array(text.unicodeScalars))")
            }
        }
        #expect(!ControlCharacters.needsEscaping(""))
    }

    @Test("ControlCharacters.needsEscaping: eight bytes at a time, each scalar at every offset of a long printable run")
    func needsEscapingByWords() {
        for scalar in Self.scalars {
            for offset in 0..<20 {
                for length in [offset + 1, offset + 9, 24] where length > offset {
                    var text = String(repeating: "a", count: offset) + String(Character(scalar))
                    text += String(repeating: "~", count: max(0, length - offset - 1))
                    let expected = text.unicodeScalars.contains(where: ControlCharacters.isControl)
                    #expect(ControlCharacters.needsEscaping(text) == expected, "\(scalar.escaped(asASCII: true)) at \(offset)")
                    #expect(ControlCharacters.needsEscaping(utf8: Array(text.utf8)) == expected)
                }
            }
        }
        // Every byte value in every lane of a word of printable ASCII.
        for lane in 0..<8 {
            for byte in 0...255 as ClosedRange<UInt64> {
                let word = 0x4141_4141_4141_4141 & ~(0xFF << (8 * lane)) | byte << (8 * lane)
                #expect(ControlCharacters.hasNonPrintableASCII(word) == !(0x20...0x7E).contains(byte), "byte \(byte) in lane \(lane)")
            }
        }
    }

    @Test("ImplicitCommit.leadingWords: the byte walk gives the scalar walk's words, or hands over before a non-ASCII byte")
    func leadingWords() {
        let pieces = ["create", "TABLE", "Drop", "temporary", "_x", "a1", " ", "  ", "\t", "\n", "\r\n", "(", ";", "/*!", "--", "1", "é", "表", "x"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<4000 {
            let text = (0..<Int.random(in: 0...7, using: &generator)).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
            for count in 1...3 {
                let scalar = ImplicitCommit.scalarLeadingWords(text, count: count)
                if let bytes = ImplicitCommit.asciiLeadingWords(text, count: count) {
                    #expect(bytes == scalar, "\(text.debugDescription) count \(count)")
                } else {
                    #expect(text.utf8.contains { $0 >= 0x80 }, "no hand-over without a non-ASCII byte: \(text.debugDescription)")
                }
                #expect(ImplicitCommit.leadingWords(text, count: count) == scalar)
            }
        }
        #expect(ImplicitCommit.asciiLeadingWords("create table t", count: 3) == ["CREATE", "TABLE", "T"])
    }

    @Test("ImplicitCommit.causes from two words decides as from leadingWords(count: 3), whatever the bytes")
    func firstTwoWords() {
        let pieces = ["create", "TABLE", "Drop", "temporary", "start", "transaction", "lock", "tables", "_x", "a1", " ", "\t",
                      "\n", "(", ";", "/*!", "1", "é", "表", "x", "alter", "set", "password", "load", "index", "CHECK"]
        var generator = SystemRandomNumberGenerator()
        var committing = 0
        for _ in 0..<6000 {
            let text = (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
            let words = ImplicitCommit.leadingWords(text, count: 3)
            let expected = ImplicitCommit.causes(first: words.first, second: words.count > 1 ? words[1] : "")
            let (first, second) = ImplicitCommit.firstTwoWords(text)
            #expect(first == words.first && second == (words.count > 1 ? words[1] : ""), "\(text.debugDescription)")
            #expect(ImplicitCommit.causes(text) == expected, "\(text.debugDescription)")
            if expected { committing += 1 }
        }
        #expect(committing > 100)
        #expect(ImplicitCommit.causes("create temporary table t (a int)") == false)
        #expect(ImplicitCommit.causes("Start Transaction") && ImplicitCommit.causes("ALTER TABLE t ADD b INT"))
    }

    @Test("UTF8Search.contains equals firstRange(of:) on the UTF-8 bytes")
    func search() {
        let needle = "quickup:lint-ignore"
        let texts = [
            "", "q", "quickup:lint-ignor", "quickup:lint-ignore", "-- quickup:lint-ignore all\n", "quickup:lint-ignorE",
            "qquickup:lint-ignore", "中文 quickup:lint-ignore", "quickup:lint-ignor quickup:lint-ignore", String(repeating: "q", count: 300),
        ]
        for text in texts {
            #expect(UTF8Search.contains(needle, in: text) == (text.utf8.firstRange(of: needle.utf8) != nil), "\(text)")
        }
        #expect(UTF8Search.contains("", in: "abc") && UTF8Search.contains("", in: ""))
        #expect(UTF8Search.contains("中", in: "a中b") && !UTF8Search.contains("中文", in: "中"))
    }

    @Test("TimeSpan.parse over bytes equals the Character parse on ASCII timeouts")
    func timeSpans() {
        let pieces = ["", "0", "1", "45", "007", "999999999999", "1000000000000", "ms", "MS", "s", "m", "M", "h", "3d", "x", "1.5", " ", "\t",
                      "\r\n", "-", "+1", "mss", "sm", "1h30m", "2D", "10 m", "5m5", "1ms1s", "99999d"]
        for a in pieces {
            for b in pieces {
                let text = a + b
                #expect(TimeSpan.parse(text) == TimeSpan.parseCharacters(text), "\(text.debugDescription)")
            }
        }
    }
}
