import Foundation
import QuickupCore
import QuickupTestSupport
import QuickupTools
import Testing
@testable import QuickupRun

/// Tools and hooks inside a real run (T1, T2, T4, T5) on SQLite: no server needed.
// Waits below are for events (a printed line, a file, a process), never for a number of seconds:
// on a loaded machine starting a sandboxed tool alone can take a minute. The suite's time limit
// is the hang guard.
@Suite("Tools and hooks in a run", .timeLimit(.minutes(10)))
struct ToolRunTests {
    @Test("a Python module:function tool gets its context and datasource through quickup_tool and reports a result (T1, T2)")
    func pythonTool() async throws {
        let fixture = try RunFixture(
            tasks: [("create", "pre_stop", "CREATE TABLE items(id INTEGER); INSERT INTO items VALUES (1), (2), (3);", "")],
            tools: [("count_items", "pre_stop", "counting.items:run", "")],
            files: ["upgrade/V1.0.1/tools/counting/__init__.py": "",
                    "upgrade/V1.0.1/tools/counting/items.py": """
                        import os
                        import quickup_tool as q

                        def run(ctx):
                            q.progress(percent=50, message="counting")
                            db = ctx.datasource("shop_db").connect()
                            (n,) = db.execute("SELECT COUNT(*) FROM items").fetchone()
                            q.log("stage=%s env_stage=%s attempt=%s" % (ctx.stage, os.environ["QUICKUP_STAGE"], ctx.attempt))
                            return {"items": n, "task": ctx.task["key"], "from": ctx.from_version, "to": ctx.to_version}
                        """])
        defer { fixture.remove() }
        let (result, lines) = try await fixture.run()
        #expect(result.status == .succeeded, "\(lines)")
        let records = try detailLog(fixture.state, result.runID)
        #expect(records.contains { $0["result"] == #"{"from":"V1.0.0","items":3,"task":"shop/V1.0.1/tool.count_items","to":"V1.0.1"}"# }, "\(records)")
        #expect(records.contains { $0["line"] == "stage=pre_stop env_stage=pre_stop attempt=1" && $0["stream"] == "log" })
        let release = try FileManager.default.subpathsOfDirectory(atPath: fixture.release)
        #expect(!release.contains { $0.contains("__pycache__") }, "running a tool leaves the release as shipped: \(release)")
    }

