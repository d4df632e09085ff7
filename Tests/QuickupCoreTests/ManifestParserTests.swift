import Testing
@testable import QuickupCore

@Suite("Task manifests (M2, M3, M5)")
struct ManifestParserTests {
    let file = "base/upgrade/V2.16.8/upgrade_tasks_V2.16.8.properties"

    func parse(_ text: String) throws -> ([UpgradeTask], Diagnostics) {
        var diagnostics = Diagnostics()
        let entries = try PropertiesReader.parse(text, file: file)
        let tasks = TaskManifestParser(component: "base", version: Version(2, 16, 8), file: file).parse(entries, into: &diagnostics)
        return (tasks, diagnostics)
    }

    @Test("M2: every listed key is read")
    func allKeys() throws {
        let (tasks, diagnostics) = try parse("""
        sql.alter_orders.id=BASE-1
        sql.alter_orders.description=订单表增加渠道字段
        sql.alter_orders.file=sql/002_alter.sql
        sql.alter_orders.stage=in_stop
        sql.alter_orders.datasource=base_db
        sql.alter_orders.order=7
        sql.alter_orders.depends=a,b
        sql.alter_orders.compatible_version=V2.16.7-P1
        sql.alter_orders.sites=SITE-A, SITE-B
        sql.alter_orders.exclude_sites=SITE-C
        sql.alter_orders.timeout=1h30m
        sql.alter_orders.retries=3
        sql.alter_orders.retry_interval=10s
        sql.alter_orders.retryable=false
        sql.alter_orders.transactional=TRUE
        sql.alter_orders.rollback=sql/002_undo.sql
        sql.alter_orders.volume=100GB
        sql.alter_orders.rate=50MB/s
        sql.alter_orders.parallel=4
        sql.alter_orders.where=local
        sql.alter_orders.source=old_db
        sql.alter_orders.target=new_db
        sql.a.id=A
        sql.a.description=a
        sql.a.file=a.sql
        sql.a.stage=pre_stop
        sql.b.id=B
        sql.b.description=b
        sql.b.file=b.sql
        sql.b.stage=pre_stop
        """)
        #expect(diagnostics.errors.isEmpty, "\(diagnostics.errors)")
        let t = try #require(tasks.first)
        #expect(t.key == "base/V2.16.8/sql.alter_orders")
        #expect(t.id == "BASE-1" && t.description == "订单表增加渠道字段" && t.file == "sql/002_alter.sql")
        #expect(t.stage == .inStop && t.datasource == "base_db" && t.order == 7 && t.depends == ["a", "b"])
        #expect(t.compatibleVersion == Version(2, 16, 7, p: 1))
        #expect(t.sites == ["SITE-A", "SITE-B"] && t.excludeSites == ["SITE-C"])
        #expect(t.timeout?.milliseconds == 5_400_000 && t.retries == 3 && t.retryInterval?.milliseconds == 10_000)
        #expect(t.retryable == false && t.transactional == true && t.rollback == "sql/002_undo.sql")
        #expect(t.volume == .bytes(100 << 30) && t.rate?.perSecond == 50 * 1024 * 1024 && t.parallel == 4)
        #expect(t.placement == .local && t.source == "old_db" && t.target == "new_db")
        #expect(t.filePosition == 1 && tasks.map(\.filePosition) == [1, 2, 3])
        #expect(t.location.line == 1 && t.fieldLines["stage"] == 4)
    }

    @Test("M2: tools take .package (path or module:function), not .file")
    func tools() throws {
        let (tasks, diagnostics) = try parse("""
        tool.copy.id=T1
        tool.copy.description=copy
        tool.copy.package=gps_migrate.copy_tracks:run
        tool.copy.stage=post_upgrade
        tool.sh.id=T2
        tool.sh.description=shell
        tool.sh.package=tools/run.sh
        tool.sh.stage=post_start
        tool.sh.where=hosts
        """)
        #expect(diagnostics.errors.isEmpty)
        #expect(ToolEntry(tasks[0].package ?? "") == .python(module: "gps_migrate.copy_tracks", function: "run"))
        #expect(ToolEntry(tasks[1].package ?? "") == .executable(path: "tools/run.sh") && tasks[1].placement == .hosts)
    }

