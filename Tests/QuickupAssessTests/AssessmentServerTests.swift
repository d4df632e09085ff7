import Foundation
import QuickupCore
import QuickupData
import QuickupRelease
import QuickupTestSupport
import Testing
@testable import QuickupAssess

/// The whole assessment against the real MariaDB and ClickHouse of scripts/services.sh (A1–A4):
/// seeded data that breaks rules, a rule on a missing database, a rule with bad SQL and an
/// unreachable datasource. Each run works in databases of its own (quickup_assess_*).
@Suite("Assessment on real servers", .enabled(if: AssessServers.enabled), .serialized)
struct AssessmentServerTests {
    static let component = """
        datasources:
          - name: shop_db
            type: mariadb
          - name: shop_ck
            type: clickhouse
          - name: lost_db
            type: mariadb
          - name: gone_db
            type: mariadb
        resources:
          memory: 256MB
          disk: 1GB
        """

    static let tasks = """
        sql.alter_orders.id=S-1
        sql.alter_orders.description=Orders get a note
        sql.alter_orders.file=sql/alter_orders.sql
        sql.alter_orders.stage=in_stop
        sql.alter_orders.compatible_version=V1.0.0
        sql.alter_orders.volume=SELECT COUNT(*) FROM orders
        sql.alter_orders.rate=2rows/s
        sql.ck_note.id=S-2
        sql.ck_note.description=Events get a note
        sql.ck_note.file=sql/ck_note.sql
        sql.ck_note.datasource=shop_ck
        sql.ck_note.stage=pre_stop
        sql.ck_note.compatible_version=V1.0.0
        """

    static func rule(_ uid: String, _ fields: [String: String]) -> String {
        (["description": "rule \(uid)", "versions": "V1.0.0~V1.0.0"].merging(fields) { _, new in new })
            .sorted { $0.key < $1.key }.map { "rule.\(uid).\($0.key)=\($0.value)" }.joined(separator: "\n") + "\n"
    }

    static let rules = [
        rule("no_null_customer", ["check": "not_null", "table": "orders", "columns": "customer_id", "suggestion": "UPDATE orders SET customer_id = 0 WHERE customer_id IS NULL"]),
        rule("serial_unique", ["check": "unique", "table": "device", "columns": "serial_no", "severity": "warn"]),
        rule("amount_range", ["check": "range", "table": "orders", "columns": "amount", "min": "0", "max": "1000000", "severity": "warn", "threshold": "5"]),
        rule("serial_pattern", ["check": "pattern", "table": "device", "columns": "serial_no", "pattern": "^SN-[0-9]{8}$", "severity": "warn"]),
        rule("device_ref", ["check": "reference", "table": "orders", "columns": "device_id", "references": "device.id"]),
        rule("bad_sql", ["sql": "SELECT COUNT(*) FROM orders WHERE"]),
        rule("lost", ["sql": "SELECT 0", "datasource": "lost_db"]),
        rule("gone", ["sql": "SELECT 0", "datasource": "gone_db"]),
        rule("later_only", ["sql": "SELECT 99", "versions": "V2.0.0~"]),
        rule("ck_not_null", ["check": "not_null", "table": "dev", "columns": "serial", "datasource": "shop_ck", "severity": "warn"]),
        rule("ck_unique", ["check": "unique", "table": "dev", "columns": "serial", "datasource": "shop_ck", "severity": "warn"]),
        rule("ck_range", ["check": "range", "table": "ev", "columns": "speed", "min": "0", "max": "300", "datasource": "shop_ck", "severity": "warn"]),
        rule("ck_pattern", ["check": "pattern", "table": "dev", "columns": "serial", "pattern": "^SN-", "datasource": "shop_ck", "severity": "warn"]),
        rule("ck_ref", ["check": "reference", "table": "ev", "columns": "dev_id", "references": "dev(id)", "datasource": "shop_ck", "severity": "warn"]),
    ].joined(separator: "\n")

    static let mariaDBSeed = [
        "CREATE TABLE device (id INT PRIMARY KEY, serial_no VARCHAR(32))",
        "INSERT INTO device VALUES (1, 'SN-00000001'), (2, 'SN-00000002'), (3, 'SN-00000002'), (4, 'bad'), (5, NULL)",
        "CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NULL, device_id INT NULL, amount DECIMAL(12,2))",
        "INSERT INTO orders VALUES (1, 10, 1, 5), (2, NULL, 2, -1), (3, NULL, 9, 2000000), (4, 11, NULL, 7)",
    ]

    static let clickHouseSeed = [
        "CREATE TABLE dev (id UInt64, serial Nullable(String)) ENGINE = MergeTree() ORDER BY id",
        "INSERT INTO dev VALUES (1, 'SN-1'), (2, 'SN-1'), (3, NULL), (4, 'x')",
        "CREATE TABLE ev (id UInt64, dev_id UInt64, speed Float64) ENGINE = MergeTree() ORDER BY id",
        "INSERT INTO ev VALUES (1, 1, 10), (2, 7, 500), (3, 2, -3)",
    ]

