import Foundation
import QuickupCore
import QuickupRelease
import QuickupRun
import Testing
@testable import QuickupAssess

/// What an assessment used to leave out (issue 14 items 4 and 7): a rule its version range
/// skips, an outage that is unknown rather than 0, and the site whose past runs to learn from.
@Suite("Assessment: nothing left out")
struct AssessmentGapsTests {
    @Test("a quality rule skipped by its versions range is listed as SKIPPED with why")
    func ruleOutOfRangeIsListed() async throws {
        let fixture = try AssessFixture([
            "release/shop/component.yaml": "datasources:\n  - name: shop_db\n    type: sqlite\n",
            "release/shop/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties": """
                sql.stock.id=S-1
                sql.stock.description=Stock table
                sql.stock.file=sql/stock.sql
                sql.stock.stage=pre_stop
                sql.stock.compatible_version=V1.0.0
                """,
            "release/shop/upgrade/V1.0.1/sql/stock.sql": "CREATE TABLE IF NOT EXISTS stock (id INTEGER PRIMARY KEY);\n",
            "release/shop/upgrade/V1.0.1/quality_V1.0.1.properties": """
                rule.later.description=Only for upgrades from 2.x
                rule.later.sql=SELECT 0
                rule.later.versions=V2.0.0~
                rule.always.description=Every upgrade
                rule.always.sql=SELECT 0
                """,
        ])
        defer { fixture.remove() }
        let db = fixture.root.appendingPathComponent("shop.db").path
        _ = FileManager.default.createFile(atPath: db, contents: nil)
        let workspace = try Workspace.open(release: fixture.release)
        let plan = try workspace.plan(from: Version(1, 0, 0), to: Version(1, 0, 1), site: nil)
        var env = Environment(site: "SQLITE")
        var config = DatasourceConfig(name: "shop_db", type: .sqlite, location: SourceLocation(file: "env.yaml"))
        config.path = db
        env.datasources = [config]
        let probe = FixedResourceProbe(HostResources(host: "box", cpuIdlePercent: 50, memoryAvailable: ByteSize(bytes: 8 << 30),
                                                     disks: [DiskSpace(path: "/", mount: "/", free: ByteSize(bytes: 100 << 30), total: ByteSize(bytes: 200 << 30))]))
        let report = await Assessor(probe: probe, connector: ConnectRecorder().connector, connectionsPerDatasource: 1).assess(AssessmentRequest(
            plan: plan, release: workspace.release, releaseRoot: workspace.releaseRoot, environment: env, stateDirectory: fixture.state))
        let later = try #require(report.checks.first { $0.id == "quality.shop.later" }, "\(report.checks.map(\.id))")
        #expect(later.status == .skipped)
        #expect(later.summary == "not run: its versions V2.0.0~ contain neither V1.0.0 nor V1.0.1", "\(later.summary)")
        #expect(report.checks.first { $0.id == "quality.shop.always" }?.status == .pass)
        #expect(report.count(.skipped) == 1)
        #expect(TerminalRenderer(colour: false).render(report).contains("not run: its versions V2.0.0~"))
    }

    @Test("an outage whose in_stop tasks have no estimate is 'unknown for N tasks', not 0s")
    func unknownOutage() throws {
        let none = try DurationAssessmentTests.plan([DurationAssessmentTests.task("a", .inStop), DurationAssessmentTests.task("b", .inStop)])
        let (summary, checks) = DurationAssessment.assess(none, history: [:], measured: [:])
        #expect(summary.outageText(HumanDuration.compact) == "unknown for 2 tasks")
        #expect(checks.first { $0.id == "duration.outage" }?.summary.hasPrefix("estimated outage unknown for 2 tasks;") == true)
        #expect(TerminalRenderer(colour: false).durationTable(summary).contains { $0.contains("= in_stop total (one after another → sum)") && $0.contains("unknown for 2") })
        let some = try DurationAssessmentTests.plan([DurationAssessmentTests.task("a", .inStop, volume: "60rows", rate: "1rows/s"),
                                                     DurationAssessmentTests.task("b", .inStop)])
        let (partial, _) = DurationAssessment.assess(some, history: [:], measured: [:])
        #expect(partial.outageText(HumanDuration.compact) == "\(HumanDuration.compact(60)) + unknown for 1 task")
        let all = try DurationAssessmentTests.plan([DurationAssessmentTests.task("a", .inStop, volume: "60rows", rate: "1rows/s")])
        #expect(DurationAssessment.assess(all, history: [:], measured: [:]).0.outageText(HumanDuration.compact) == HumanDuration.compact(60))
    }

    @Test("A5: the next assessment of a site uses that site's finished runs' durations before other sites'")
    func historyOfTheSameSite() throws {
        let tree = try AssessFixture([:])
        defer { tree.remove() }
        let journal = try QuickupRun.Journal(stateDirectory: tree.state)
        for (run, site, ms) in [("r1", "A", 4000), ("r2", "A", 6000), ("r3", "B", 60000)] as [(String, String, Int64)] {
            try journal.insert(.init(id: run, release: "r", from: "V1", to: "V2", site: site, stage: "all", status: .succeeded,
                                     startedAt: 1, host: "h", pid: 1))
            var attempt = QuickupRun.AttemptRecord(runID: run, taskKey: "c/V2/sql.t", component: "c", version: "V2", kind: "sql", stage: "in_stop",
                                                   datasource: "db", attempt: 1, status: "SUCCESS", checksum: nil, startedAt: 1)
            attempt.durationMs = ms
            try journal.record(attempt)
        }
        #expect(JournalHistory.durations(stateDirectory: tree.state, keys: ["c/V2/sql.t"], site: "A")["c/V2/sql.t"]?.sorted() == [4000, 6000])
        #expect(JournalHistory.durations(stateDirectory: tree.state, keys: ["c/V2/sql.t"], site: "B")["c/V2/sql.t"] == [60000])
        // A site without runs of its own learns from every site's.
        #expect(JournalHistory.durations(stateDirectory: tree.state, keys: ["c/V2/sql.t"], site: "C")["c/V2/sql.t"]?.count == 3)
    }
}
