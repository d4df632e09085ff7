import Foundation
import Testing

@Suite("Command line (C)")
struct CommandLineTests {
    @Test("--version and --help on every command")
    func help() throws {
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && !version.stdout.isEmpty)
        for command in ["validate", "plan", "assess", "run", "status", "resume", "rollback", "history", "doctor", "demo", "pack", "bundle"] {
            let result = try CLI.run([command, "--help"])
            #expect(result.status == 0, "\(command) --help")
            #expect(result.stdout.contains("USAGE"), "\(command) --help")
        }
    }

    @Test("doctor names the isolation mechanism and each class's limits and policy (T3)")
    func doctor() throws {
        let text = try CLI.run(["doctor"])
        #expect(text.status == 0 || text.status == 3, "\(text.stderr)")
        #expect(text.stdout.contains("Tool isolation: cgroup") || text.stdout.contains("Tool isolation: rlimits"))
        #expect(text.stdout.contains("third_party  128 MiB  20 %"))
        let json = try CLI.run(["doctor", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(["cgroup v1", "cgroup v2", "rlimits"].contains(object["mechanism"] as? String ?? ""))
        let classes = try #require(object["classes"] as? [String: Any])
        #expect(Set(classes.keys) == ["core", "business", "third_party", "database"])
    }

    @Test("validate: exit 0 on the examples, 2 with every error listed")
    func validate() throws {
        let ok = try CLI.run(["validate", "--release", "examples/release", "--env", "examples/env/site-a.yaml"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("is valid"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qu-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("base/upgrade/V1.0.1")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("datasources:\n  - name: db\n    type: sqlite\n".utf8).write(to: dir.appendingPathComponent("base/component.yaml"))
        try Data("sql.a.id=A\nsql.a.stage=soon\nsql.a.file=nope.sql\nsql.a.description=x\nsql.a.colour=red\n".utf8)
            .write(to: folder.appendingPathComponent("upgrade_tasks_V1.0.1.properties"))
        let bad = try CLI.run(["validate", "--release", dir.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("upgrade_tasks_V1.0.1.properties:2: sql.a.stage: invalid value 'soon'"), "\(bad.stderr)")
        #expect(bad.stderr.contains(":3: sql.a.file: 'nope.sql' refers to a missing file"))
        #expect(bad.stderr.contains(":5: sql.a.colour: unknown key"))
        #expect(bad.stderr.contains("3 errors found"))
        let json = try CLI.run(["validate", "--release", dir.path, "--json"])
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(report?["valid"] as? Bool == false)
        #expect((report?["errors"] as? [Any])?.count == 3)
        // An env.yaml that is not YAML: one error at the line to fix, not one per datasource missing.
        let env = dir.appendingPathComponent("env.yaml")
        try Data("site: X\nservices:\n  base: {start: 7\n".utf8).write(to: env)
        let broken = try CLI.run(["validate", "--release", "examples/release", "--env", env.path])
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("env.yaml:4: not valid YAML: while parsing a flow mapping (opened on line 3)"), "\(broken.stderr)")
        #expect(broken.stderr.contains("1 error found"), "\(broken.stderr)")
    }

    @Test("plan: table, JSON, and exit 2 for bad versions and downgrades")
    func plan() throws {
        let table = try CLI.run(["plan", "--release", "examples/release", "--from", "V2.16.7", "--to", "V2.17.0", "--site", "SITE-A"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("alter_orders") && table.stdout.contains("8m32s"))
        let json = try CLI.run(["plan", "--release", "examples/release", "--from", "V2.16.7", "--to", "V2.17.0", "--json"])
        let doc = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(doc?["taskCount"] as? Int == 14)
        #expect((doc?["stages"] as? [[String: Any]])?.map { $0["stage"] as? String } == ["pre_stop", "in_stop", "post_start", "post_upgrade"])
        let badVersion = try CLI.run(["plan", "--release", "examples/release", "--from", "V2.16", "--to", "V2.17.0"])
        #expect(badVersion.status == 2)
        #expect(badVersion.stderr.contains("--from: invalid version format: 'V2.16'"))
        let downgrade = try CLI.run(["plan", "--release", "examples/release", "--from", "V2.16.9", "--to", "V2.16.8"])
        #expect(downgrade.status == 2 && downgrade.stderr.contains("downgrade"))
        let unsupported = try CLI.run(["plan", "--release", "examples/release", "--from", "V2.14.0", "--to", "V2.17.0"])
        #expect(unsupported.status == 2 && unsupported.stderr.contains("V2.15.0~V2.16.9"))
        let same = try CLI.run(["plan", "--release", "examples/release", "--from", "V2.16.8", "--to", "V2.16.8"])
        #expect(same.status == 0 && same.stdout.contains("nothing to upgrade"))
    }
}

@Suite("run, status, history, resume from the command line (E1, E4, C)")
struct RunCommandLineTests {
    @Test("a failed run exits 1 and says how to resume; resume after the fix exits 0; status and history show both")
    func failThenResume() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qu-cli-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("release/app/upgrade/V1.0.1")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sql"), withIntermediateDirectories: true)
        try Data("datasources:\n  - name: db\n    type: sqlite\n".utf8).write(to: dir.appendingPathComponent("release/app/component.yaml"))
        try Data("""
        sql.a.id=A
        sql.a.description=create
        sql.a.file=sql/a.sql
        sql.a.stage=pre_stop
        sql.b.id=B
        sql.b.description=fill
        sql.b.file=sql/b.sql
        sql.b.stage=in_stop
        """.utf8).write(to: folder.appendingPathComponent("upgrade_tasks_V1.0.1.properties"))
        try Data("CREATE TABLE t (x INT);".utf8).write(to: folder.appendingPathComponent("sql/a.sql"))
        try Data("INSERT INTO missing VALUES (1);".utf8).write(to: folder.appendingPathComponent("sql/b.sql"))
        try Data("site: CLI\ndatasources:\n  db: {type: sqlite, path: app.db}\n".utf8).write(to: dir.appendingPathComponent("env.yaml"))
        try #require(FileManager.default.createFile(atPath: dir.appendingPathComponent("app.db").path, contents: nil))
        let common = ["--release", dir.appendingPathComponent("release").path, "--env", dir.appendingPathComponent("env.yaml").path,
                      "--state", dir.appendingPathComponent("state").path]

        let failed = try CLI.run(["run"] + common + ["--from", "V1.0.0", "--to", "V1.0.1", "--stage", "all"])
        #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stdout.contains("[SUCCESS] app V1.0.1 sql.a") && failed.stdout.contains("[FAILED] app V1.0.1 sql.b"))
        let runID = try #require(failed.stdout.split(separator: "\n").first { $0.hasPrefix("Run ") }?.split(separator: " ")[1]
            .trimmingCharacters(in: CharacterSet(charactersIn: ":")))
        #expect(failed.stdout.contains("quickup resume \(runID)"))

        try Data("INSERT INTO t VALUES (1);".utf8).write(to: folder.appendingPathComponent("sql/b.sql"))
        let resumed = try CLI.run(["resume", runID] + common)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stdout.contains("[SKIPPED] app V1.0.1 sql.a") && resumed.stdout.contains("[SUCCESS] app V1.0.1 sql.b"))

        let state = ["--state", dir.appendingPathComponent("state").path]
        let history = try CLI.run(["history", "--json"] + state)
        let runs = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]]
        #expect(runs?.map { $0["status"] as? String } == ["succeeded", "failed"])
        let table = try CLI.run(["history"] + state)
        #expect(table.stdout.contains(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/), "start times a person can read: \(table.stdout)")
        let status = try CLI.run(["status", runID] + state)
        #expect(status.status == 0 && status.stdout.contains("failed") && status.stdout.contains("app/V1.0.1/sql.b"))
        let unknown = try CLI.run(["status", "no-such-run"] + state)
        #expect(unknown.status == 2 && unknown.stderr.contains("no run 'no-such-run'"))

        // F4: rolling back the first run covers the run that resumed it; B (applied by the
        // resume, newest) has no .rollback script: it is to be restored from the backup the
        // resume took (F3); A (no .rollback, its table created by the plan) stops the rollback.
        // The operator's --undone-by-hand then wins over the restore.
        let stopped = try CLI.run(["rollback", runID] + common)
        #expect(stopped.status == 1, "\(stopped.stdout)\(stopped.stderr)")
        #expect(stopped.stdout.contains("sql.b: restored from the backup in phase restore-tables") && stopped.stdout.contains("app/V1.0.1/sql.a was applied in run") && stopped.stdout.contains("--undone-by-hand a"), "\(stopped.stdout)")
        let rolled = try CLI.run(["rollback", runID, "--undone-by-hand", "B", "--undone-by-hand", "A"] + common)
        #expect(rolled.status == 0, "\(rolled.stdout)\(rolled.stderr)")
        #expect(rolled.stdout.contains("[ROLLED_BACK] app V1.0.1 sql.b (undone by hand, recorded)"), "\(rolled.stdout)")
        #expect(rolled.stdout.contains("[ROLLED_BACK] app V1.0.1 sql.a (undone by hand, recorded)"))
    }
}