    struct Setup {
        var fixture: AssessFixture
        var environment: Environment
        var cleanup: () async -> Void
    }

    func setUp() async throws -> Setup {
        let server = try TestServers.requireMariaDB()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let db = "quickup_assess_\(suffix)", ckdb = "quickup_assess_ck_\(suffix)"
        let admin = try await Datasources.connect(server.config(), secrets: SecretResolver())
        try await admin.execute(SQLStatement(text: "CREATE DATABASE \(db)", line: 1, file: "setup"))
        let shop = try await Datasources.connect(server.config(name: "shop_db", database: db), secrets: SecretResolver())
        for sql in Self.mariaDBSeed { try await shop.execute(SQLStatement(text: sql, line: 1, file: "seed")) }
        await shop.close()
        let ckAdmin = try await Datasources.connect(try AssessServers.clickHouse(name: "ck", database: "default"), secrets: SecretResolver())
        try await ckAdmin.execute(SQLStatement(text: "CREATE DATABASE \(ckdb)", line: 1, file: "setup"))
        let ckConfig = try AssessServers.clickHouse(name: "shop_ck", database: ckdb)
        let ck = try await Datasources.connect(ckConfig, secrets: SecretResolver())
        for sql in Self.clickHouseSeed { try await ck.execute(SQLStatement(text: sql, line: 1, file: "seed")) }
        await ck.close()

        let fixture = try AssessFixture([
            "release/release.yaml": "name: shop-release\ncomponents: [shop]\n",
            "release/shop/component.yaml": Self.component,
            "release/shop/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties": Self.tasks,
            "release/shop/upgrade/V1.0.1/quality_V1.0.1.properties": Self.rules,
            "release/shop/upgrade/V1.0.1/sql/alter_orders.sql": "ALTER TABLE orders ADD COLUMN note VARCHAR(8) NULL;\n",
            "release/shop/upgrade/V1.0.1/sql/ck_note.sql": "ALTER TABLE ev ADD COLUMN note String DEFAULT '';\n",
        ])
        var env = Environment(site: "ASSESS")
        var gone = server.config(name: "gone_db", database: db)
        gone.host = "127.0.0.1"
        gone.port = try unusedLocalPort()
        gone.connectTimeout = .seconds(2)
        env.datasources = [server.config(name: "shop_db", database: db), ckConfig,
                           server.config(name: "lost_db", database: "quickup_assess_missing_\(suffix)"), gone]
        let cleanup: () async -> Void = {
            _ = try? await admin.execute(SQLStatement(text: "DROP DATABASE IF EXISTS \(db)", line: 1, file: "cleanup"))
            _ = try? await ckAdmin.execute(SQLStatement(text: "DROP DATABASE IF EXISTS \(ckdb)", line: 1, file: "cleanup"))
            await admin.close()
            await ckAdmin.close()
            fixture.remove()
        }
        return Setup(fixture: fixture, environment: env, cleanup: cleanup)
    }

    static let plenty = FixedResourceProbe(HostResources(
        host: "orchestrator", cpuIdlePercent: 80, cpuCount: 8, memoryAvailable: ByteSize(bytes: 16 << 30), memoryTotal: ByteSize(bytes: 32 << 30),
        disks: [DiskSpace(path: "/any", mount: "/", free: ByteSize(bytes: 500 << 30), total: ByteSize(bytes: 1000 << 30))]))

    func assess(_ setup: Setup, recorder: ConnectRecorder, hosts: [any ResourceProbe] = []) async throws -> AssessmentReport {
        let workspace = try Workspace.open(release: setup.fixture.release)
        let plan = try workspace.plan(from: Version(1, 0, 0), to: Version(1, 0, 1), site: nil)
        let request = AssessmentRequest(plan: plan, release: workspace.release, releaseRoot: workspace.releaseRoot,
                                        environment: setup.environment, stateDirectory: setup.fixture.state)
        return await Assessor(probe: Self.plenty, hostProbes: hosts, connector: recorder.connector).assess(request)
    }

