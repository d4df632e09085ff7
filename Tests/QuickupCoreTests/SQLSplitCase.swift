import QuickupCore
import Testing

/// One hand-written splitting case: a script and the statements expected from it, with lines.
/// The MariaDB cases' texts are what the real `mariadb` 10.11 client sends, as captured from its
/// socket while building them; the differential test keeps checking the fixture corpus.
struct SQLSplitCase: Sendable, CustomTestStringConvertible {
    struct Expected: Sendable, Equatable, CustomStringConvertible {
        var text: String
        var line: Int
        var description: String { "\(line): \(text.debugDescription)" }
    }

    var name: String
    var script: String
    var expected: [Expected]
    var dialect: SQLDialect = .mariadb

    init(_ name: String, _ script: String, _ expected: [(String, Int)], dialect: SQLDialect = .mariadb) {
        self.name = name
        self.script = script
        self.expected = expected.map { Expected(text: $0.0, line: $0.1) }
        self.dialect = dialect
    }

    var testDescription: String { name }

    /// Splits the script and compares texts and lines with what is expected.
    func check(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let statements = try SQLSplitter(dialect: dialect).split(script, file: "case.sql")
        let actual = statements.map { Expected(text: $0.text, line: $0.line) }
        #expect(actual == expected, "\(name)", sourceLocation: sourceLocation)
        #expect(statements.allSatisfy { $0.file == "case.sql" })
    }
}

/// The error a script is expected to fail with, and where.
func expectSplitError(
    _ script: String, dialect: SQLDialect = .mariadb, code: QuickupError.Code, line: Int,
    messageContains fragment: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    do {
        let statements = try SQLSplitter(dialect: dialect).split(script, file: "broken.sql")
        Issue.record("expected \(code) at line \(line), got \(statements.count) statements", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == code, sourceLocation: sourceLocation)
        #expect(error.location == QuickupCore.SourceLocation(file: "broken.sql", line: line), sourceLocation: sourceLocation)
        #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix("broken.sql:\(line): "), sourceLocation: sourceLocation)
        #expect(error.isInvalidInput, sourceLocation: sourceLocation)
    }
}
