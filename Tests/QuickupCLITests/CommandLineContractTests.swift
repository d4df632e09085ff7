import Foundation
import QuickupTestSupport
import Testing

/// SPEC §13's contract for a person or a script calling quickup (issue 14 item 1): exit 2 for
/// every kind of invalid input, unknown commands named as such, `--json` on run/resume/rollback.
@Suite("Command-line contract (C)")
struct CommandLineContractTests {
    @Test("usage errors (unknown flag, missing option, missing argument) exit 2, not 64")
    func usageErrors() throws {
        let unknownFlag = try CLI.run(["plan", "--release", "examples/release", "--from", "V2.16.7", "--to", "V2.17.0", "--colour"])
        #expect(unknownFlag.status == 2, "\(unknownFlag.stderr)")
        #expect(unknownFlag.stderr.contains("--colour"))
        let missingOption = try CLI.run(["plan", "--release", "examples/release", "--from", "V2.16.7"])
        #expect(missingOption.status == 2, "\(missingOption.stderr)")
        #expect(missingOption.stderr.contains("--to"))
        let missingArgument = try CLI.run(["resume", "--release", "examples/release", "--env", "examples/env/site-a.yaml"])
        #expect(missingArgument.status == 2, "\(missingArgument.stderr)")
    }

    @Test("an unknown command is an error naming the known ones, with --help too; known ones still show their help")
    func unknownCommand() throws {
        for arguments in [["daemon"], ["daemon", "--help"], ["frobnicate", "-h"]] {
            let result = try CLI.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("unknown command '\(arguments[0])'"), "\(result.stderr)")
            for known in ["validate", "lint", "plan", "assess", "run", "status", "resume", "rollback", "history", "unlock"] {
                #expect(result.stderr.contains(" \(known),") || result.stderr.contains(" \(known)\n"), "\(known): \(result.stderr)")
            }
            #expect(!result.stdout.contains("USAGE"), "no help as if the command existed")
        }
        let help = try CLI.run(["help", "run"])
        #expect(help.status == 0 && help.stdout.contains("--stage"), "\(help.stderr)")
        let top = try CLI.run(["--help"])
        #expect(top.status == 0 && top.stdout.contains("SUBCOMMANDS"))
    }

    @Test("--state naming a file is invalid input (2) for every command that takes it")
    func stateIsAFile() throws {
        let tree = try TemporaryTree("qu-state-file", files: ["state": "not a directory\n"])
        defer { tree.remove() }
        let file = tree.root.appendingPathComponent("state").path
        for arguments in [["history", "--state", file], ["status", "--state", file],
                          ["run", "--release", "examples/release", "--env", "examples/env/site-a.yaml", "--from", "V2.16.7", "--to", "V2.17.0",
                           "--dry-run", "--state", file]] {
            let result = try CLI.run(arguments)
            #expect(result.status == 2, "\(arguments[0]): \(result.stderr)")
            #expect(result.stderr.contains("--state \(file) is a file, not a directory"), "\(result.stderr)")
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "not a directory\n", "the file is left alone")
    }

    @Test("--to beyond the release's newest version plans with a warning; within it, none")
    func toBeyondNewest() throws {
        let beyond = try CLI.run(["plan", "--release", "examples/release", "--from", "V2.16.7", "--to", "V2.18.0"])
        #expect(beyond.status == 0, "\(beyond.stderr)")
        #expect(beyond.stderr.contains("warning: --to V2.18.0 is beyond the newest version of release smartpark-platform (V2.17.0)"), "\(beyond.stderr)")
        let json = try CLI.run(["plan", "--release", "examples/release", "--from", "V2.16.7", "--to", "V2.18.0", "--json"])
        #expect(json.stderr.contains("warning: --to V2.18.0"))
        #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil, "stdout stays JSON")
        let within = try CLI.run(["plan", "--release", "examples/release", "--from", "V2.16.7", "--to", "V2.17.0"])
        #expect(within.status == 0 && !within.stderr.contains("warning"), "\(within.stderr)")
        let run = try CLI.run(["run", "--release", "examples/release", "--env", "examples/env/site-a.yaml", "--from", "V2.16.7", "--to", "V3.0.0",
                               "--stage", "pre_stop", "--dry-run"])
        #expect(run.stderr.contains("warning: --to V3.0.0 is beyond"), "\(run.stderr)")
    }

    @Test("run, resume and rollback --json: run id, status, counts, each task's result, error with hint, the next command")
    func jsonSummaries() throws {
        let fixture = try TwoTaskRelease()
        defer { fixture.remove() }
        let failed = try CLI.run(["run"] + fixture.common + ["--from", "V1.0.0", "--to", "V1.0.1", "--json"], in: fixture.root)
        #expect(failed.status == 1, "\(failed.stderr)")
        let run = try #require(try JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as? [String: Any], "\(failed.stdout)")
        let runID = try #require(run["runId"] as? String)
        #expect(run["command"] as? String == "run" && run["status"] as? String == "failed" && run["dryRun"] as? Bool == false)
        #expect(run["counts"] as? [String: Int] == ["succeeded": 1, "skipped": 0, "failed": 1])
        let tasks = try #require(run["tasks"] as? [[String: Any]])
        #expect(tasks.map { "\($0["task"] ?? "") \($0["status"] ?? "")" } == ["app/V1.0.1/sql.a SUCCESS", "app/V1.0.1/sql.b FAILED"])
        #expect((tasks[1]["error"] as? String)?.contains("missing") == true)
        let error = try #require(run["error"] as? [String: Any])
        #expect(error["code"] as? String == "task_failed" || (error["message"] as? String)?.contains("missing") == true, "\(error)")
        #expect((run["next"] as? String)?.hasSuffix("resume \(runID) \(fixture.commonText)") == true, "\(run["next"] ?? "")")
        #expect(failed.stderr.contains("[FAILED] app V1.0.1 sql.b"), "progress goes to stderr: \(failed.stderr)")
        #expect(!failed.stderr.contains("error: "), "the error is in the JSON once, not repeated")

        try fixture.fix()
        let resumed = try CLI.run(["resume", runID, "--json"] + fixture.common, in: fixture.root)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let resume = try #require(try JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8)) as? [String: Any], "\(resumed.stdout)")
        #expect(resume["command"] as? String == "resume" && resume["status"] as? String == "succeeded")
        #expect((resume["tasks"] as? [[String: Any]])?.map { "\($0["task"] ?? "") \($0["status"] ?? "")" }
            == ["app/V1.0.1/sql.a SKIPPED", "app/V1.0.1/sql.b SUCCESS"])
        #expect(resume["error"] == nil && resume["next"] == nil)

        let rolled = try CLI.run(["rollback", runID, "--json", "--undone-by-hand", "b"] + fixture.common, in: fixture.root)
        #expect(rolled.status == 0, "\(rolled.stdout)\(rolled.stderr)")
        let rollback = try #require(try JSONSerialization.jsonObject(with: Data(rolled.stdout.utf8)) as? [String: Any], "\(rolled.stdout)")
        #expect(rollback["command"] as? String == "rollback" && rollback["status"] as? String == "succeeded")
        #expect(rollback["counts"] as? [String: Int] == ["succeeded": 2, "skipped": 0, "failed": 0])
        #expect((rollback["tasks"] as? [[String: Any]])?.map { "\($0["task"] ?? "") \($0["status"] ?? "")" }
            == ["app/V1.0.1/sql.b ROLLED_BACK", "app/V1.0.1/sql.a ROLLED_BACK"])
    }
}