    @Test("M5: unknown keys, missing keys, bad values and duplicates are each reported with line and key")
    func errors() throws {
        let (_, diagnostics) = try parse("""
        sql.a.id=A
        sql.a.description=a
        sql.a.file=a.sql
        sql.a.stage=during_lunch
        sql.a.tiemout=30m
        sql.b.id=B
        sql.b.description=b
        sql.b.stage=pre_stop
        sql.b.retries=-1
        tool.c.id=C
        tool.c.description=c
        tool.c.file=c.sql
        tool.c.package=/usr/bin/evil
        tool.c.stage=pre_stop
        sql.a.id=A2
        sqll.d.id=D
        sql.e.id=B
        sql.e.description=dup id
        sql.e.file=e.sql
        sql.e.stage=pre_stop
        redis.a.id=X
        """)
        let found = diagnostics.errors.map { "\($0.location?.line ?? 0) \($0.location?.key ?? "") \($0.message)" }
        func has(_ line: Int, _ text: String) -> Bool { found.contains { $0.hasPrefix("\(line) ") && $0.contains(text) } }
        #expect(has(4, "invalid value 'during_lunch'"), "\(found)")
        #expect(has(5, "unknown key 'sql.a.tiemout'"))
        #expect(has(6, "missing key 'sql.b.file'"))
        #expect(has(9, "invalid value '-1'"))
        #expect(has(12, "unknown key 'tool.c.file'"))
        #expect(has(13, "invalid value '/usr/bin/evil'"))
        #expect(has(15, "duplicate key 'sql.a.id'"))
        #expect(has(16, "unknown key 'sqll.d.id'"))
        #expect(has(17, "duplicate id 'B'"))
        #expect(has(21, "duplicate uid 'a'"))
        #expect(has(21, "missing key 'redis.a.file'"))
    }

    @Test("M3: overrides replace stage, order, depends, timeout; unknown uid or field is an error")
    func orchestration() throws {
        var (tasks, diagnostics) = try parse("""
        sql.backup_legacy_data.id=A
        sql.backup_legacy_data.description=a
        sql.backup_legacy_data.file=a.sql
        sql.backup_legacy_data.stage=in_stop
        sql.b.id=B
        sql.b.description=b
        sql.b.file=b.sql
        sql.b.stage=in_stop
        """)
        let orchestration = "base/upgrade/V2.16.8/upgrade_orchestration_V2.16.8.properties"
        let entries = try PropertiesReader.parse("""
        sql.backup_legacy_data.stage=pre_stop
        sql.b.order=-1
        sql.b.depends=backup_legacy_data
        sql.b.timeout=5m
        tool.validate_schemas.stage=pre_stop
        sql.b.file=other.sql
        """, file: orchestration)
        OrchestrationParser(file: orchestration).apply(entries, to: &tasks, diagnostics: &diagnostics)
        #expect(tasks[0].stage == .preStop)
        #expect(tasks[0].overrides["stage"]?.line == 1)
        #expect(tasks[1].order == -1 && tasks[1].depends == ["backup_legacy_data"] && tasks[1].timeout?.milliseconds == 300_000)
        let messages = diagnostics.errors.map(\.description)
        #expect(messages.contains { $0.contains(":5: tool.validate_schemas") && $0.contains("unknown task") }, "\(messages)")
        #expect(messages.contains { $0.contains(":6: sql.b.file") && $0.contains("unknown key") })
        #expect(messages.count == 2)
    }

    @Test("M4: quality rules — sql, file and every built-in check; incomplete checks are errors")
    func qualityRules() throws {
        let qfile = "base/upgrade/V2.16.8/quality_V2.16.8.properties"
        let entries = try PropertiesReader.parse("""
        rule.a.description=not null
        rule.a.check=not_null
        rule.a.table=orders
        rule.a.columns=customer_id, device_id
        rule.a.versions=V2.15.0~V2.16.9
        rule.a.severity=warn
        rule.a.threshold=5
        rule.b.description=sql
        rule.b.sql=SELECT COUNT(*) FROM t
        rule.c.description=range
        rule.c.check=range
        rule.c.table=orders
        rule.c.columns=amount
        rule.d.description=ref
        rule.d.check=reference
        rule.d.table=orders
        rule.d.columns=device_id
        rule.d.references=device.id
        rule.e.description=both
        rule.e.sql=SELECT 1
        rule.e.file=x.sql
        rule.f.description=bad severity
        rule.f.sql=SELECT 1
        rule.f.severity=fatal
        rule.g.description=pattern
        rule.g.check=pattern
        rule.g.table=device
        rule.g.columns=serial_no
        rule.g.pattern=^SN-[0-9]{8}$
        """, file: qfile)
        var diagnostics = Diagnostics()
        let rules = QualityRuleParser(component: "base", version: Version(2, 16, 8), file: qfile).parse(entries, into: &diagnostics)
        let a = try #require(rules.first { $0.uid == "a" })
        #expect(a.severity == .warn && a.threshold == 5 && a.versions?.description == "V2.15.0~V2.16.9")
        #expect(a.body == .check(.init(check: .notNull, table: "orders", columns: ["customer_id", "device_id"])))
        #expect(a.applies(from: Version(2, 16, 7), to: Version(2, 17, 0)))
        #expect(!a.applies(from: Version(2, 17, 0), to: Version(2, 17, 1)))
        #expect(rules.contains { $0.uid == "d" } && rules.contains { $0.uid == "g" } && rules.contains { $0.uid == "b" })
        let messages = diagnostics.errors.map(\.description)
        #expect(messages.contains { $0.contains("check 'range' needs") }, "\(messages)")
        #expect(messages.contains { $0.contains("more than one of sql, file") })
        #expect(messages.contains { $0.contains(":24: rule.f.severity") })
        #expect(messages.count == 3)
    }
}
