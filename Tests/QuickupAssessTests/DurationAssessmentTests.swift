import QuickupCore
import Testing
@testable import QuickupAssess

/// A4: per-task estimates, their source, stage totals and the long-task flag.
@Suite("Duration assessment")
struct DurationAssessmentTests {
    static func task(_ uid: String, _ stage: Stage, volume: String? = nil, rate: String? = nil, parallel: Int? = nil,
                     compatible: Bool = true) -> UpgradeTask {
        var t = UpgradeTask(component: "base", version: Version(1, 0, 1), kind: .sql, uid: uid, id: uid, description: "task \(uid)",
                            stage: stage, filePosition: 1, location: SourceLocation(file: "t.properties"))
        t.volume = volume.flatMap(Volume.parse)
        t.rate = rate.flatMap(Rate.parse)
        t.parallel = parallel
        t.compatibleVersion = compatible ? Version(1, 0, 0) : nil
        return t
    }

    static func plan(_ tasks: [UpgradeTask]) throws -> Plan {
        var component = Component(name: "base", location: SourceLocation(file: "component.yaml"))
        component.tasks = tasks.enumerated().map { i, t in
            var t = t
            t.filePosition = i + 1
            return t
        }
        return try Planner().plan(Release(name: "r", components: [component]), PlanRequest(from: Version(1, 0, 0), to: Version(1, 0, 1)))
    }

    @Test("The source's example: 100 GB at 50 MB/s × 4 takes 8 min 32 s")
    func sourceExample() throws {
        let plan = try Self.plan([Self.task("alter", .inStop, volume: "100GB", rate: "50MB/s", parallel: 4)])
        let (summary, checks) = DurationAssessment.assess(plan, history: [:], measured: [:])
        let task = try #require(summary.stages.first?.tasks.first)
        #expect(task.seconds == 512)
        #expect(TimeSpan(seconds: try #require(task.seconds)).description == "8m32s")
        #expect(HumanDuration.text(512) == "8 min 32 s")
        #expect(task.source == "volume" && task.basis == "100 GiB at 50 MiB/s × 4")
        #expect(task.flagged)
        #expect(summary.outageSeconds == 512)
        let flag = try #require(checks.first { $0.id == "duration.\(task.key)" })
        #expect(flag.status == .warn && flag.suggestion?.contains("split") == true)
    }

    @Test("Totals add up: pre_stop → longest, in_stop → sum (the outage), later stages apart, whole = sum of stages")
    func totals() throws {
        let plan = try Self.plan([
            Self.task("p1", .preStop, volume: "600MB", rate: "10MB/s"),          // 60 s
            Self.task("p2", .preStop, volume: "1200MB", rate: "10MB/s", parallel: 4), // 30 s
            Self.task("s1", .inStop, volume: "1000rows", rate: "10rows/s"),       // 100 s
            Self.task("s2", .inStop, volume: "3000MB", rate: "10MB/s", parallel: 2), // 150 s
            Self.task("s3", .inStop),                                             // unknown
            Self.task("a1", .postStart, volume: "20rows", rate: "1rows/s"),       // 20 s
            Self.task("u1", .postUpgrade, volume: "7rows", rate: "1rows/s"),      // 7 s
            Self.task("u2", .postUpgrade, volume: "8rows", rate: "1rows/s"),      // 8 s
        ])
        let (summary, checks) = DurationAssessment.assess(plan, history: [:], measured: [:])
        let byStage = Dictionary(uniqueKeysWithValues: summary.stages.map { ($0.stage, $0) })
        #expect(byStage[.preStop]?.seconds == 60 && byStage[.preStop]?.combine == .max)
        #expect(byStage[.inStop]?.seconds == 250 && byStage[.inStop]?.unestimated == 1)
        #expect(byStage[.postStart]?.seconds == 20)
        #expect(byStage[.postUpgrade]?.seconds == 15)
        #expect(summary.outageSeconds == 250)
        #expect(summary.totalSeconds == 60 + 250 + 20 + 15)
        for stage in summary.stages where stage.combine == .sum {
            #expect(stage.seconds == stage.tasks.compactMap(\.seconds).reduce(0, +))
        }
        #expect(checks.allSatisfy { $0.status != .warn }, "no task is over 5 minutes")
        #expect(checks.first { $0.id == "duration.outage" }?.summary.contains("1 task has no estimate") == true)
    }

