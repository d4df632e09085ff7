import QuickupTestSupport
import QuickupCore
import Testing

/// Random input must never crash or hang the splitter, and what it yields must be consistent.
/// Seeds are fixed so that a failure can be replayed.
@Suite("SQL splitter: randomized", .timeLimit(.minutes(10)))
struct SQLSplitterRandomizedTests {
    static let dialects: [SQLDialect] = [.mariadb, .clickhouse, .sqlite]

    /// Bytes that mean something to a splitter, over-represented, plus anything at all.
    static let interestingBytes = Array("';\"`\\/*-#!M$[]\n\r\t dDeElLgGcquN".utf8) + [0x0B, 0x0C, 0x01, 0x00]

    @Test("random bytes: statements or a located error, never a crash", arguments: dialects)
    func randomBytes(dialect: SQLDialect) {
        var random = SplitMix64(seed: 0x5eed_0001)
        for round in 0..<3_000 {
            let length = Int.random(in: 0...120, using: &random)
            let bytes: [UInt8] = (0..<length).map { _ in
                Bool.random(using: &random) ? Self.interestingBytes.randomElement(using: &random) ?? 0
                    : UInt8.random(in: 0...255, using: &random)
            }
            let script = String(decoding: bytes, as: UTF8.self)
            let lineCount = script.utf8.count(where: { $0 == UInt8(ascii: "\n") }) + 1
            do {
                let statements = try SQLSplitter(dialect: dialect).split(script, file: "random.sql")
                for statement in statements {
                    #expect((1...lineCount).contains(statement.line), "round \(round): \(script.debugDescription)")
                    #expect(!statement.text.isEmpty && statement.file == "random.sql")
                    if dialect == .mariadb, let last = statement.text.utf8.last {
                        #expect(last > 0x20 && last != 0x7F, "trailing blank sent, round \(round)")
                    }
                }
            } catch {
                #expect(error.code == .sqlSyntax || error.code == .sqlClientCommand)
                #expect(error.location?.file == "random.sql")
                #expect(error.location?.line.map { (1...lineCount).contains($0) } == true, "round \(round): \(error)")
            }
        }
    }

    @Test("random mixes of syntax: every statement found, at its line; splitting is a fixpoint", arguments: dialects)
    func randomSyntax(dialect: SQLDialect) throws {
        var random = SplitMix64(seed: 0x5eed_0002)
        let grammar = RandomSQLGrammar(dialect: dialect)
        for round in 0..<1_000 {
            let (script, startLines, delimiter) = grammar.script(using: &random)
            let statements = try SQLSplitter(dialect: dialect).split(script, file: "mix.sql")
            #expect(statements.map(\.line) == startLines, "round \(round): \(script.debugDescription)")
            // Joined again with the same delimiter, the statements split into themselves (but for
            // the blank the mariadb client puts where a comment started a statement).
            let header = delimiter == ";" ? "" : "DELIMITER \(delimiter)\n"
            let rejoined = header + statements.map(\.text).joined(separator: delimiter + "\n")
            let again = try SQLSplitter(dialect: dialect).split(rejoined, file: "mix.sql")
            #expect(again.map(\.text) == statements.map { dropLeadingBlanks($0.text) }, "round \(round): \(script.debugDescription)")
        }
    }
}

/// Builds scripts from the syntax elements of a dialect, remembering where each statement starts.
struct RandomSQLGrammar {
    let dialect: SQLDialect

    /// Parts of a statement after its first word: values, quotes, comments, line breaks.
    var parts: [String] {
        var parts = [" 1", " x", ", 'a;b'", ", \"c;d\"", ", 'it''s; ok'", " -- comment; here\n", " /* comment; */",
                     " /* multi\nline; */", "\n", " é", " 😀", ", 'multi\nline;'", "\t"]
        switch dialect {
        case .mariadb:
            parts += [", `e;f`", ", 'x\\'y;'", " # comment; here\n", " /*!40101 1 */", " /*M!100000 2 */", " --1", ", \\N"]
        case .clickhouse:
            parts += [", `e;f`", ", 'x\\'y;'", " # comment; here\n", " /* a /* nested; */ b */", " --comment;\n"]
        case .sqlite:
            parts += [", `e;f`", ", [g;h]", ", 'back\\'", " --comment;\n"]
        }
        return parts
    }

    /// What may come between two statements, after the delimiter.
    let separators = ["\n", " ", "\n\n", " -- after\n", "\r\n", "\n/* between;\n statements */ ", ";", "\n;\n"]

    func script(using random: inout SplitMix64) -> (script: String, startLines: [Int], delimiter: String) {
        var script = ""
        var startLines: [Int] = []
        let useDelimiterBlock = dialect == .mariadb && Bool.random(using: &random)
        if useDelimiterBlock { script += "DELIMITER $$\n" }
        let delimiter = useDelimiterBlock ? "$$" : ";"
        for index in 0..<Int.random(in: 1...8, using: &random) {
            if index > 0 {
                // In a DELIMITER block a `;` after the delimiter would start the next statement.
                let usable = separators.filter { !useDelimiterBlock || !$0.contains(";") }
                script += delimiter + (usable.randomElement(using: &random) ?? "\n")
            }
            startLines.append(script.utf8.count(where: { $0 == UInt8(ascii: "\n") }) + 1)
            script += "SELECT"
            for _ in 0..<Int.random(in: 0...6, using: &random) { script += parts.randomElement(using: &random) ?? "" }
            if useDelimiterBlock && Bool.random(using: &random) { script += "; SELECT 2" }  // `;` inside a $$ block
        }
        if Bool.random(using: &random) { script += delimiter }
        return (script, startLines, delimiter)
    }
}

private func dropLeadingBlanks(_ text: String) -> String {
    String(text.drop { $0 == " " })
}

