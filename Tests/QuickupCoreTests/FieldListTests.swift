import Testing
@testable import QuickupCore

/// `FieldReader.list` reads a one-name list without splitting it (P5, issue 20.1); every value
/// must give the list (or the error) the general split gives.
@Suite("Manifest lists (M2)")
struct FieldListTests {
    static func read(_ value: String) -> (items: [String]?, errors: Int) {
        var reader = FieldReader(file: "t.properties", diagnostics: Diagnostics())
        let items = reader.list(PropertiesEntry(key: "sql.a.depends", value: value, line: 1))
        return (items, reader.diagnostics.errors.count)
    }

    @Test("one name, several, blanks and stray commas", arguments: [
        ("", [] as [String]?), ("  ", []), ("\t", []), ("a", ["a"]), ("  a\t", ["a"]), ("任务_1", ["任务_1"]),
        ("a, b", ["a", "b"]), (" a ,b ,  c", ["a", "b", "c"]), ("a,", nil), (",a", nil), (",", nil), ("a,,b", nil),
        // A comma with a combining mark is one Character that is not a comma: no split.
        ("a,\u{301}b", ["a,\u{301}b"]), (" \u{301}a", [" \u{301}a"]),
    ] as [(String, [String]?)])
    func lists(value: String, expected: [String]?) {
        let (items, errors) = Self.read(value)
        #expect(items == expected)
        #expect(errors == (expected == nil ? 1 : 0))
    }
}