    @Test("History wins over declarations and says so; a measured volume is used when there is no history")
    func sources() throws {
        let plan = try Self.plan([
            Self.task("h", .inStop, volume: "100GB", rate: "50MB/s", parallel: 4),
            Self.task("m", .inStop, volume: "SELECT 1", rate: "1MB/s"),
            Self.task("f", .inStop, volume: "SELECT broken", rate: "1MB/s"),
        ])
        let keys = plan.tasks.map(\.task.key)
        let (summary, checks) = DurationAssessment.assess(
            plan, history: [keys[0]: [4000, 1000, 9000, 2000]],
            measured: [keys[1]: .success(10 * 1_048_576), keys[2]: .failure(QuickupError(.statementFailed, "boom"))])
        let tasks = try #require(summary.stages.first?.tasks)
        #expect(tasks[0].seconds == 3 && tasks[0].source == "history" && tasks[0].basis == "median of 4 past runs")
        #expect(tasks[1].seconds == 10 && tasks[1].source == "measured_volume" && tasks[1].basis.contains("10 MiB measured now"))
        #expect(tasks[2].seconds == nil)
        #expect(checks.contains { $0.id == "duration.volume.\(keys[2])" && $0.status == .warn && $0.summary.contains("boom") })
        #expect(summary.outageSeconds == 13)
    }
}

/// F3/A4 (issue 16): the backups' part of the estimate — sized by A1, timed at the journal's past
/// backups' rate, added to the whole upgrade and (the whole upgrade takes them before the stop)
/// not to the outage.
@Suite("Duration assessment: the backups' part")
struct BackupDurationTests {
    @Test("100 MiB at the rate of past backups (2 × 50 MiB in 1 s) is 2 s: in the total, not in the outage; unknown without history")
    func backupPart() throws {
        let plan = try DurationAssessmentTests.plan([DurationAssessmentTests.task("s1", .inStop, volume: "1000rows", rate: "10rows/s")])
        let backup = BackupDuration.estimate(bytes: 100 << 20, past: [(bytes: 50 << 20, durationMs: 1000), (bytes: 50 << 20, durationMs: 1000),
                                                                     (bytes: 0, durationMs: 0)])
        #expect(backup.seconds == 2 && backup.bytesPerSecond == Double(50 << 20) && backup.inOutageSeconds == 0)
        #expect(backup.basis == "100 MiB at 50 MiB/s (rate of 2 past backups)", "\(backup.basis)")
        let (summary, checks) = DurationAssessment.assess(plan, history: [:], measured: [:], backup: backup)
        #expect(summary.outageSeconds == 100, "the in_stop task only")
        #expect(summary.totalSeconds == 102, "the task and the backups")
        #expect(summary.backup == backup)
        let outage = try #require(checks.first { $0.id == "duration.outage" })
        #expect(outage.summary.hasSuffix("; backups \(HumanDuration.compact(2)) before the stop (not in the outage)"), "\(outage.summary)")
        #expect(TerminalRenderer(colour: false).durationTable(summary).contains { $0.contains("before the stop (not in the outage)") && $0.contains("rate of 2 past backups") })

        let unknown = BackupDuration.estimate(bytes: 100 << 20, past: [])
        #expect(unknown.seconds == nil)
        let (withoutRate, _) = DurationAssessment.assess(plan, history: [:], measured: [:], backup: unknown)
        #expect(withoutRate.totalSeconds == 100 && withoutRate.backup?.text(HumanDuration.compact).contains("time unknown") == true)
    }
}
