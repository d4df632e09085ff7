import Foundation
import QuickupCore
import QuickupTestSupport
import Testing

/// N1: for the DELIMITER and `--X` rules, the number of statements lint says the `mariadb` client
/// sends is what the real client sends: random scripts full of both traps are run with
/// `mariadb --force db < script`, and the statements the server received are counted in its
/// general log (`--force` so a statement the trap mangled does not stop the rest).
@Suite(
    "Lint against the real mariadb client", .serialized,
    .enabled(if: TestServers.mariaDBEnabled, TestServers.mariaDBSkipComment))
struct LintDifferentialTests {
    static let database = "quickup_lint_diff"

    /// A script of random statements where, on purpose, some statements lack their `;` before a
    /// `DELIMITER` line and some lines start `--X`, at a statement's start or inside one.
    static func script(seed: UInt64) -> String {
        var random = SplitMix64(seed: seed)
        var lines: [String] = []
        var trapPlaced = false
        for index in 0..<Int.random(in: 4...12, using: &random) {
            switch Int.random(in: 0..<7, using: &random) {
            case 0:
                lines.append("SELECT \(index)")  // no `;`: the next line decides what happens to it
            case 1:
                lines.append("--SELECT \(index) AS dropped;")
                trapPlaced = true
            case 2:
                lines.append("SELECT \(index)\n--\(index)\n;")  // `--1` inside a statement: minus minus 1
                trapPlaced = true
            case 3:
                let missing = Bool.random(using: &random)
                lines.append("SELECT \(index)\(missing ? "" : ";")\nDELIMITER //\nSELECT \(index + 100)//\nSELECT \(index + 200);//\nDELIMITER ;")
                trapPlaced = trapPlaced || missing
            case 4:
                lines.append("INSERT INTO t VALUES (\(index));")
            case 5:
                lines.append("-- a comment \(index)\nSELECT 'a;b', \(index);")
            default:
                lines.append("SELECT \(index); SELECT \(index + 1);")
            }
        }
        if !trapPlaced { lines.append("SELECT 1\nDELIMITER $$\nSELECT 2$$\nDELIMITER ;") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func lint(_ script: String) -> [LintFinding] {
        var task = UpgradeTask(component: "c", version: Version(1, 0, 1), kind: .sql, uid: "t", id: "T", description: "",
                               stage: .inStop, filePosition: 1, location: SourceLocation(file: "m.properties"))
        task.file = "t.sql"
        return ScriptLinter.lint(script, context: ScriptLintContext(task: task, file: "t.sql", datasourceType: .mariadb)).findings
            .filter { $0.rule == .delimiterInStatement || $0.rule == .dashCommentWithoutSpace }
    }

    @Test("the statement count in the finding equals what the client sends", arguments: Array(UInt64(1)...40))
    func statementCount(seed: UInt64) throws {
        let script = Self.script(seed: seed)
        let findings = Self.lint(script)
        let finding = try #require(findings.first, "every generated script has a trap:\n\(script)")
        #expect(Set(findings.compactMap(\.clientStatements)).count == 1)

        let client = MariaDBCommandLineClient(server: try TestServers.requireMariaDB())
        try client.query("DROP DATABASE IF EXISTS \(Self.database); CREATE DATABASE \(Self.database); CREATE TABLE \(Self.database).t (id INT)")
        defer { _ = try? client.query("DROP DATABASE IF EXISTS \(Self.database)") }
        let received = try GeneralLogTable.capture(using: client) { marker in
            _ = try client.run(["--force", "--default-character-set=utf8mb4", "--init-command=\(marker)", Self.database],
                               input: Data(script.utf8))
        }
        #expect(finding.clientStatements == received.count, "seed \(seed):\n\(script)\nlint: \(findings.map(\.text))\nlog: \(received.map(\.argument))")
    }
}
