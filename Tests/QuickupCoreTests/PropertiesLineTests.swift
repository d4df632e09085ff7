import Testing
import QuickupCore

/// M1: logical lines, comments, blank lines, separators and line numbers, case by case.
@Suite("Properties: lines and separators")
struct PropertiesLineTests {
    static let separators: [PropertiesCase] = [
        .init("a=b", [("a", "b", 1)]),
        .init("a:b", [("a", "b", 1)]),
        .init("a b", [("a", "b", 1)]),
        .init("a\tb", [("a", "b", 1)]),
        .init("a\u{0C}b", [("a", "b", 1)]),
        .init("a = b", [("a", "b", 1)]),
        .init("a : b", [("a", "b", 1)]),
        .init("  a   =   b  ", [("a", "b  ", 1)]),  // trailing whitespace belongs to the value
        .init("a==b", [("a", "=b", 1)]),
        .init("a = = b", [("a", "= b", 1)]),
        .init("a:=b", [("a", "=b", 1)]),
        .init("a =: b", [("a", ": b", 1)]),
        .init("a b=c", [("a", "b=c", 1)]),
        .init("a\\=b=c", [("a=b", "c", 1)]),
        .init("a\\:b:c", [("a:b", "c", 1)]),
        .init("a\\ b c", [("a b", "c", 1)]),
        .init("\\\\=x", [("\\", "x", 1)]),
        .init("a\u{3000}b=c", [("a\u{3000}b", "c", 1)]),  // only space, \t, \f are whitespace
        .init("a\u{A0}b=c", [("a\u{A0}b", "c", 1)]),
    ]

    @Test("separators: = : whitespace, and whitespace around them", arguments: separators)
    func separator(_ example: PropertiesCase) throws {
        #expect(try parseProperties(example.input) == example.expected)
    }

    static let keysWithoutValues: [PropertiesCase] = [
        .init("a", [("a", "", 1)]),
        .init("a=", [("a", "", 1)]),
        .init("a   ", [("a", "", 1)]),
        .init("a :  ", [("a", "", 1)]),
        .init("=b", [("", "b", 1)]),
        .init(":", [("", "", 1)]),
        .init("\\", [("", "", 1)]),  // a lone backslash at end of file is an empty logical line
        .init("\\\n", [("", "", 1)]),
    ]

    @Test("a key with no value, an empty key", arguments: keysWithoutValues)
    func keyWithoutValue(_ example: PropertiesCase) throws {
        #expect(try parseProperties(example.input) == example.expected)
    }

    static let commentsAndBlanks: [PropertiesCase] = [
        .init("# c\na=b", [("a", "b", 2)]),
        .init("! c\na=b", [("a", "b", 2)]),
        .init("  \t# c\n\u{0C}! d\na=b", [("a", "b", 3)]),
        .init("#c\\\na=b", [("a", "b", 2)]),  // a comment ending in \ does not continue
        .init("#c\\\\\\\na=b", [("a", "b", 2)]),
        .init("\\\n#c\na=b", [("a", "b", 3)]),  // an empty continued line makes # a comment again
        .init("a=b\\\n#c", [("a", "b#c", 1)]),  // but after text, # on a continued line is text
        .init("a=b\\\n  !c", [("a", "b!c", 1)]),
        .init("a=b # c", [("a", "b # c", 1)]),
        .init("a#b=c!d", [("a#b", "c!d", 1)]),
        .init("\n\n  \n\t\na=b\n\n", [("a", "b", 5)]),
        .init("# only a comment", []),
        .init("", []),
        .init(" \t\u{0C}\r\n\r\n", []),
    ]

    @Test("# and ! comments, blank lines", arguments: commentsAndBlanks)
    func commentOrBlank(_ example: PropertiesCase) throws {
        #expect(try parseProperties(example.input) == example.expected)
    }

    static let continuations: [PropertiesCase] = [
        .init("a=b\\\n   c", [("a", "bc", 1)]),
        .init("a=b\\\n \t\u{0C} c", [("a", "bc", 1)]),
        .init("a=b\\\n  \\\n  c\nd=e", [("a", "bc", 1), ("d", "e", 4)]),
        .init("a=b\\\\\nc=d", [("a", "b\\", 1), ("c", "d", 2)]),  // even run: no continuation
        .init("a=b\\\\\\\n c", [("a", "b\\c", 1)]),  // odd run: continuation
        .init("a=b\\\\\\\\\\\n c", [("a", "b\\\\c", 1)]),
        .init("a=b\\", [("a", "b", 1)]),  // trailing backslash at end of file is dropped
        .init("a=b\\\\", [("a", "b\\", 1)]),
        .init("a=b\\\n", [("a", "b", 1)]),
        .init("a=b\\\n\\", [("a", "b", 1)]),
        .init("a\\\n=b", [("a", "b", 1)]),  // continuation inside the key
        .init("a\\\n  b=c", [("ab", "c", 1)]),
        .init("a=b\\\n\nc=d", [("a", "b", 1), ("c", "d", 3)]),  // an empty line ends it
        .init("a=b\\\n   \n c=d", [("a", "b", 1), ("c", "d", 3)]),
        .init("\\\nfoo=bar", [("foo", "bar", 2)]),
        .init("   \\\n   a=b", [("a", "b", 2)]),
        .init("a=\\\n  x\\\n  y\nb=2", [("a", "xy", 1), ("b", "2", 4)]),
    ]

    @Test("continuations: odd/even backslashes, leading whitespace, end of file", arguments: continuations)
    func continuation(_ example: PropertiesCase) throws {
        #expect(try parseProperties(example.input) == example.expected)
    }

    static let lineEndings: [PropertiesCase] = [
        .init("a=1\rb=2\nc=3\r\nd=4", [("a", "1", 1), ("b", "2", 2), ("c", "3", 3), ("d", "4", 4)]),
        .init("\r\r\na=1", [("a", "1", 3)]),
        .init("\n\ra=1", [("a", "1", 3)]),
        .init("a=b\\\r\n  c\r\nd=e", [("a", "bc", 1), ("d", "e", 3)]),
        .init("a=b\\\r c\rd=e", [("a", "bc", 1), ("d", "e", 3)]),
        .init("a=b\\\r\n\r\nc=d", [("a", "b", 1), ("c", "d", 3)]),
        .init("#x\r\na=1\r\n#y\rb=2", [("a", "1", 2), ("b", "2", 4)]),
    ]

    @Test("CR, LF and CRLF all end lines and count once each", arguments: lineEndings)
    func lineEnding(_ example: PropertiesCase) throws {
        #expect(try parseProperties(example.input) == example.expected)
    }

    @Test("duplicates are kept in file order; Java's map keeps the last")
    func duplicates() throws {
        let entries = try parseProperties("a=1\nb=2\na=3\n")
        #expect(entries.map(\.key) == ["a", "b", "a"])
        #expect(entries.map(\.line) == [1, 2, 3])
        #expect(lastWins(entries) == ["a": "3", "b": "2"])
    }

    @Test("Chinese keys and values, whitespace separator between CJK words")
    func chinese() throws {
        let text = "# 升级任务\nsql.t1.description=升级数据库表结构\n任务 描述：中文\n"
        #expect(try parseProperties(text) == [
            PropertiesEntry(key: "sql.t1.description", value: "升级数据库表结构", line: 2),
            PropertiesEntry(key: "任务", value: "描述：中文", line: 3),  // full-width colon is text
        ])
    }
}