/// Two SQL tasks on SQLite: `a` creates a table (with a rollback script), `b` inserts into a
/// missing table until `fix()` (and has no rollback script). In a folder whose name has a space,
/// so that printed commands must quote their paths to work.
struct TwoTaskRelease {
    let tree: TemporaryTree
    var root: URL { tree.root }

    init() throws {
        tree = try TemporaryTree("qu cli two", files: [
            "release/app/component.yaml": "datasources:\n  - name: db\n    type: sqlite\n",
            "release/app/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties": """
                sql.a.id=A
                sql.a.description=create
                sql.a.file=sql/a.sql
                sql.a.rollback=sql/a_rollback.sql
                sql.a.stage=pre_stop
                sql.b.id=B
                sql.b.description=fill
                sql.b.file=sql/b.sql
                sql.b.stage=in_stop

                """,
            "release/app/upgrade/V1.0.1/sql/a.sql": "CREATE TABLE t (x INT);\n",
            "release/app/upgrade/V1.0.1/sql/a_rollback.sql": "DROP TABLE t;\n",
            "release/app/upgrade/V1.0.1/sql/b.sql": "INSERT INTO missing VALUES (1);\n",
            "env.yaml": "site: TWO\ndatasources:\n  db: {type: sqlite, path: app.db}\n",
            "app.db": "",
        ])
    }

    /// Relative to `root`, as an operator in that folder types them.
    var common: [String] { ["--release", "release", "--env", "env.yaml", "--state", "my state"] }
    var commonText: String { "--release release --env env.yaml --state 'my state'" }

    /// b.sql after the operator fixed it. Its checksum changes, which is fine: b never succeeded.
    func fix() throws { try tree.write("release/app/upgrade/V1.0.1/sql/b.sql", "INSERT INTO t VALUES (1);\n") }

    func remove() { tree.remove() }
}
