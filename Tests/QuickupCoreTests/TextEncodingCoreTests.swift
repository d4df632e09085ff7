import QuickupCore
import Testing

/// Issue 13 item 7 in the core: UTF8Text refuses what is not UTF-8 with line:column, drops a
/// BOM, refuses NUL where asked; ControlCharacters makes ESC, BEL, CR… visible.
@Suite("Text: UTF-8 only, control characters escaped (issue 13.7)")
struct TextEncodingCoreTests {
    @Test("valid UTF-8 decodes; a leading BOM is dropped, one elsewhere is kept")
    func valid() throws {
        #expect(try UTF8Text.decode(Array("描述=中文 😀\n".utf8), file: "f") == "描述=中文 😀\n")
        #expect(try UTF8Text.decode([0xEF, 0xBB, 0xBF] + Array("a=b".utf8), file: "f") == "a=b")
        #expect(try UTF8Text.decode(Array("a\u{FEFF}b".utf8), file: "f") == "a\u{FEFF}b")
    }

    @Test("Latin-1, GBK, a cut sequence, an overlong form and a surrogate are refused at file:line:column")
    func invalid() throws {
        let cases: [(bytes: [UInt8], line: Int, column: Int, shown: String)] = [
            (Array("x=1\ncaf".utf8) + [0xE9, 0x3D], 2, 4, "0xE9"),                  // Latin-1 é
            (Array("é=".utf8) + [0xC3, 0xE8, 0xCA, 0xF6], 1, 3, "0xC3"),          // GBK 描述 after a 2-byte char
            (Array("ab\n\ncd".utf8) + [0xE4, 0xB8], 3, 3, "0xE4 0xB8"),           // cut at the end
            ([0x41, 0xC0, 0xAF], 1, 2, "0xC0"),                                      // overlong '/'
            ([0x41, 0x42, 0xED, 0xA0, 0x80], 1, 3, "0xED"),                      // UTF-16 surrogate
        ]
        for item in cases {
            let error = try #require(throws: QuickupError.self) { try UTF8Text.decode(item.bytes, file: "s.sql", what: "script") }
            #expect(error.code == .textEncoding && error.isInvalidInput)
            #expect(error.location?.line == item.line && error.location?.column == item.column, "\(item) → \(error)")
            #expect(error.description.hasPrefix("s.sql:\(item.line):\(item.column): this script is not UTF-8: byte \(item.shown) "), "\(error)")
        }
    }

    @Test("a NUL byte is refused where asked (scripts), with its place")
    func nul() throws {
        let bytes = Array("SELECT 1;\nSELECT".utf8) + [0] + Array(" 2;".utf8)
        #expect(try UTF8Text.decode(bytes, file: "f").count == bytes.count)
        let error = try #require(throws: QuickupError.self) { try UTF8Text.decode(bytes, file: "a.sql", allowNUL: false, what: "script") }
        #expect(error.description.hasPrefix("a.sql:2:7: this script holds a NUL byte"), "\(error)")
    }

    @Test("ESC, BEL, CR, C1 and bidi overrides are escaped; newline, tab and other text are kept")
    func controls() {
        #expect(ControlCharacters.escaped("plain 中文\n\tx") == "plain 中文\n\tx")
        #expect(ControlCharacters.escaped("a\u{1B}]0;title\u{07}b\rc\u{0}d\u{7F}e\u{9B}f\u{202E}g")
                == "a\\e]0;title\\ab\\rc\\0d\\x7fe\\u{9b}f\\u{202e}g")
        #expect(ControlCharacters.escaped("\u{1B}[1mbold\u{1B}[0m \u{1B}[2J", keepingColours: true) == "\u{1B}[1mbold\u{1B}[0m \\e[2J")
        let error = QuickupError(.manifestInvalid, "unknown key 'x\u{1B}[31m'", at: SourceLocation(file: "m\u{07}.properties", line: 1))
        #expect(error.description == "m\\a.properties:1: unknown key 'x\\e[31m'")
    }
}
