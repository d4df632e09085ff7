import Foundation
import QuickupCore
import Testing
@testable import QuickupRelease

@Suite("Release loading (M2–M7)")
struct ReleaseLoaderTests {
    @Test("a valid release loads with checksums of every task file (M7)")
    func valid() throws {
        let fixture = try ReleaseFixture(ReleaseFixture.validFiles)
        defer { fixture.remove() }
        let loaded = ReleaseLoader().load(directory: fixture.path)
        #expect(loaded.diagnostics.errors.isEmpty, "\(loaded.diagnostics.errors)")
        let tasks = loaded.release.components.flatMap(\.tasks)
        #expect(tasks.map(\.uid) == ["a", "b"])
        #expect(tasks[0].checksum == SHA256.hex(Array("CREATE TABLE a (id INT);\n".utf8)))
    }

    @Test("M7/P5: without checksums every file is still read and checked — the same release and errors, no checksum")
    func withoutChecksums() throws {
        var files = ReleaseFixture.validFiles
        files["base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"]! += """

        sql.c.id=C
        sql.c.description=missing file
        sql.c.file=sql/missing.sql
        sql.c.stage=pre_stop
        tool.t.id=T
        tool.t.description=tool
        tool.t.package=mig.run:main
        tool.t.stage=post_upgrade
        tool.u.id=U
        tool.u.description=tool without its module
        tool.u.package=gone.run:main
        tool.u.stage=post_upgrade
        """
        files["base/upgrade/V1.0.1/tools/mig/__init__.py"] = ""
        files["base/upgrade/V1.0.1/tools/mig/run.py"] = "def main(ctx): pass\n"
        let fixture = try ReleaseFixture(files)
        defer { fixture.remove() }
        let with = ReleaseLoader().load(directory: fixture.path)
        let without = ReleaseLoader().load(directory: fixture.path, checksums: false)
        #expect(with.diagnostics.errors.count == 2, "\(with.diagnostics.errors)")
        #expect(without.diagnostics.errors.map(\.description) == with.diagnostics.errors.map(\.description))
        let withTasks = with.release.components.flatMap(\.tasks), withoutTasks = without.release.components.flatMap(\.tasks)
        #expect(withTasks.filter { $0.checksum != nil }.map(\.uid) == ["a", "b", "t"])
        #expect(withoutTasks.allSatisfy { $0.checksum == nil })
        var stripped = with.release
        for c in stripped.components.indices {
            for t in stripped.components[c].tasks.indices { stripped.components[c].tasks[t].checksum = nil }
        }
        #expect(stripped == without.release)
    }

    @Test("M7: changing a task's file changes its checksum, and only its own")
    func checksumChanges() throws {
        let fixture = try ReleaseFixture(ReleaseFixture.validFiles)
        defer { fixture.remove() }
        let before = ReleaseLoader().load(directory: fixture.path).release.components[0].tasks
        try fixture.write("base/upgrade/V1.0.1/sql/b.sql", "CREATE TABLE b (id BIGINT);\n")
        let after = ReleaseLoader().load(directory: fixture.path).release.components[0].tasks
        #expect(before[0].checksum == after[0].checksum)
        #expect(before[1].checksum != after[1].checksum)
    }

    @Test("M7: a tool's checksum covers its package folder")
    func toolChecksum() throws {
        var files = ReleaseFixture.validFiles
        files["base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"]! += """

        tool.t.id=T
        tool.t.description=tool
        tool.t.package=mig.run:main
        tool.t.stage=post_upgrade
        """
        files["base/upgrade/V1.0.1/tools/mig/__init__.py"] = ""
        files["base/upgrade/V1.0.1/tools/mig/run.py"] = "def main(ctx): pass\n"
        files["base/upgrade/V1.0.1/tools/mig/helper.py"] = "X = 1\n"
        let fixture = try ReleaseFixture(files)
        defer { fixture.remove() }
        let first = ReleaseLoader().load(directory: fixture.path)
        #expect(first.diagnostics.errors.isEmpty, "\(first.diagnostics.errors)")
        let before = first.release.components[0].tasks.first { $0.uid == "t" }?.checksum
        try fixture.write("base/upgrade/V1.0.1/tools/mig/helper.py", "X = 2\n")
        let after = ReleaseLoader().load(directory: fixture.path).release.components[0].tasks.first { $0.uid == "t" }?.checksum
        #expect(before != nil && after != nil && before != after)
    }