    @Test("a business tool that fails is tried twice, 5 s apart on the injected clock, then skipped; the run goes on (T4)")
    func businessPolicy() async throws {
        let fixture = try RunFixture(
            tasks: [("after", "pre_stop", "CREATE TABLE after_tool(id INTEGER);", "sql.after.order=2")],
            tools: [("flaky", "pre_stop", "tools/flaky.sh", "tool.flaky.order=1")],
            files: ["upgrade/V1.0.1/tools/flaky.sh": "#!/bin/sh\necho try >> tries.txt\necho 'cannot reach the license server' >&2\nexit 7\n"],
            component: "plugin_class: business\n")
        defer { fixture.remove() }
        let clock = ManualClock()
        let lines = RunFixture.Lines()
        let run = Task { try await fixture.run(clock: clock, lines: lines) }
        try await waitFor(lines) { $0.contains { $0.hasPrefix("[RETRY] tool.flaky in 5.0s (try 2 of 2)") } }
        #expect(tries(fixture) == 1)
        // The line is printed before the wait starts: advance only once it sleeps on the clock.
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(5))
        let result = try await run.value
        #expect(tries(fixture) == 2)
        #expect(result.status == .succeeded, "\(lines.all)")
        #expect(result.failed == 1)
        #expect(lines.all.contains { $0.hasPrefix("[SKIPPED] tool.flaky failed; its business failure policy says skip it and continue") })
        #expect(lines.all.contains { $0.hasPrefix("[SUCCESS] shop V1.0.1 sql.after") })
        #expect(clock.now.offset == .seconds(5))
    }

    @Test("a core tool that keeps failing is tried 3 times 10 s apart, then stops the run and offers rollback (T4)")
    func corePolicy() async throws {
        let fixture = try RunFixture(
            tasks: [("after", "pre_stop", "CREATE TABLE after_tool(id INTEGER);", "sql.after.order=2")],
            tools: [("broken", "pre_stop", "tools/broken.sh", "tool.broken.order=1")],
            files: ["upgrade/V1.0.1/tools/broken.sh": "#!/bin/sh\necho try >> tries.txt\nkill -SEGV $$\n"],
            component: "plugin_class: core\n")
        defer { fixture.remove() }
        let clock = ManualClock()
        let lines = RunFixture.Lines()
        let run = Task { try await fixture.run(clock: clock, lines: lines) }
        for attempt in 2...3 {
            try await waitFor(lines) { $0.contains { $0.hasPrefix("[RETRY] tool.broken in 10.0s (try \(attempt) of 3)") } }
            await clock.waitForSleepers(1)
            clock.advance(by: .seconds(10))
        }
        let result = try await run.value
        #expect(tries(fixture) == 3)
        #expect(result.status == .failed)
        let error = try #require(result.error)
        #expect(error.message.contains("SIGSEGV"), "\(error)")
        #expect(error.hint?.contains("core failure policy stopped the run") == true)
        // Only what exists: quickup takes no backup, and this task has no rollback script (issue 14 item 7).
        #expect(error.hint?.contains("tool.broken has no rollback script") == true, "\(String(describing: error.hint))")
        #expect(error.hint?.contains("backup") == false)
        #expect(!lines.all.contains { $0.contains("sql.after") && $0.hasPrefix("[SUCCESS]") })
    }

    @Test("a third_party tool that fails is tried once, logged, and the run goes on (T4)",
          .enabled(if: IsolationSupport.current.bubblewrap != nil, "third_party tools need bubblewrap"))
    func thirdPartyPolicy() async throws {
        let fixture = try RunFixture(
            tasks: [("after", "pre_stop", "CREATE TABLE after_tool(id INTEGER);", "sql.after.order=2")],
            tools: [("vendor", "pre_stop", "tools/vendor.sh", "tool.vendor.order=1")],
            files: ["upgrade/V1.0.1/tools/vendor.sh": "#!/bin/sh\necho try >> tries.txt\necho 'license expired' >&2\nexit 1\n"],
            component: "plugin_class: third_party\n")
        defer { fixture.remove() }
        let (result, lines) = try await fixture.run()
        #expect(tries(fixture) == 1)
        #expect(result.status == .succeeded, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("[IGNORED] tool.vendor failed; its third_party failure policy says log it and continue") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("[SUCCESS] shop V1.0.1 sql.after") })
    }

    @Test("a tool over its memory limit fails with the limit named; component.yaml limits override the class (T3)")
    func limitNamed() async throws {
        let fixture = try RunFixture(
            tasks: [],
            tools: [("hog", "pre_stop", "tools/hog.py", "")],
            files: ["upgrade/V1.0.1/tools/hog.py": "#!/usr/bin/env python3\nhog = []\nwhile True:\n    hog.append(b'x' * (8 << 20))\n"],
            component: "plugin_class: core\nlimits: {memory: 64MiB}\non_failure: {tries: 1}\n")
        defer { fixture.remove() }
        let (result, lines) = try await fixture.run()
        #expect(result.status == .failed, "\(lines)")
        let error = try #require(result.error)
        #expect(error.code == .limitExceeded, "\(error)")
        #expect(error.message.contains("its memory limit of 64 MiB"), "\(error)")
    }

    @Test("hooks run at their points of the timeline, in the component's working directory (T5)")
    func hooks() async throws {
        let hook = "#!/bin/sh\necho \"$QUICKUP_HOOK $QUICKUP_STAGE\" >> hooks.log\n"
        let fixture = try RunFixture(
            tasks: [("early", "pre_stop", "CREATE TABLE early(id INTEGER);", ""),
                    ("late", "post_upgrade", "CREATE TABLE late(id INTEGER);", "")],
            files: ["hooks/check.sh": hook, "hooks/pre.sh": hook, "hooks/south.sh": hook, "hooks/post.sh": hook],
            component: """
                hooks:
                  business_check: hooks/check.sh
                  pre_upgrade: hooks/pre.sh
                  southbound_open: hooks/south.sh
                  post_upgrade: hooks/post.sh

                """)
        defer { fixture.remove() }
        let (result, lines) = try await fixture.run()
        #expect(result.status == .succeeded, "\(lines)")
        let log = try String(contentsOfFile: "\(fixture.release)/shop/hooks.log", encoding: .utf8)
        #expect(log == "business_check pre_stop\npre_upgrade pre_stop\nsouthbound_open post_upgrade\npost_upgrade post_upgrade\n")
        let order = lines.filter { $0.hasPrefix("[SUCCESS]") }
        #expect(order.firstIndex { $0.contains("hook shop/hook.business_check") }! < order.firstIndex { $0.contains("sql.early") }!)
        #expect(order.firstIndex { $0.contains("sql.early") }! < order.firstIndex { $0.contains("hook shop/hook.pre_upgrade") }!)
        #expect(order.firstIndex { $0.contains("hook shop/hook.southbound_open") }! < order.firstIndex { $0.contains("sql.late") }!)
    }

    @Test("a failing business_check of a core component stops the run before any task")
    func failingCheck() async throws {
        let fixture = try RunFixture(
            tasks: [("early", "pre_stop", "CREATE TABLE early(id INTEGER);", "")],
            files: ["hooks/check.sh": "#!/bin/sh\necho 'orders table has 12 rows without owner' >&2\nexit 1\n"],
            component: "plugin_class: core\non_failure: {tries: 1}\nhooks:\n  business_check: hooks/check.sh\n")
        defer { fixture.remove() }
        let (result, lines) = try await fixture.run()
        #expect(result.status == .failed)
        #expect(result.error?.message.contains("orders table has 12 rows without owner") == true, "\(String(describing: result.error))")
        #expect(!lines.contains { $0.contains("sql.early") })
    }

    @Test("a tool past its timeout is killed with its whole process group; the error names the plugin timeout (E7, T1)")
    func timeout() async throws {
        let marker = "sleep \(Int.random(in: 3000...3999))"
        let fixture = try RunFixture(
            tasks: [],
            tools: [("hang", "pre_stop", "tools/hang.sh", "tool.hang.timeout=10m\ntool.hang.retries=0")],
            files: ["upgrade/V1.0.1/tools/hang.sh": "#!/bin/sh\n\(marker) &\necho started > started.txt\nwait\n"],
            component: "plugin_class: core\n")
        defer { fixture.remove() }
        let clock = ManualClock()
        let lines = RunFixture.Lines()
        let run = Task { try await fixture.run(clock: clock, lines: lines) }
        let started = "\(fixture.release)/shop/upgrade/V1.0.1/started.txt"
        while !FileManager.default.fileExists(atPath: started) {
            try await Task.sleep(for: .milliseconds(10))
        }
        // The background `sleep` may still be a forked shell for a moment: wait until it runs.
        while processesRunning(containing: marker).isEmpty {
            try await Task.sleep(for: .milliseconds(10))
        }
        await clock.waitForSleepers(1)  // the timeout's wait is on the clock
        clock.advance(by: .seconds(600))
        let result = try await run.value
        let error = try #require(result.error)
        #expect(error.code == .timeout, "\(error)")
        #expect(error.message.contains("plugin timeout"))
        #expect(processesRunning(containing: marker).isEmpty)
    }

    private func tries(_ fixture: RunFixture) -> Int {
        let path = "\(fixture.release)/shop/upgrade/V1.0.1/tries.txt"
        return ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    private func detailLog(_ state: String, _ runID: String) throws -> [[String: String]] {
        try String(contentsOfFile: "\(state)/runs/\(runID)/detail.jsonl", encoding: .utf8)
            .split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
    }

    /// Waits until the printed lines satisfy `condition` (the suite's time limit guards a hang).
    private func waitFor(_ lines: RunFixture.Lines, _ condition: ([String]) -> Bool) async throws {
        while !condition(lines.all) {
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
