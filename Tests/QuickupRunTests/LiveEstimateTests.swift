import Foundation
@testable import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupRun

/// A5: a running task's progress is compared with its estimate every 30 s (on the injected
/// clock); an estimate off by more than 20 % is corrected, shown, logged and journalled.
@Suite("Live recalibration of estimates (A5)")
struct LiveEstimateTests {
    @Test("a tool 10 % done after 30 s of a 1 min estimate: corrected to ~5m, with the outage, in the lines, detail log and journal")
    func correctedWhileRunning() async throws {
        let fixture = try RunFixture(tasks: [], tools: [("slow", "in_stop", "tools/slow.sh", "tool.slow.volume=60rows\ntool.slow.rate=1rows/s")])
        defer { fixture.remove() }
        let gate = fixture.root.appendingPathComponent("go").path
        try fixture.write("release/shop/upgrade/V1.0.1/tools/slow.sh", """
            #!/bin/sh
            echo '{"progress": {"percent": 10, "message": "copied 1 of 10"}}'
            i=0
            while [ ! -f '\(gate)' ] && [ $i -lt 6000 ]; do sleep 0.05; i=$((i + 1)); done

            """)
        let clock = ManualClock()
        let lines = RunFixture.Lines()
        let run = Task { try await fixture.run(clock: clock, lines: lines) }
        // Wait (really, with a hang guard) until the tool's progress has arrived, then let 30 s pass.
        let start = ContinuousClock.now
        while !progressLogged(fixture.state) {
            try #require(start.duration(to: .now) < .seconds(300), "hang guard; lines so far: \(lines.all)")
            try await Task.sleep(for: .milliseconds(10))
        }
        clock.advance(by: .seconds(30))
        while !lines.all.contains(where: { $0.hasPrefix("[ESTIMATE]") }) {
            try #require(start.duration(to: .now) < .seconds(300), "hang guard; lines so far: \(lines.all)")
            try await Task.sleep(for: .milliseconds(10))
        }
        _ = FileManager.default.createFile(atPath: gate, contents: nil)
        let result = try await run.value
        #expect(result.status == .succeeded, "\(lines.all)")
        let expected = "tool.slow: estimate corrected from ~1m to ~5m (10 % done after 30.0s); outage estimate now ~5m"
        #expect(lines.all.contains("[ESTIMATE] \(expected)"), "\(lines.all)")
        #expect(lines.all.contains { $0.hasPrefix("[RUNNING] tool.slow 30.0s of ~5m (10 %)") }, "the progress line uses the new estimate: \(lines.all)")
        let records = try RunRecordTests.detail(fixture.state, result.runID)
        let logged = try #require(records.first { $0["event"] as? String == "estimate_corrected" }, "\(records)")
        #expect(logged["duration_ms"] as? Int == 300_000 && logged["message"] as? String == expected)
        let events = try Journal(stateDirectory: fixture.state).events(run: result.runID)
        #expect(events.contains { $0.kind == "estimate_corrected" && $0.message == expected }, "\(events)")
    }

    @Test("EstimateCheck: within 20 % no correction; beyond it the projection; an overrun without progress; at most every 30 s")
    func estimateCheck() {
        #expect(EstimateCheck.projection(estimate: 100, elapsed: 50, fraction: 0.45) == nil)  // 111 s: within 20 %
        #expect(EstimateCheck.projection(estimate: 100, elapsed: 50, fraction: 0.25) == 200)
        #expect(EstimateCheck.projection(estimate: 100, elapsed: 50, fraction: 0.8) == 62.5)  // faster: corrected down
        #expect(EstimateCheck.projection(estimate: 100, elapsed: 110, fraction: nil) == nil)
        #expect(EstimateCheck.projection(estimate: 100, elapsed: 130, fraction: nil) == 130)
        #expect(EstimateCheck.projection(estimate: 100, elapsed: 30, fraction: 0.01) == nil, "too little done to project")
        var check = EstimateCheck(estimate: 100)
        #expect(check.sample(elapsed: 20, fraction: 0.05) == nil, "before the first 30 s")
        #expect(check.sample(elapsed: 30, fraction: 0.1) == 300)
        #expect(check.sample(elapsed: 40, fraction: 0.1) == nil, "10 s later: not sampled")
        #expect(check.sample(elapsed: 60, fraction: 0.2) == nil, "on track with the corrected 300 s")
        #expect(check.estimate == 300)
    }

    @Test("LiveEstimates: the outage moves by the correction of an in_stop task, not of a pre_stop one")
    func outageFollowsCorrections() throws {
        func planned(_ uid: String, _ stage: Stage, seconds: Int64?) -> PlannedTask {
            let task = UpgradeTask(component: "c", version: Version(1, 0, 1), kind: .tool, uid: uid, id: uid, description: uid,
                                   stage: stage, filePosition: 1, location: SourceLocation(file: "f"))
            return PlannedTask(task: task, datasource: nil, timeout: .minutes(30), compatibility: .compatible,
                               estimate: seconds.map { Estimate(duration: .seconds($0), source: .volume) })
        }
        let a = planned("a", .inStop, seconds: 60), b = planned("b", .inStop, seconds: 120), c = planned("c", .preStop, seconds: 60)
        let unknown = planned("d", .inStop, seconds: nil)
        let plan = Plan(release: "r", from: Version(1, 0, 0), to: Version(1, 0, 1), site: nil, mode: .rolling, stages: [
            StagePlan(stage: .preStop, components: [ComponentPlan(component: "c", after: [], tasks: [c])]),
            StagePlan(stage: .inStop, components: [ComponentPlan(component: "c", after: [], tasks: [a, b, unknown])]),
        ], notes: [])
        let estimates = LiveEstimates()
        estimates.start(plan)
        #expect(estimates.outage == .seconds(180))
        #expect(estimates.sample(c, elapsed: .seconds(30), fraction: 0.1)?.outage == nil)
        #expect(estimates.outage == .seconds(180))
        let correction = try #require(estimates.sample(a, elapsed: .seconds(30), fraction: 0.1))
        #expect(correction.corrected == .seconds(300) && correction.outage == .seconds(420) && correction.unknownInOutage == 1)
    }

    private func progressLogged(_ state: String) -> Bool {
        let runs = (try? FileManager.default.contentsOfDirectory(atPath: "\(state)/runs")) ?? []
        return runs.contains { run in
            ((try? String(contentsOfFile: "\(state)/runs/\(run)/detail.jsonl", encoding: .utf8)) ?? "").contains(#""stream":"progress""#)
        }
    }
}