    @Test("M5: a release with ten different mistakes reports all ten with file:line: key")
    func tenMistakes() throws {
        var files = ReleaseFixture.validFiles
        files["release.yaml"] = "name: tiny\ncomponents: [base]\nupgrades_from: V2.x~\n"                                   // 1 bad version
        files["base/component.yaml"] = "plugin_class: core\ndatasources:\n  - name: base_db\n    type: mariadb\nhost_role: [app]\n" // 2 unknown yaml key
        files["base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"] = """
        sql.a.id=A
        sql.a.description=first
        sql.a.file=sql/a.sql
        sql.a.stage=pre_stop
        sql.a.timout=30m
        sql.b.id=B
        sql.b.description=second
        sql.b.file=../../../../etc/passwd
        sql.b.stage=in_stop
        sql.c.id=C
        sql.c.description=third
        sql.c.file=sql/missing.sql
        sql.c.stage=in_stop
        sql.c.depends=d
        sql.d.id=D
        sql.d.description=fourth
        sql.d.file=sql/a.sql
        sql.d.stage=in_stop
        sql.d.depends=c
        sql.e.id=E
        sql.e.description=fifth
        sql.e.file=sql/a.sql
        sql.e.stage=in_stop
        sql.e.compatible_version=2.16
        sql.e.datasource=nowhere_db
        tool.a.id=A2
        tool.a.description=same uid as sql.a
        tool.a.package=tools/x.sh
        tool.a.stage=post_start
        """
        files["base/upgrade/V1.0.1/upgrade_orchestration_V1.0.1.properties"] = "sql.zz.stage=pre_stop\n"
        let fixture = try ReleaseFixture(files)
        defer { fixture.remove() }
        let errors = ReleaseLoader().load(directory: fixture.path).diagnostics.sortedErrors
        let lines = errors.map(\.description)
        let expectations: [(String, String)] = [
            ("release.yaml:3: upgrades_from", "invalid version format: 'V2.x'"),
            ("component.yaml:5: host_role", "unknown key 'host_role'"),
            ("upgrade_tasks_V1.0.1.properties:5: sql.a.timout", "unknown key"),
            ("upgrade_tasks_V1.0.1.properties:8: sql.b.file", "escapes the release directory"),
            ("upgrade_tasks_V1.0.1.properties:12: sql.c.file", "missing file"),
            ("upgrade_tasks_V1.0.1.properties:", "dependency cycle"),
            ("upgrade_tasks_V1.0.1.properties:24: sql.e.compatible_version", "invalid version format: '2.16'"),
            ("upgrade_tasks_V1.0.1.properties:25: sql.e.datasource", "unknown datasource 'nowhere_db'"),
            ("upgrade_tasks_V1.0.1.properties:26: tool.a", "duplicate uid 'a'"),
            ("upgrade_orchestration_V1.0.1.properties:1: sql.zz", "unknown task 'sql.zz'"),
        ]
        for (place, message) in expectations {
            #expect(lines.contains { $0.contains(place) && $0.contains(message) }, "missing \(place) … \(message) in\n\(lines.joined(separator: "\n"))")
        }
        #expect(errors.allSatisfy { $0.location?.file.hasPrefix(fixture.path) == true })
    }

    @Test("M5: an absolute path and a symlink leaving the release are refused")
    func escapes() throws {
        var files = ReleaseFixture.validFiles
        files["base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"] = ReleaseFixture.validFiles["base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"]!
            .replacingOccurrences(of: "sql/a.sql", with: "/etc/hostname")
            .replacingOccurrences(of: "sql/b.sql", with: "sql/link.sql")
        let fixture = try ReleaseFixture(files)
        defer { fixture.remove() }
        try FileManager.default.createSymbolicLink(atPath: fixture.path + "/base/upgrade/V1.0.1/sql/link.sql", withDestinationPath: "/etc/hostname")
        let lines = ReleaseLoader().load(directory: fixture.path).diagnostics.errors.map(\.description)
        #expect(lines.contains { $0.contains("sql.a.file") && $0.contains("absolute path") }, "\(lines)")
        #expect(lines.contains { $0.contains("sql.b.file") && $0.contains("escapes the release directory") }, "\(lines)")
    }

    @Test("M5: misnamed manifest files, version folders and unlisted components are errors")
    func layoutMistakes() throws {
        var files = ReleaseFixture.validFiles
        files["base/upgrade/V1.0.1/upgrade_task_V1.0.1.properties"] = "sql.x.id=1\n"
        files["base/upgrade/V1.0.1/quality_V1.0.2.properties"] = "rule.x.description=x\nrule.x.sql=SELECT 0\n"
        files["base/upgrade/1.0/upgrade_tasks_1.0.properties"] = ""
        files["extra/component.yaml"] = "plugin_class: business\n"
        let fixture = try ReleaseFixture(files)
        defer { fixture.remove() }
        let lines = ReleaseLoader().load(directory: fixture.path).diagnostics.errors.map(\.description)
        #expect(lines.contains { $0.contains("upgrade_task_V1.0.1.properties") && $0.contains("unknown manifest file") }, "\(lines)")
        #expect(lines.contains { $0.contains("quality_V1.0.2.properties") && $0.contains("does not match") })
        #expect(lines.contains { $0.contains("invalid version format: '1.0'") })
        #expect(lines.contains { $0.contains("'extra' is not listed") })
    }

