import Foundation
import QuickupTestSupport
import Testing

/// Issue 13 item 8: after kill -9, the attempt left RUNNING is closed as interrupted when a
/// later attempt of the task starts (not left RUNNING in upgrade_log forever), and the
/// `--confirm-rerun` hint names a task so that it means that task only, and runs as printed.
@Suite("Interrupted attempts (issue 13 item 8)", .serialized)
struct InterruptedAttemptTests {
    static func arguments(_ dir: URL, state: URL, extra: [String] = []) -> [String] {
        ["run", "--release", dir.appendingPathComponent("release").path, "--env", dir.appendingPathComponent("env.yaml").path,
         "--from", "V1.0.0", "--to", "V1.0.1", "--state", state.path] + extra
    }

    @Test("a RUNNING row a killed run left in MariaDB's upgrade_log is closed as interrupted when the task runs again",
          .enabled(if: CrashBackend.mariaDBAvailable || CrashBackend.isCI))
    func supersededRunningRowClosed() throws {
        let tree = try TemporaryTree("qu-superseded")
        let dir = tree.root
        let backend = CrashBackend.mariadb
        defer {
            if let db = try? String(contentsOf: dir.appendingPathComponent("database"), encoding: .utf8) {
                let ids = (try? backend.scalar(dir, "SELECT GROUP_CONCAT(ID) FROM information_schema.PROCESSLIST WHERE DB = '\(db)' AND INFO LIKE 'DO SLEEP%'")) ?? ""
                for id in ids.split(separator: ",") { _ = try? backend.scalar(dir, "KILL QUERY \(id)") }
            }
            backend.cleanup(dir)
            tree.remove()
        }
        try tree.write("release/app/component.yaml", "datasources:\n  - name: db\n    type: mariadb\n")
        try tree.write("release/app/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties", """
            sql.slow.id=S
            sql.slow.description=slow until the flag is set
            sql.slow.file=slow.sql
            sql.slow.stage=pre_stop
            sql.slow.transactional=false
            sql.slow.retryable=true
            """)
        try tree.write("release/app/upgrade/V1.0.1/slow.sql", "DO SLEEP(IF((SELECT COUNT(*) FROM flag) > 0, 0, 120));")
        try tree.write("env.yaml", try backend.prepare(dir))
        _ = try backend.scalar(dir, "CREATE TABLE flag (x INT)")
        let state = dir.appendingPathComponent("state")

        let first = try QuickupProcess.start(Self.arguments(dir, state: state))
        let started = ContinuousClock.now
        while (try? backend.scalar(dir, "SELECT COUNT(*) FROM upgrade_log WHERE status = 'RUNNING'")) != "1" {
            try #require(first.isRunning, "quickup ended before the task started")
            try #require(started.duration(to: .now) < .seconds(120), "hang guard")
            usleep(20_000)
        }
        first.send(SIGKILL)
        first.wait()
        _ = try backend.scalar(dir, "INSERT INTO flag VALUES (1)")

        let second = try CLI.run(Self.arguments(dir, state: state))
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(try backend.scalar(dir, "SELECT COUNT(*) FROM upgrade_log WHERE status = 'RUNNING'") == "0", "no attempt stays RUNNING")
        #expect(try backend.scalar(dir, "SELECT CONCAT(status, ' ', LEFT(error, 12)) FROM upgrade_log WHERE attempt = 1") == "FAILED interrupted:")
        #expect(try backend.scalar(dir, "SELECT status FROM upgrade_log WHERE attempt = 2") == "SUCCESS")
        #expect(try QuickupProcess.sqlite(state.appendingPathComponent("journal.sqlite").path, "SELECT COUNT(*) FROM attempt WHERE status = 'RUNNING'") == "0",
                "the journal's mirror is closed too")
    }

    @Test("--confirm-rerun's hint names component/version/kind.uid when another component has the same uid, and works as printed")
    func confirmRerunHintIsUnambiguous() throws {
        let tree = try TemporaryTree("qu-confirm")
        let tool = LongTool(tree: tree)
        defer {
            tool.killWorkers()
            tree.remove()
        }
        for component in ["alpha", "beta"] {
            try tree.write("release/\(component)/component.yaml", "plugin_class: core\n")
            try tree.write("release/\(component)/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties", """
                tool.x.id=X
                tool.x.description=not retryable
                tool.x.package=tools/\(component == "alpha" ? "long.sh" : "quick.sh")
                tool.x.stage=pre_stop
                tool.x.retryable=false
                """)
        }
        try tool.write(into: "release/alpha/upgrade/V1.0.1")
        try tree.write("release/beta/upgrade/V1.0.1/tools/quick.sh", "#!/bin/sh\nexit 0\n")
        try tree.write("env.yaml", "site: CONFIRM\ndatasources:\n  db: {type: sqlite, path: \(tree.root.appendingPathComponent("app.db").path)}\n")
        try tree.write("app.db", "")
        let state = tree.root.appendingPathComponent("state")

        let first = try QuickupProcess.start(Self.arguments(tree.root, state: state))
        try tool.waitForStarts(1, while: first)
        first.send(SIGKILL)
        first.wait()
        tool.finish()

        let refused = try CLI.run(Self.arguments(tree.root, state: state))
        #expect(refused.status == 1)
        // The error is printed once, on stdout (or stderr with --quiet); the flag sits inside the
        // printed command line, quoted in backticks.
        let said = refused.stdout + refused.stderr
        let flag = try #require(said.range(of: "--confirm-rerun [^ `]+", options: .regularExpression).map { String(said[$0]) }, "\(said)")
        #expect(flag.hasPrefix("--confirm-rerun alpha/") && flag.hasSuffix("/tool.x"), "\(said)")
        let confirmed = try CLI.run(Self.arguments(tree.root, state: state, extra: flag.split(separator: " ").map(String.init)))
        #expect(confirmed.status == 0, "\(confirmed.stdout)\n\(confirmed.stderr)")
    }
}
