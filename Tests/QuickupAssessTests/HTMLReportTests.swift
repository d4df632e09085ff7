import Foundation
import QuickupCore
import QuickupRelease
import Testing
@testable import QuickupAssess

/// The HTML page is one self-contained document a manager can read: verdict, outage, what to
/// fix, every check; nothing loaded from elsewhere; everything from the release escaped.
@Suite("HTML report")
struct HTMLReportTests {
    @Test("Structure and content of the page")
    func structure() async throws {
        let fixture = try AssessFixture([
            "release/shop/component.yaml": "datasources:\n  - name: shop_db\n    type: sqlite\n",
            "release/shop/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties": """
                sql.big.id=B-1
                sql.big.description=Rebuild <orders> & "items"
                sql.big.file=sql/big.sql
                sql.big.stage=in_stop
                sql.big.volume=100GB
                sql.big.rate=50MB/s
                sql.big.parallel=4
                """,
            "release/shop/upgrade/V1.0.1/sql/big.sql": "ALTER TABLE orders ADD COLUMN x INT;\n",
            "release/shop/upgrade/V1.0.1/quality_V1.0.1.properties": "rule.r.description=No <script>alert(1)</script> here\nrule.r.sql=SELECT 1\n",
        ])
        defer { fixture.remove() }
        let workspace = try Workspace.open(release: fixture.release)
        let plan = try workspace.plan(from: Version(1, 0, 0), to: Version(1, 0, 1), site: nil)
        var env = Environment(site: "HTML")
        var sqlite = DatasourceConfig(name: "shop_db", type: .sqlite, location: SourceLocation(file: "env.yaml"))
        sqlite.path = fixture.root.appendingPathComponent("absent.db").path
        env.datasources = [sqlite]
        let probe = FixedResourceProbe(HostResources(host: "box", cpuIdlePercent: 50, memoryAvailable: ByteSize(bytes: 8 << 30),
                                                     disks: [DiskSpace(path: "/", mount: "/", free: ByteSize(bytes: 100 << 30), total: ByteSize(bytes: 200 << 30))]))
        let report = await Assessor(probe: probe).assess(AssessmentRequest(
            plan: plan, release: workspace.release, releaseRoot: workspace.releaseRoot, environment: env, stateDirectory: fixture.state))
        let page = HTMLRenderer().render(report)

        #expect(page.hasPrefix("<!DOCTYPE html>") && page.hasSuffix("</html>"))
        #expect(page.contains("<meta charset=\"utf-8\">") && page.contains("<style>"))
        for external in ["<script", "<link", "src=", "href=", "url(", "@import"] {
            #expect(!page.contains(external), "self-contained: no \(external)")
        }
        // The verdict and the outage come first, prominently.
        let outage = try #require(page.range(of: "id=\"outage\""))
        let firstTable = try #require(page.range(of: "<table"))
        #expect(outage.lowerBound < firstTable.lowerBound)
        #expect(page.contains("<p class=\"value\">8 min 32 s</p>"))
        #expect(page.contains("class=\"verdict warn\"") && page.contains("Ready, after review"))
        // Every check appears; what to do is spelled out.
        for check in report.checks { #expect(page.contains(HTMLRenderer.escape(check.title)), "\(check.title)") }
        #expect(page.contains("What to do: split it into smaller batches"))
        // The missing SQLite file skips the rule and says so.
        #expect(report.checks.first { $0.id == "quality.shop.r" }?.status == .skipped)
        // Text from the release is escaped.
        #expect(page.contains("Rebuild &lt;orders&gt; &amp; &quot;items&quot;"))
        #expect(page.contains("No &lt;script&gt;alert(1)&lt;/script&gt; here"))
        #expect(!page.contains("<orders>") && !page.contains("<script>"))

        // A4/F3: the backups' time is a row of the duration table, before the whole upgrade's total.
        var withBackup = report
        withBackup.duration.backup = BackupDuration.estimate(bytes: 64 << 20, past: [(bytes: 32 << 20, durationMs: 2_000)])
        let backupPage = HTMLRenderer().render(withBackup)
        let row = try #require(backupPage.range(of: "<th colspan=\"3\">backup"), "no backup row")
        let total = try #require(backupPage.range(of: "Whole upgrade</th><th class=\"num\">"))
        #expect(row.lowerBound < total.lowerBound)
        #expect(backupPage.contains("before the stop (not in the outage); 64 MiB at 16 MiB/s (rate of 1 past backup)"), "\(backupPage)")
        #expect(backupPage.contains("<th class=\"num\">\(HumanDuration.text(4))</th>"))
    }
}
