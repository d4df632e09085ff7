import Foundation
import QuickupTestSupport
import Testing

/// Ctrl-C (SIGINT) or SIGTERM during `quickup run`: the run is cancelled cleanly, its tools'
/// process groups are killed (they run in their own sessions, out of the terminal's reach), the
/// run is recorded as cancelled, and the next run can take the lock (issue 7 item 6, E6).
@Suite("Interrupting a run")
struct InterruptTests {
    @Test("SIGINT stops quickup and the tool it runs, grandchildren included; the journal says cancelled",
          arguments: [SIGINT, SIGTERM])
    func interrupt(signal number: Int32) throws {
        let marker = "sleep \(Int.random(in: 5000...5999))"
        let tree = try TemporaryTree("qu-int", files: [
            "release/app/component.yaml": "plugin_class: core\ndatasources:\n  - name: db\n    type: sqlite\n",
            "release/app/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties":
                "tool.long.id=L\ntool.long.description=long\ntool.long.package=tools/long.sh\ntool.long.stage=pre_stop\n",
            "release/app/upgrade/V1.0.1/tools/long.sh": "#!/bin/sh\n\(marker) &\n\(marker)\n",
            "env.yaml": "site: T\ndatasources:\n  db: {type: sqlite, path: app.db}\n",
            "app.db": "",
        ])
        defer { tree.remove() }
        let dir = tree.root
        let state = dir.appendingPathComponent("state").path

        let process = try ChildProcess.start([CLI.executable.path, "run", "--release", dir.appendingPathComponent("release").path,
                                              "--env", dir.appendingPathComponent("env.yaml").path,
                                              "--from", "V1.0.0", "--to", "V1.0.1", "--stage", "all", "--state", state])
        let start = ContinuousClock.now
        while processesRunning(containing: marker).count < 2 {
            try #require(start.duration(to: .now) < .seconds(180), "hang guard: the tool never started")
            usleep(20_000)
        }
        process.send(number)
        while process.isRunning {
            try #require(start.duration(to: .now) < .seconds(240), "hang guard: quickup did not stop")
            usleep(20_000)
        }
        let exit = try #require(process.poll())
        #expect(!exit.signaled, "quickup exits by itself, not killed by the signal")
        #expect(exit.status == 1)
        #expect(processesRunning(containing: marker).isEmpty, "the tool and its child are gone")
        // It ends saying the run was cancelled and how to continue, not "fix the cause" (issue 14 item 3).
        let text = process.stdout
        #expect(text.contains("CANCELLED: run ") && text.contains("stopped on request"), "\(text)")
        let next = try #require(CLI.hint(after: "Next:", in: text), "\(text)")
        #expect(next.contains(" resume ") && next.contains("--release \(dir.appendingPathComponent("release").path)")
            && next.contains("--state \(state)"), "\(next)")
        #expect(!text.contains("fix the cause"), "\(text)")
        let history = try CLI.run(["history", "--json", "--state", state])
        #expect(history.stdout.contains("\"status\" : \"cancelled\"") || history.stdout.contains("\"status\":\"cancelled\""), "\(history.stdout)")
    }
}
