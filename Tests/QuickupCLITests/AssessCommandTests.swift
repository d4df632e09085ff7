import Foundation
import QuickupTestSupport
import Testing

/// `quickup assess` through the built executable (A1–A4, §13 exit codes) on a SQLite release,
/// so no server is needed: 0 all pass, 3 warnings only, 1 any failure, 2 invalid input.
@Suite("quickup assess (A)")
struct AssessCommandTests {
    /// A one-component SQLite release whose single rule counts items without a quantity; the
    /// thresholds are zero so that this machine's load cannot change the verdict.
    struct Fixture {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qu-assess-cli-\(UUID().uuidString)")

        init(severity: String, nulls: Int) throws {
            try write("release/shop/component.yaml", "datasources:\n  - name: shop_db\n    type: sqlite\n")
            try write("release/shop/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties", """
                sql.fix_qty.id=F-1
                sql.fix_qty.description=Negative quantities become zero
                sql.fix_qty.file=sql/fix_qty.sql
                sql.fix_qty.stage=in_stop
                sql.fix_qty.compatible_version=V1.0.0
                sql.fix_qty.volume=SELECT COUNT(*) FROM item
                sql.fix_qty.rate=1rows/s
                """)
            try write("release/shop/upgrade/V1.0.1/sql/fix_qty.sql", "UPDATE item SET qty = 0 WHERE qty < 0;\n")
            try write("release/shop/upgrade/V1.0.1/quality_V1.0.1.properties", """
                rule.qty_present.description=Every item has a quantity <here>
                rule.qty_present.check=not_null
                rule.qty_present.table=item
                rule.qty_present.columns=qty
                rule.qty_present.severity=\(severity)
                rule.qty_present.suggestion=UPDATE item SET qty = 0 WHERE qty IS NULL
                """)
            try write("env.yaml", """
                site: CLI
                datasources:
                  shop_db: {type: sqlite, path: shop.db}
                thresholds:
                  cpu_idle_min: 0
                  memory_free_min: 0
                  disk_factor: 0
                """)
            let rows = (0..<3).map { "(\($0), \($0 < nulls ? "NULL" : "5"))" }.joined(separator: ", ")
            try sqlite("CREATE TABLE item (id INTEGER PRIMARY KEY, qty INTEGER); INSERT INTO item VALUES \(rows);")
        }

        func write(_ path: String, _ text: String) throws {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }

        /// Creates the database with the system's python3, an independent SQLite client.
        func sqlite(_ script: String) throws {
            let process = try ChildProcess.run(["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()",
                                                dir.appendingPathComponent("shop.db").path, script])
            #expect(process.status == 0)
        }

        func assess(_ extra: [String] = []) throws -> CLI.Result {
            try CLI.run(["assess", "--release", dir.appendingPathComponent("release").path, "--env", dir.appendingPathComponent("env.yaml").path,
                         "--from", "V1.0.0", "--to", "V1.0.1", "--state", dir.appendingPathComponent("state").path] + extra)
        }

        func remove() { try? FileManager.default.removeItem(at: dir) }
    }

    @Test("Exit 0 when every check passes; the outage is shown; no state directory is created")
    func pass() throws {
        let f = try Fixture(severity: "fail", nulls: 0)
        defer { f.remove() }
        let result = try f.assess()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("Estimated outage: 3s"), "3 rows at 1 row/s: \(result.stdout)")
        #expect(result.stdout.contains("PASS") && !result.stdout.contains("\u{1B}["), "no colour when not a TTY")
        #expect(!FileManager.default.fileExists(atPath: f.dir.appendingPathComponent("state").path))
    }

    @Test("Exit 3 when a warn-severity rule is broken")
    func warnings() throws {
        let f = try Fixture(severity: "warn", nulls: 2)
        defer { f.remove() }
        let result = try f.assess()
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("WARN") && result.stdout.contains("2 rows found, threshold 0"))
        #expect(result.stdout.contains("→ UPDATE item SET qty = 0 WHERE qty IS NULL"))
    }

    @Test("Exit 1 when a fail-severity rule is broken; --json and --html say the same")
    func failure() throws {
        let f = try Fixture(severity: "fail", nulls: 1)
        defer { f.remove() }
        let html = f.dir.appendingPathComponent("report.html").path
        let result = try f.assess(["--json", "--html", html])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(doc["schema"] as? String == "quickup-assessment/1")
        #expect(doc["status"] as? String == "FAIL")
        #expect(doc["outageSeconds"] as? Double == 3)
        let checks = try #require(doc["checks"] as? [[String: Any]])
        let rule = try #require(checks.first { $0["id"] as? String == "quality.shop.qty_present" })
        #expect(rule["status"] as? String == "FAIL" && rule["measured"] as? Double == 1)
        #expect(rule["sql"] as? String == "SELECT COUNT(*) FROM `item` WHERE `qty` IS NULL")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("Not ready to upgrade"))
        #expect(page.contains("Every item has a quantity &lt;here&gt;") && !page.contains("<here>"))
    }

    @Test("--dry-run prints the counting SQL and connects to nothing")
    func dryRun() throws {
        let result = try CLI.run(["assess", "--release", "examples/release", "--env", "examples/env/site-a.yaml",
                                  "--from", "V2.16.7", "--to", "V2.17.0", "--dry-run", "--state", "/nonexistent/state"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("== base_db (mariadb quickup@127.0.0.1:13306/quickup_test)"), "\(result.stdout)")
        #expect(result.stdout.contains("SELECT COUNT(*) FROM `orders` WHERE `customer_id` IS NULL"))
        #expect(result.stdout.contains("-- sizes of the tables the plan touches: orders_legacy_backup, orders, device, holiday_calendar"))
        #expect(result.stdout.contains("-- volume of base/V2.16.8/sql.backup_legacy_data:"))
        #expect(!result.stdout.contains("PASS") && !result.stdout.contains("FAIL"))
    }

    @Test("Exit 2 for invalid input: a bad version, no --env")
    func invalid() throws {
        let f = try Fixture(severity: "fail", nulls: 0)
        defer { f.remove() }
        let bad = try CLI.run(["assess", "--release", f.dir.appendingPathComponent("release").path, "--env",
                               f.dir.appendingPathComponent("env.yaml").path, "--from", "1.0", "--to", "V1.0.1"])
        #expect(bad.status == 2 && bad.stderr.contains("invalid version format"), "\(bad.stderr)")
        let noEnv = try CLI.run(["assess", "--release", f.dir.appendingPathComponent("release").path, "--from", "V1.0.0", "--to", "V1.0.1"])
        #expect(noEnv.status == 2 && noEnv.stderr.contains("--env"), "\(noEnv.stderr)")
    }
}
