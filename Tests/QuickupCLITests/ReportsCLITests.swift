import Foundation
import QuickupTestSupport
import Testing

/// Issue 14 items 2, 4 and 5 as a user meets them on the command line.
@Suite("validate, plan and run reports leave nothing out (issue 14)")
struct ReportsCLITests {
    /// Runs quickup with stdout and stderr into one file, as `2>&1` into a log does.
    private func merged(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = try ChildProcess.start([CLI.executable.path] + arguments, directory: CLI.repositoryRoot.path, combined: true)
        return (process.wait().status, process.stdout)
    }

    @Test("validate with --release one level too low fails (2), says where the release is, and that path validates")
    func validateComponentFolder() throws {
        let wrong = try CLI.run(["validate", "--release", "examples/release/base"])
        #expect(wrong.status == 2, "\(wrong.stdout)\(wrong.stderr)")
        #expect(wrong.stderr.contains("no components found in examples/release/base"), "\(wrong.stderr)")
        #expect(wrong.stderr.contains("pass --release examples/release"), "\(wrong.stderr)")
        let high = try CLI.run(["validate", "--release", "examples"])
        #expect(high.status == 2 && high.stderr.contains("examples/release"), "\(high.stderr)")
        let right = try CLI.run(["validate", "--release", "examples/release"])
        #expect(right.status == 0, "\(right.stderr)")
    }

    @Test("plan without a site says how many site-only tasks it left out, in text and JSON")
    func planSaysWhatItLeavesOut() throws {
        let common = ["plan", "--release", "examples/release", "--from", "V2.16.7", "--to", "V2.17.0"]
        let text = try CLI.run(common)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Note: 1 task runs only at named sites and is left out because no site was given (SITE-A: 1)"), "\(text.stdout)")
        let json = try CLI.run(common + ["--json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(doc["leftOutTasks"] as? Int == 1)
        #expect(doc["leftOutBySite"] as? [String: Int] == ["SITE-A": 1])
        let withSite = try CLI.run(common + ["--site", "SITE-A", "--json"])
        let siteDoc = try #require(try JSONSerialization.jsonObject(with: Data(withSite.stdout.utf8)) as? [String: Any])
        #expect(siteDoc["leftOutTasks"] == nil)
    }

    @Test("plan shows where an orchestration override came from (docs/FORMATS.md M3)")
    func planShowsOverrides() throws {
        let common = ["plan", "--release", "examples/release", "--from", "V2.16.7", "--to", "V2.17.0"]
        let text = try CLI.run(common)
        #expect(text.stdout.contains("Overridden by an orchestration file (M3):"), "\(text.stdout)")
        #expect(text.stdout.contains(/sql\.backup_legacy_data: stage = pre_stop from base\/upgrade\/V2\.16\.8\/upgrade_orchestration_V2\.16\.8\.properties:2/),
                "\(text.stdout)")
        let json = try CLI.run(common + ["--json"])
        #expect(json.stdout.contains(#""overrides" : {"#) && json.stdout.contains(#""stage" : "examples/release/"#), "\(json.stdout)")
    }

    @Test("a run's log with 2>&1 keeps whole lines in order; --quiet gives a human duration; status lists a refused task")
    func runOutput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qu-cli-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("release/app/upgrade/V1.0.1")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sql"), withIntermediateDirectories: true)
        try Data("datasources:\n  - name: db\n    type: sqlite\n".utf8).write(to: dir.appendingPathComponent("release/app/component.yaml"))
        try Data("sql.a.id=A\nsql.a.description=create\nsql.a.file=sql/a.sql\nsql.a.stage=pre_stop\n".utf8)
            .write(to: folder.appendingPathComponent("upgrade_tasks_V1.0.1.properties"))
        try Data("CREATE TABLE t (x INT);".utf8).write(to: folder.appendingPathComponent("sql/a.sql"))
        try Data("site: CLI\ndatasources:\n  db: {type: sqlite, path: app.db}\n".utf8).write(to: dir.appendingPathComponent("env.yaml"))
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("app.db").path, contents: nil)
        let common = ["--release", dir.appendingPathComponent("release").path, "--env", dir.appendingPathComponent("env.yaml").path,
                      "--state", dir.appendingPathComponent("state").path, "--from", "V1.0.0", "--to", "V1.0.1", "--stage", "all"]

        let quiet = try CLI.run(["run"] + common + ["--quiet"])
        #expect(quiet.status == 0, "\(quiet.stdout)\(quiet.stderr)")
        #expect(quiet.stdout.contains(/succeeded, 0 skipped, 0 failed \(\d+(ms|s)\)\./), "\(quiet.stdout)")
        #expect(!quiet.stdout.contains("seconds"))

        // The file changes after it was applied: the run refuses it, says so, and status agrees.
        try Data("CREATE TABLE t (x BIGINT);".utf8).write(to: folder.appendingPathComponent("sql/a.sql"))
        let (status, output) = try merged(["run"] + common)
        #expect(status == 1, "\(output)")
        let lines = output.split(separator: "\n").map(String.init)
        let refused = lines.firstIndex { $0.hasPrefix("[REFUSED] app V1.0.1 sql.a: ") }
        let total = lines.firstIndex { $0.hasPrefix("Total ") }
        #expect(refused != nil && total != nil && refused! < total!, "\(output)")
        // stdout is line-buffered: with --quiet its summary line comes before the error printed on
        // stderr at the end (block-buffered, stdout would only be flushed at exit, after it).
        let (_, quietOutput) = try merged(["run"] + common + ["--quiet"])
        let quietLines = quietOutput.split(separator: "\n").map(String.init)
        let summary = quietLines.firstIndex { $0.hasPrefix("Run ") }
        let error = quietLines.firstIndex { $0.hasPrefix("error: ") }
        #expect(summary != nil && error != nil && summary! < error!, "\(quietOutput)")
        let runID = try #require(lines.first { $0.hasPrefix("Run ") }?.split(separator: " ")[1].trimmingCharacters(in: CharacterSet(charactersIn: ":")))
        let shown = try CLI.run(["status", runID, "--state", dir.appendingPathComponent("state").path])
        #expect(shown.stdout.contains("app/V1.0.1/sql.a") && shown.stdout.contains("REFUSED"), "\(shown.stdout)")
        #expect(!shown.stdout.contains("no task attempted"))
    }
}
