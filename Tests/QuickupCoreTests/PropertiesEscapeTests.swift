import Testing
import QuickupCore

/// M1: escapes in keys and values, malformed `\u`, and byte decoding (UTF-8, BOM, ISO-8859-1).
@Suite("Properties: escapes and encodings")
struct PropertiesEscapeTests {
    static let escapes: [PropertiesCase] = [
        .init("k=\\t\\n\\r\\f", [("k", "\t\n\r\u{0C}", 1)]),
        .init("k=\\a\\b\\=\\:\\#\\!\\ \\\\", [("k", "ab=:#! \\", 1)]),  // any other \x is x
        .init("k=\\u4E2D\\u6587", [("k", "中文", 1)]),
        .init("k=\\u4e2d\\u0041\\uFfFf", [("k", "中A\u{FFFF}", 1)]),
        .init("k=\\u0000", [("k", "\u{0}", 1)]),
        .init("\\u0041\\t\\=\\ =v", [("A\t= ", "v", 1)]),  // escapes work in keys too
        .init("k=\\uD83D\\uDE00", [("k", "😀", 1)]),  // surrogate pair from two escapes
        .init("k=😀\\uD83D\\uDE00中", [("k", "😀😀中", 1)]),
        .init("k=\\中\\😀", [("k", "中😀", 1)]),  // backslash before non-ASCII just drops
        .init("k=\\  x", [("k", "  x", 1)]),  // escaped space keeps leading whitespace
        .init("k=\\\\u12", [("k", "\\u12", 1)]),  // escaped backslash, then plain text
        .init("k=\\u4E\\\n  2D", [("k", "中", 1)]),  // joined before unescaping, as in Java
    ]

    @Test("escapes: \\t \\n \\r \\f, \\uXXXX, any other \\x → x", arguments: escapes)
    func escape(_ example: PropertiesCase) throws {
        #expect(try parseProperties(example.input) == example.expected)
    }

    static let loneSurrogates: [PropertiesCase] = [
        .init("k=\\uD83D", [("k", "\u{FFFD}", 1)]),
        .init("k=\\uDE00x", [("k", "\u{FFFD}x", 1)]),
        .init("k=\\uD83Dx", [("k", "\u{FFFD}x", 1)]),
        .init("k=\\uD83D\\uD83D\\uDE00", [("k", "\u{FFFD}😀", 1)]),
        .init("\\uD800=\\uDBFF\\n", [("\u{FFFD}", "\u{FFFD}\n", 1)]),
    ]

    @Test("an unpaired surrogate from \\u becomes U+FFFD (Java keeps the lone char)", arguments: loneSurrogates)
    func loneSurrogate(_ example: PropertiesCase) throws {
        #expect(try parseProperties(example.input) == example.expected)
    }

    struct MalformedCase: Sendable, CustomStringConvertible {
        var input: String
        var line: Int
        var key: String
        var description: String { input.debugDescription }
    }

    static let malformed: [MalformedCase] = [
        .init(input: "k=\\u12G4", line: 1, key: "k"),
        .init(input: "k=\\u12", line: 1, key: "k"),
        .init(input: "k=\\u", line: 1, key: "k"),
        .init(input: "k=\\u中文中文", line: 1, key: "k"),
        .init(input: "a=1\n\n#c\nk=ok \\uzzzz", line: 4, key: "k"),
        .init(input: "a\\uZZ=1", line: 1, key: "a\\uZZ"),  // error in the key: raw key text
        .init(input: "a=1\nk=abc\\\n  \\u12\n", line: 3, key: "k"),  // the physical line of the \u
        .init(input: "k\\\n  \\u1=v", line: 2, key: "k\\u1"),
        .init(input: "a=1\r\nb=2\r\nc=\\u00e", line: 3, key: "c"),
    ]

    @Test("malformed \\u throws .propertiesSyntax naming file, line and key", arguments: malformed)
    func malformedUnicodeEscape(_ example: MalformedCase) {
        #expect {
            try PropertiesReader.parse(example.input, file: "rel/upgrade_tasks_V1.0.0.properties")
        } throws: { error in
            guard let error = error as? QuickupError else { return false }
            return error.code == .propertiesSyntax
                && error.location == SourceLocation(
                    file: "rel/upgrade_tasks_V1.0.0.properties", line: example.line, key: example.key)
                && error.message.contains("\\u")
        }
    }

    @Test("the error reads file:line: key: message (hint)")
    func malformedDescription() {
        do {
            _ = try PropertiesReader.parse("x=1\nk=\\u12G4\n", file: "a.properties")
            Issue.record("expected a malformed \\u error")
        } catch {
            #expect(error.description.hasPrefix("a.properties:2: k: malformed \\uxxxx escape '\\u12G4'"))
            #expect(error.hint?.contains("four hex digits") == true)
        }
    }

    @Test("bytes: valid UTF-8 decodes as UTF-8")
    func utf8Bytes() throws {
        let bytes = Array("描述=中文 😀\n".utf8)
        #expect(try PropertiesReader.parse(bytes: bytes, file: "f") == [
            PropertiesEntry(key: "描述", value: "中文 😀", line: 1),
        ])
    }

    @Test("bytes: a UTF-8 BOM is kept as U+FEFF, as Java's UTF-8 Reader does")
    func byteOrderMark() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        #expect(try PropertiesReader.parse(bytes: bom + Array("a=b".utf8), file: "f") == [
            PropertiesEntry(key: "\u{FEFF}a", value: "b", line: 1),
        ])
        // The BOM is not whitespace, so a comment right after it is a key.
        #expect(try PropertiesReader.parse(bytes: bom + Array("#c".utf8), file: "f") == [
            PropertiesEntry(key: "\u{FEFF}#c", value: "", line: 1),
        ])
    }

    @Test("bytes: invalid UTF-8 falls back to ISO-8859-1")
    func latin1Bytes() throws {
        // "café=naïve" in ISO-8859-1; 0xE9 alone is not valid UTF-8.
        let bytes: [UInt8] = [0x63, 0x61, 0x66, 0xE9, 0x3D, 0x6E, 0x61, 0xEF, 0x76, 0x65, 0x0A, 0x78, 0xA0, 0x79]
        #expect(try PropertiesReader.parse(bytes: bytes, file: "f") == [
            PropertiesEntry(key: "café", value: "naïve", line: 1),
            PropertiesEntry(key: "x\u{A0}y", value: "", line: 2),  // NBSP is not whitespace
        ])
    }

    @Test("bytes: a malformed \\u in an ISO-8859-1 file is still an error with its line")
    func latin1Malformed() {
        let bytes: [UInt8] = [0xE9, 0x3D, 0x31, 0x0A, 0x6B, 0x3D, 0x5C, 0x75, 0x31]
        #expect(throws: QuickupError.self) { try PropertiesReader.parse(bytes: bytes, file: "f") }
        do {
            _ = try PropertiesReader.parse(bytes: bytes, file: "f")
        } catch {
            #expect(error.location?.line == 2)
        }
    }
}
