import QuickupCore

/// A case for the table-driven properties tests: input text and the entries Java yields for it
/// (expectations were confirmed with JDK 17's `Properties.load(Reader)`).
struct PropertiesCase: Sendable, CustomStringConvertible {
    var input: String
    var expected: [PropertiesEntry]

    init(_ input: String, _ expected: [(String, String, Int)]) {
        self.input = input
        self.expected = expected.map { PropertiesEntry(key: $0.0, value: $0.1, line: $0.2) }
    }

    var description: String { input.debugDescription }
}

/// Parses with a fixed file name so error locations can be checked.
func parseProperties(_ text: String) throws -> [PropertiesEntry] {
    try PropertiesReader.parse(text, file: "test.properties")
}

/// Java's final view of a file: the last duplicate wins.
func lastWins(_ entries: [PropertiesEntry]) -> [String: String] {
    var map: [String: String] = [:]
    for entry in entries { map[entry.key] = entry.value }
    return map
}
