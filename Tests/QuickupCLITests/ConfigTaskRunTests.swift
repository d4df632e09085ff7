import Foundation
import QuickupTestSupport
import Testing

/// K1 through `quickup run`, `--dry-run`, `plan --diff` and `quickup rollback`, over a real sshd
/// host: four formats edited in place, owner and mode kept, everything byte-identical after the
/// rollback (a file that did not exist removed again), a re-run after an interruption leaving
/// the same files, and a link cut while the task runs.
@Suite("Config tasks through run and rollback (K1, issue 18)", .serialized)
struct ConfigTaskRunTests {
    static let originalProperties: [UInt8] = Array("# application\r\nserver.port=8080\r\nspring.redis.timeout=5s\r\nname=caf\\u00e9\r\n".utf8)
    static let originalYAML = """
        # service settings
        server:
          port: 8080   # the old port
        servers:
          - a
          - b
        defaults: &defaults
          retries: 3

        """
    static let originalFlink = "jobmanager.rpc.address: jm\ntaskmanager.numberOfTaskSlots: 2\n# keep me\n"

    static func fourTasks(_ site: ConfigSite) throws -> [String: String] {
        let paths = ["props": "\(site.files)/conf/app.properties", "yaml": "\(site.files)/conf/app.yaml",
                     "flink": "\(site.files)/flink/flink-conf.yaml", "whole": "\(site.files)/conf.d/new.conf"]
        try site.release(tasks: [
            ConfigSite.task("props", format: "properties", target: paths["props"] ?? "", order: 1),
            ConfigSite.task("yaml", format: "yaml", target: paths["yaml"] ?? "", order: 2),
            ConfigSite.task("flink", format: "flink", target: paths["flink"] ?? "", order: 3),
            ConfigSite.task("whole", format: "file", target: paths["whole"] ?? "", order: 4),
        ].joined(separator: "\n"), changes: [
            "props.change": "set server.port = 8081\nremove spring.redis.timeout\n",
            // [2] = the list's length: appends — not idempotent on its own result, so a re-run
            // only leaves one new item if it edits the kept original.
            "yaml.change": "set server.port = 8081\nset servers[2] = c\n",
            "flink.change": "set taskmanager.numberOfTaskSlots = 4\n",
            "whole.change": "server { listen 8081; }\n",
        ])
        _ = try site.place("conf/app.properties", originalProperties, mode: 0o640)
        _ = try site.place("conf/app.yaml", Array(originalYAML.utf8), mode: 0o600, owner: 0, group: 65534)
        _ = try site.place("flink/flink-conf.yaml", Array(originalFlink.utf8), mode: 0o644)
        return paths
    }

    @Test("K1: run edits properties, YAML, Flink and a whole file on the host keeping owner and mode; rollback restores every byte")
    func runAndRollback() throws {
        let site = try ConfigSite("qu-cfg-run")
        defer { site.stop() }
        try site.env()
        let paths = try Self.fourTasks(site)
        let before = paths.mapValues { ConfigSite.snapshot($0) }
        #expect(before["whole"] == .some(nil), "the whole-file target does not exist before")

        let (result, runID) = try site.runJSON()
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let props = try #require(ConfigSite.snapshot(paths["props"] ?? ""))
        #expect(props.text == "# application\r\nserver.port=8081\r\nname=caf\\u00e9\r\n")
        #expect(props.mode == 0o640 && props.owner == 65534 && props.group == 65534, "\(props)")
        let yaml = try #require(ConfigSite.snapshot(paths["yaml"] ?? ""))
        #expect(yaml.text == "# service settings\nserver:\n  port: 8081   # the old port\nservers:\n  - a\n  - b\n  - c\ndefaults: &defaults\n  retries: 3\n")
        #expect(yaml.mode == 0o600 && yaml.owner == 0 && yaml.group == 65534, "\(yaml)")
        #expect(ConfigSite.snapshot(paths["flink"] ?? "")?.text == "jobmanager.rpc.address: jm\ntaskmanager.numberOfTaskSlots: 4\n# keep me\n")
        #expect(ConfigSite.snapshot(paths["whole"] ?? "")?.text == "server { listen 8081; }\n")
        #expect(result.stderr.contains("web1: \(paths["props"] ?? "") written"), "\(result.stderr)")

        let back = try site.rollback(runID)
        #expect(back.status == 0, "\(back.stdout)\n\(back.stderr)")
        #expect(back.stdout.components(separatedBy: "[ROLLED_BACK]").count - 1 == 4, "\(back.stdout)")
        for (name, path) in paths {
            #expect(ConfigSite.snapshot(path) == before[name] ?? nil, "\(name) after rollback: \(String(describing: ConfigSite.snapshot(path)))")
        }
        // Rolled back once: running the rollback again changes nothing and says so.
        let again = try site.rollback(runID)
        #expect(again.status == 0 && again.stdout.contains("already rolled back"), "\(again.stdout)")
        // The upgrade can be applied again after its rollback (the kept copies were marked restored).
        let (rerun, _) = try site.runJSON()
        #expect(rerun.status == 0, "\(rerun.stdout)\n\(rerun.stderr)")
        #expect(ConfigSite.snapshot(paths["props"] ?? "")?.text == props.text)
    }

