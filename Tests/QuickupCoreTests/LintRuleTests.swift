import QuickupCore
import Testing

/// N1: each rule on a script that has its trap (exactly one finding, at the exact place) and on a
/// clean twin that differs only in the fix (no finding at all).
@Suite("Lint rules")
struct LintRuleTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var rule: LintRule
        var bad: String
        var line: Int
        var column: Int
        var good: String
        var type: DatasourceType? = .mariadb
        var kind: TaskKind = .sql
        var stage: Stage = .inStop
        var transactional: Bool? = false
        var compatibleVersion: Version? = Version(1, 0, 0)
        var rollback: String?
        var goodRollback: String?
        var backupTables: [String] = []
        var serverVersion: String?
        var volume: Volume?
        var file = "task.sql"
        /// The fix, when it is in the task's fields rather than in its script.
        var fixTask: @Sendable (inout UpgradeTask) -> Void = { _ in }
        var testDescription: String { rule.rawValue }
    }

    static let cases: [Case] = [
        Case(rule: .delimiterInStatement,
             bad: "DROP PROCEDURE IF EXISTS p;\nINSERT INTO t VALUES (1)\nDELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END $$\nDELIMITER ;\nINSERT INTO t VALUES (2);\n",
             line: 3, column: 1,
             good: "DROP PROCEDURE IF EXISTS p;\nINSERT INTO t VALUES (1);\nDELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END $$\nDELIMITER ;\nINSERT INTO t VALUES (2);\n"),
        Case(rule: .dashCommentWithoutSpace,
             bad: "INSERT INTO t VALUES (1);\n  --DELETE FROM t WHERE id = 1;\n",
             line: 2, column: 3,
             good: "INSERT INTO t VALUES (1);\n  -- DELETE FROM t WHERE id = 1;\n-------------- decoration\n"),
        Case(rule: .useDatabase,
             bad: "INSERT INTO t VALUES (1);\nuse other_db\nINSERT INTO t VALUES (2);\n", line: 2, column: 1,
             good: "INSERT INTO t VALUES (1);\nINSERT INTO other_db.t VALUES (2);\n"),
        Case(rule: .implicitCommitInTransaction,
             bad: "UPDATE t SET a = 1 WHERE id = 2;\n  ALTER TABLE t ADD COLUMN IF NOT EXISTS b INT;\n", line: 2, column: 3,
             good: "UPDATE t SET a = 1 WHERE id = 2;\nUPDATE t SET a = 2 WHERE id = 3;\n", transactional: true),
        Case(rule: .nonIdempotentDDL,
             bad: "CREATE TABLE IF NOT EXISTS a (id INT);\nALTER TABLE a ADD COLUMN b INT;\n", line: 2, column: 1,
             good: "CREATE TABLE IF NOT EXISTS a (id INT);\nALTER TABLE a ADD COLUMN IF NOT EXISTS b INT;\n"),
        Case(rule: .destructiveWithoutBackup,
             bad: "SELECT 1;\nDELETE FROM orders;\n", line: 2, column: 1,
             good: "SELECT 1;\nDELETE FROM orders WHERE status = 9;\n"),
        Case(rule: .longStatementWithoutEstimate,
             bad: "ALTER TABLE orders ADD COLUMN IF NOT EXISTS b INT;\n", line: 1, column: 1,
             good: "ALTER TABLE orders ADD COLUMN IF NOT EXISTS b INT;\n", volume: .bytes(50 << 30),
             fixTask: { $0.rate = Rate.parse("50MB/s") }),
        Case(rule: .incompatibleWithoutVersion,
             bad: "SELECT 1;\nALTER TABLE orders ADD COLUMN IF NOT EXISTS b INT;\n", line: 2, column: 1,
             good: "SELECT 1;\nALTER TABLE orders ADD COLUMN IF NOT EXISTS b INT;\n",
             stage: .preStop, compatibleVersion: nil, fixTask: { $0.compatibleVersion = Version(1, 0, 0) }),
        Case(rule: .rollbackMismatch,
             bad: "ALTER TABLE orders ADD COLUMN IF NOT EXISTS channel INT;\n", line: 1, column: 1,
             good: "ALTER TABLE orders ADD COLUMN IF NOT EXISTS channel INT;\n",
             rollback: "ALTER TABLE orders DROP COLUMN IF EXISTS other;\n",
             goodRollback: "ALTER TABLE orders DROP COLUMN IF EXISTS channel;\n"),
        Case(rule: .clickHouseServerVersion,
             bad: "SELECT 1;\nALTER TABLE events RENAME COLUMN a TO b;\n", line: 2, column: 1,
             good: "SELECT 1;\nALTER TABLE events ADD COLUMN IF NOT EXISTS c UInt8;\n",
             type: .clickhouse, serverVersion: "19.14"),
        Case(rule: .redisDangerousCommand,
             bad: "SET a 1\n# cleanup\nFLUSHDB\n", line: 3, column: 1,
             good: "SET a 1\n# cleanup\nDEL a\n", type: .redis, kind: .redis, file: "task.redis"),
        Case(rule: .unterminatedAtEnd,
             bad: "INSERT INTO t VALUES (1);\nINSERT INTO t VALUES ('open);\n", line: 2, column: 1,
             good: "INSERT INTO t VALUES (1);\nINSERT INTO t VALUES ('closed');\n"),
    ]

    static func context(_ c: Case, rollback: String?, fixed: Bool = false) -> ScriptLintContext {
        var task = UpgradeTask(component: "base", version: Version(1, 0, 1), kind: c.kind, uid: "t", id: "T", description: "",
                               stage: c.stage, filePosition: 1, location: SourceLocation(file: "upgrade_tasks_V1.0.1.properties", line: 1))
        task.file = c.file
        task.transactional = c.transactional
        task.compatibleVersion = c.compatibleVersion
        task.volume = c.volume
        task.rollback = rollback == nil ? nil : "task.rollback"
        if fixed { c.fixTask(&task) }
        return ScriptLintContext(task: task, file: c.file, datasourceType: c.type, serverVersion: c.serverVersion.flatMap(ServerVersion.init),
                                 backupTables: c.backupTables, rollback: rollback.map { (file: "task.rollback", text: $0) })
    }

    @Test("the trap yields exactly its finding at its line and column", arguments: cases)
    func bad(_ c: Case) {
        let findings = ScriptLinter.lint(c.bad, context: Self.context(c, rollback: c.rollback)).allFindings
        #expect(findings.map(\.rule) == [c.rule], "\(findings.map(\.text))")
        #expect(findings.first.map { [$0.line, $0.column] } == [c.line, c.column], "\(findings.map(\.text))")
        #expect(findings.first?.file == c.file)
        #expect(findings.first?.severity == c.rule.severity || c.rule == .implicitCommitInTransaction)
    }

    @Test("the clean twin yields nothing", arguments: cases)
    func good(_ c: Case) {
        let findings = ScriptLinter.lint(c.good, context: Self.context(c, rollback: c.goodRollback ?? c.rollback, fixed: true)).allFindings
        #expect(findings.isEmpty, "\(findings.map(\.text))")
    }

    @Test("every rule has a fixture")
    func everyRule() {
        #expect(Set(Self.cases.map(\.rule)) == Set(LintRule.allCases))
    }

    @Test("the finding reads file:line:column: severity rule-id: what — why — how to fix")
    func textForm() throws {
        let c = Self.cases[5]
        let finding = try #require(ScriptLinter.lint(c.bad, context: Self.context(c, rollback: nil)).findings.first)
        #expect(finding.text.hasPrefix("task.sql:2:1: warning destructive-without-backup: DELETE FROM orders without WHERE"))
        #expect(finding.text.split(separator: " — ").count == 3)
    }

    @Test("the DELIMITER finding says how many statements the client sends and how many are swallowed")
    func delimiterCounts() throws {
        let c = Self.cases[0]
        let finding = try #require(ScriptLinter.lint(c.bad, context: Self.context(c, rollback: nil)).findings.first)
        // The client: DROP, "INSERT … (1)\nDELIMITER $$CREATE … SELECT 1", "END $$\nDELIMITER", "INSERT … (2)";
        // meant: DROP, INSERT (1), CREATE PROCEDURE, INSERT (2) — two of them mangled.
        #expect(finding.clientStatements == 4)
        #expect(finding.why.contains("it sends 4 statements where the script reads as 4, and 2 of those the script means reach the server mangled"))
    }

    @Test("-- quickup:lint-ignore on the line, or alone on the line above, switches a rule off there")
    func suppression() {
        let c = Self.cases[5]
        let sameLine = "SELECT 1;\nDELETE FROM orders; -- quickup:lint-ignore destructive-without-backup\n"
        let lineAbove = "SELECT 1;\n-- quickup:lint-ignore destructive-without-backup, use-database\nDELETE FROM orders;\n"
        let otherRule = "SELECT 1;\nDELETE FROM orders; -- quickup:lint-ignore use-database\n"
        let notAbove = "-- quickup:lint-ignore destructive-without-backup\nSELECT 1;\nDELETE FROM orders;\n"
        #expect(ScriptLinter.lint(sameLine, context: Self.context(c, rollback: nil)).findings.isEmpty)
        #expect(ScriptLinter.lint(lineAbove, context: Self.context(c, rollback: nil)).findings.isEmpty)
        #expect(ScriptLinter.lint(otherRule, context: Self.context(c, rollback: nil)).findings.map(\.rule) == [.destructiveWithoutBackup])
        #expect(ScriptLinter.lint(notAbove, context: Self.context(c, rollback: nil)).findings.map(\.line) == [3])
    }

    @Test("a transactional-by-default task whose later statement commits gets a warning")
    func transactionalByDefault() throws {
        var c = Self.cases[3]
        c.transactional = nil
        let finding = try #require(ScriptLinter.lint(c.bad, context: Self.context(c, rollback: nil)).findings.first)
        #expect(finding.rule == .implicitCommitInTransaction && finding.severity == .warning && finding.line == 2)
    }

    @Test("the ClickHouse rule follows the declared version", arguments: [("20.3", 1), ("20.4", 0), ("22.8", 0)])
    func clickHouseVersions(version: String, expected: Int) {
        var c = Self.cases[9]
        c.serverVersion = version
        #expect(ScriptLinter.lint(c.bad, context: Self.context(c, rollback: nil)).findings.count == expected)
    }
}

extension ScriptLintResult {
    /// Findings plus the A3 candidates (a single script has no other task creating its tables).
    var allFindings: [LintFinding] { findings + compatibilityCandidates.map(\.finding) }
}