    @Test("T3–T5: plugin limits, failure policy and hooks are read from component.yaml; mistakes name file:line")
    func pluginSettings() throws {
        var files = ReleaseFixture.validFiles
        files["base/component.yaml"] = """
            plugin_class: core
            datasources:
              - name: base_db
                type: mariadb
            limits: {memory: 1GiB, cpu: 40%, processes: 32, cpu_time: 10m, network: false, read_only_root: true}
            on_failure: {action: skip, tries: 2, interval: 3s}
            hooks:
              business_check: checks.data:run
              pre_start: hooks/pre_start.sh

            """
        files["base/hooks/checks/data.py"] = "def run(ctx):\n    return {}\n"
        files["base/hooks/pre_start.sh"] = "#!/bin/sh\n"
        let fixture = try ReleaseFixture(files)
        defer { fixture.remove() }
        let loaded = ReleaseLoader().load(directory: fixture.path)
        #expect(loaded.diagnostics.errors.isEmpty, "\(loaded.diagnostics.errors)")
        let base = try #require(loaded.release.components.first)
        let profile = PluginProfile(base)
        #expect(profile.limits == PluginLimits(memory: .mebibytes(1024), cpuPercent: 40, processes: 32, cpuTime: .minutes(10),
                                               network: false, readOnlyRoot: true))
        #expect(profile.failurePolicy == FailurePolicy(action: .skip, tries: 2, interval: .seconds(3)))
        #expect(profile.hooks == [HookPoint.businessCheck: "checks.data:run", HookPoint.preStart: "hooks/pre_start.sh"])

        files["base/component.yaml"] = """
            datasources:
              - name: base_db
                type: mariadb
            limits: {memory: lots, processes: 0}
            on_failure: {action: retry}
            hooks:
              business_check: missing.module:run

            """
        let broken = try ReleaseFixture(files)
        defer { broken.remove() }
        let lines = ReleaseLoader().load(directory: broken.path).diagnostics.errors.map(\.description)
        #expect(lines.contains { $0.contains("component.yaml:4: memory: invalid value 'lots'") }, "\(lines)")
        #expect(lines.contains { $0.contains("invalid value '0'") && $0.contains("integer ≥ 1") }, "\(lines)")
        #expect(lines.contains { $0.contains("component.yaml:5: action: invalid value 'retry': expected stop|skip|continue") }, "\(lines)")
        #expect(lines.contains { $0.contains("component.yaml:7: business_check: Python module 'missing.module' of hook business_check not found")
            && $0.contains("base/hooks/missing/module.py") }, "\(lines)")
    }

    @Test("a missing release directory is one clear error")
    func missingDirectory() {
        let loaded = ReleaseLoader().load(directory: "/nonexistent/quickup/release")
        #expect(loaded.diagnostics.errors.count == 1)
        #expect(loaded.diagnostics.errors.first?.description.contains("release directory not found") == true)
    }

    @Test("the committed examples are valid and plan as documented")
    func examples() throws {
        let root = ReleaseFixture.repositoryRoot.appendingPathComponent("examples")
        let demo = try Workspace.open(release: root.appendingPathComponent("demo-release").path)
        #expect(demo.release.taskCount == 9)  // 8 SQL tasks and config.orders_pool (issue 18)
        let real = try Workspace.open(release: root.appendingPathComponent("release").path,
                                      environment: root.appendingPathComponent("env/site-a.yaml").path)
        let plan = try real.plan(from: Version(2, 16, 7), to: Version(2, 17, 0), site: nil)
        #expect(plan.site == "SITE-A")
        #expect(plan.tasks.contains { $0.task.uid == "site_a_holiday_calendar" })
        #expect(plan.tasks.first { $0.task.uid == "alter_orders" }?.estimate?.duration.description == "8m32s")
        #expect(plan.tasks.first { $0.task.uid == "backup_legacy_data" }?.task.stage == .preStop)  // orchestration override
        let siteB = try real.plan(from: Version(2, 16, 7), to: Version(2, 17, 0), site: "SITE-B")
        #expect(!siteB.tasks.contains { $0.task.uid == "site_a_holiday_calendar" || $0.task.uid == "hotfix_device_index" })
    }
}

@Suite("Scripts checked at load (D2, E5)")
struct ScriptCheckTests {
    @Test("E5: DDL on MariaDB makes a task non-transactional, said in the plan; DML stays transactional")
    func transactionalInPlan() throws {
        let fixture = try ReleaseFixture(ReleaseFixture.validFiles.merging([
            "base/upgrade/V1.0.1/sql/b.sql": "UPDATE a SET id = 1;\nINSERT INTO a VALUES (2);\n",
        ]) { _, new in new })
        defer { fixture.remove() }
        let workspace = try Workspace.open(release: fixture.path)
        let plan = try workspace.plan(from: Version(1, 0, 0), to: Version(1, 0, 1), site: nil)
        #expect(plan.tasks.map(\.transactional) == [false, true])
        #expect(PlanRenderer().render(plan).contains("no (DDL)"))
    }

    @Test("D2/M6: a script that cannot be split fails validation with file:line")
    func unsplittable() throws {
        let fixture = try ReleaseFixture(ReleaseFixture.validFiles.merging([
            "base/upgrade/V1.0.1/sql/b.sql": "SELECT 1;\nINSERT INTO a VALUES ('unterminated);\n",
        ]) { _, new in new })
        defer { fixture.remove() }
        let errors = ReleaseLoader().load(directory: fixture.path).diagnostics.errors.map(\.description)
        #expect(errors.contains { $0.contains("sql/b.sql:2") }, "\(errors)")
    }
}