    @Test("Seeded rule breakers are counted exactly; missing database SKIPPED and logged; bad SQL and unreachable FAIL")
    func quality() async throws {
        let setup = try await setUp()
        let recorder = ConnectRecorder()
        let report: AssessmentReport
        do { report = try await assess(setup, recorder: recorder) } catch {
            await setup.cleanup()
            throw error
        }
        await setup.cleanup()
        let byID = Dictionary(uniqueKeysWithValues: report.checks(.quality).map { ($0.id, $0) })
        func expect(_ uid: String, _ status: CheckStatus, count: Double? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
            let check = byID["quality.shop.\(uid)"]
            #expect(check?.status == status, "\(uid): \(String(describing: check))", sourceLocation: sourceLocation)
            if let count { #expect(check?.measured == count, "\(uid): \(String(describing: check))", sourceLocation: sourceLocation) }
        }
        expect("no_null_customer", .fail, count: 2)
        expect("serial_unique", .warn, count: 2)
        expect("amount_range", .pass, count: 2)
        expect("serial_pattern", .warn, count: 1)
        expect("device_ref", .fail, count: 1)
        expect("bad_sql", .fail)
        expect("lost", .skipped)
        expect("gone", .fail)
        expect("ck_not_null", .warn, count: 1)
        expect("ck_unique", .warn, count: 2)
        expect("ck_range", .warn, count: 2)
        expect("ck_pattern", .warn, count: 1)
        expect("ck_ref", .warn, count: 1)
        // A rule whose versions contain neither from nor to does not run, and the report says so (issue 14 item 4).
        #expect(byID["quality.shop.later_only"]?.status == .skipped)
        #expect(byID["quality.shop.later_only"]?.summary.hasPrefix("not run: its versions V2.0.0~ contain neither") == true)
        #expect(byID["quality.shop.no_null_customer"]?.suggestion == "UPDATE orders SET customer_id = 0 WHERE customer_id IS NULL")
        #expect(byID["quality.shop.no_null_customer"]?.sql == "SELECT COUNT(*) FROM `orders` WHERE `customer_id` IS NULL")
        #expect(byID["quality.shop.no_null_customer"]?.summary == "2 rows found, threshold 0")
        #expect(byID["quality.shop.bad_sql"]?.summary.contains("1064") == true, "the server's message: \(byID["quality.shop.bad_sql"]?.summary ?? "")")
        #expect(byID["quality.shop.gone"]?.summary.contains("(3 tries)") == true, "\(byID["quality.shop.gone"]?.summary ?? "")")
        #expect(recorder.sleeps == 2, "3 tries of the unreachable datasource, so two waits; not one round per rule")
        #expect(recorder.connects.filter { $0 == "gone_db" }.count == 1)
        #expect(report.log.contains { $0.contains("quality.shop.lost") && $0.contains("SKIPPED") })
        #expect(report.status == .fail && report.exitCode == 1)
    }

    @Test("Touched tables are measured on both servers; volumes are measured live; the outage adds up")
    func resourcesAndDuration() async throws {
        var setup = try await setUp()
        let report: AssessmentReport
        // A database host (later reached over SSH) whose disk cannot hold the double-write.
        setup.environment.hosts = [HostConfig(name: "db1", address: setup.environment.datasources[0].host ?? "", location: SourceLocation(file: "env.yaml"))]
        let db1 = FixedResourceProbe(HostResources(host: "db1", cpuIdlePercent: 21, memoryAvailable: ByteSize(bytes: 4 << 30),
                                                   disks: [DiskSpace(path: "/", mount: "/", free: ByteSize(bytes: 1024), total: ByteSize(bytes: 1 << 30))]))
        do { report = try await assess(setup, recorder: ConnectRecorder(), hosts: [db1]) } catch {
            await setup.cleanup()
            throw error
        }
        await setup.cleanup()
        let shop = try #require(report.datasources.first { $0.name == "shop_db" })
        #expect(shop.status == .pass && shop.tables.map(\.name) == ["orders"])
        #expect(shop.touchedBytes > 0 && shop.backupBytes == DatasourceFootprint.backupNeed(shop.touchedBytes))
        #expect(shop.doubleWriteBytes == DatasourceFootprint.doubleWriteNeed(shop.touchedBytes))
        let ck = try #require(report.datasources.first { $0.name == "shop_ck" })
        #expect(ck.status == .pass && ck.tables.map(\.name) == ["ev"] && ck.touchedBytes > 0)
        #expect(report.needs.backupBytes == shop.backupBytes + ck.backupBytes)
        #expect(report.needs.toolMemoryBytes == 256 << 20 && report.needs.toolDiskBytes == 1 << 30)
        let alter = try #require(report.duration.stages.first { $0.stage == .inStop }?.tasks.first)
        #expect(alter.source == "measured_volume" && alter.seconds == 2, "4 rows at 2 rows/s: \(alter)")
        #expect(report.outageSeconds == 2)
        #expect(report.totalSeconds == report.duration.stages.reduce(0) { $0 + $1.seconds })
        #expect(report.checks(.resources).filter { $0.id.hasPrefix("resources.orchestrator.") }.allSatisfy { $0.status == .pass })
        #expect(report.compatibility.mode == .rolling)
        let remote = Dictionary(uniqueKeysWithValues: report.checks.filter { $0.id.hasPrefix("resources.db1.") }.map { ($0.id, $0) })
        #expect(remote["resources.db1.cpu"]?.status == .warn, "21 % idle is within 10 % of 20 %")
        #expect(remote["resources.db1.memory"]?.status == .pass)
        let disk = try #require(remote["resources.db1.disk./"])
        #expect(disk.status == .fail && disk.threshold == Double(shop.doubleWriteBytes + ck.doubleWriteBytes), "\(disk)")
        #expect(disk.summary.contains("double-write of shop_ck") && disk.summary.contains("double-write of shop_db"), "\(disk.summary)")
        #expect(report.hosts.map(\.host) == ["orchestrator", "db1"])
    }
}
