import QuickupTestSupport
import Foundation
import QuickupCore
import Testing

/// Issue 13 item 4: the line quickup names for a failing statement is the line the real
/// `mariadb` client prints in `ERROR … at line N` — the line where the statement's first text is
/// (after blanks and comments), whatever comes before it. Each case puts a statement the server
/// rejects after a lead-in, runs it through the client with `--force`, and compares.
@Suite(
    "SQL splitter: error lines agree with the mariadb client", .serialized,
    .enabled(if: TestServers.mariaDBEnabled, TestServers.mariaDBSkipComment))
struct SQLSplitterLineTests {
    static let leadIns = [
        "SELECT 1;\n",
        "SELECT 1; ",
        "SELECT 1;\n\n-- a comment\n",
        "SELECT 1;\n/* a block\n comment */\n",
        "SELECT 1;\n/* a block\n comment */ ",
        "SELECT 1;\n# hash comment\n\n",
        "SELECT 'a string\nover\nthree lines';\n",
        "DELIMITER //\nSELECT 1//\nDELIMITER ;\n",
        "SELECT 1;\r\n\r\n",
        "SELECT 1 /* trailing\ncomment */;\n",
        "SELECT 1;\n  \t\n",
        "SELECT 1 -- c\n;\n",
        "\n\n\nSELECT 1;",
        "SELECT 1;\n/*! */\n",
    ]

    static let failing = [
        "SELECT nosuch_q FROM dual;\n",
        "SELECT\n  nosuch_q\nFROM dual;\n",
        "/*!40101 SELECT nosuch_q */;\n",
        "  SELECT nosuch_q;\n",
        "-- lead\nSELECT nosuch_q;",
        "/* lead */\n\nSELECT nosuch_q;",
    ]

    @Test("the failing statement's line is the client's `at line`", arguments: Array(0..<leadIns.count))
    func sameLineAsClient(lead: Int) throws {
        let client = MariaDBCommandLineClient(server: try TestServers.requireMariaDB())
        for statement in Self.failing {
            let script = Self.leadIns[lead] + statement
            let run = try client.run(["--force", "--batch"], input: Data(script.utf8))
            let printed = try #require(Self.line(in: run.errors), "no error from the client for \(script.debugDescription): \(run.errors)")
            let statements = try SQLSplitter().split(script, file: "t.sql")
            let mine = try #require(statements.first { $0.text.contains("nosuch_q") }, "\(statements)")
            #expect(mine.line == printed, "\(script.debugDescription): quickup says line \(mine.line), the client \(printed)")
        }
    }

    /// N of the first `ERROR … at line N:` the client printed.
    static func line(in errors: String) -> Int? {
        guard let range = errors.range(of: " at line ") else { return nil }
        let digits = errors[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }
}