    @Test("K1/E11: --dry-run and plan --diff show a unified diff per host and change nothing")
    func dryRunShowsDiff() throws {
        let site = try ConfigSite("qu-cfg-dry")
        defer { site.stop() }
        try site.env()
        let paths = try Self.fourTasks(site)
        let before = paths.mapValues { ConfigSite.snapshot($0) }
        let dry = try site.run(["--dry-run"])
        #expect(dry.status == 0, "\(dry.stdout)\n\(dry.stderr)")
        #expect(dry.stdout.contains("web1: \(paths["props"] ?? ""):"), "\(dry.stdout)")
        #expect(dry.stdout.contains("--- web1:\(paths["props"] ?? "")"), "\(dry.stdout)")
        // CRLF shows: the console prints the CR escaped.
        #expect(dry.stdout.contains("-server.port=8080\\r") && dry.stdout.contains("+server.port=8081\\r"), "\(dry.stdout)")
        #expect(dry.stdout.contains("-spring.redis.timeout=5s"), "\(dry.stdout)")
        #expect(dry.stdout.contains("+  - c"), "\(dry.stdout)")
        #expect(dry.stdout.contains("(does not exist yet)") && dry.stdout.contains("--- /dev/null"), "\(dry.stdout)")
        let plan = try site.plan(["--diff"])
        #expect(plan.status == 0, "\(plan.stdout)\n\(plan.stderr)")
        #expect(plan.stdout.contains("+taskmanager.numberOfTaskSlots: 4"), "\(plan.stdout)")
        for (name, path) in paths { #expect(ConfigSite.snapshot(path) == before[name] ?? nil, "\(name) changed by a dry run") }
    }

    @Test("K1/E4: a config task interrupted after writing runs again and leaves the same files; rollback still restores the original")
    func interruptedRerun() throws {
        let site = try ConfigSite("qu-cfg-rerun")
        defer { site.stop() }
        try site.env()
        let paths = try Self.fourTasks(site)
        let before = paths.mapValues { ConfigSite.snapshot($0) }
        let (first, runID) = try site.runJSON()
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let after = paths.mapValues { ConfigSite.snapshot($0) }
        // As if quickup had been killed (-9) after the files were written, before SUCCESS was
        // recorded: the journal says RUNNING, the files are already changed.
        try QuickupProcess.sqlite(site.state + "/journal.sqlite", "UPDATE attempt SET status = 'RUNNING', ended_at = NULL WHERE run_id = '\(runID)'")
        try QuickupProcess.sqlite(site.state + "/journal.sqlite", "UPDATE run SET status = 'RUNNING' WHERE id = '\(runID)'")
        let second = try CLI.run(["resume", runID] + site.common, environment: site.environment)
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(second.stdout.contains("idempotent"), "\(second.stdout)")
        for (name, path) in paths { #expect(ConfigSite.snapshot(path) == after[name] ?? nil, "\(name) differs after the re-run") }
        let back = try site.rollback(runID)
        #expect(back.status == 0, "\(back.stdout)\n\(back.stderr)")
        for (name, path) in paths { #expect(ConfigSite.snapshot(path) == before[name] ?? nil, "\(name) not restored to the original") }
    }

    @Test("K1/S1: the SSH link cut while the config tasks run: reconnected, each file written once, the run succeeds", .timeLimit(.minutes(10)))
    func linkDrop() throws {
        let site = try ConfigSite("qu-cfg-drop", isolated: true)
        defer { site.stop() }
        try site.env("""
            ssh:
              control: {interval: 1s, timeout: 2s, connect_timeout: 2s, reconnects: 8}
            """)
        let paths = try Self.fourTasks(site)
        let log = URL(fileURLWithPath: site.tree.path + "/run.out")
        let process = try QuickupProcess.start(["run", "--from", "V1.0.0", "--to", "V1.0.1"] + site.common, output: log)
        // Cut the link once the first task has written its file: the next ones meet a dead link.
        var cut = false
        while process.isRunning {
            if let text = try? String(contentsOf: log, encoding: .utf8), text.contains("written") {
                try site.server.cutLink()
                cut = true
                break
            }
            usleep(10_000)
        }
        if cut {
            Thread.sleep(forTimeInterval: 4)
            try site.server.restoreLink()
        }
        process.wait()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(cut, "the run ended before the first file was written: \(output)")
        #expect(process.wait().status == 0, "\(output)")
        #expect(output.contains("ssh: web1 (control): link dropped"), "the drop is noticed and reported: \(output)")
        #expect(ConfigSite.snapshot(paths["yaml"] ?? "")?.text.components(separatedBy: "  - c").count == 2, "one item appended, once")
        #expect(ConfigSite.snapshot(paths["props"] ?? "")?.text.contains("server.port=8081") == true)
        #expect(ConfigSite.snapshot(paths["whole"] ?? "")?.text == "server { listen 8081; }\n")
    }
}
