import Foundation
import QuickupCore
import Testing
@testable import QuickupRelease

/// N1, issue 19: the loader lints each script from the read and split it makes for validation;
/// its report must be exactly the one `ReleaseLinter` makes by reading every script again.
@Suite("Lint inside the loader (N1, issue 19)")
struct LoadLintTests {
    /// One component per engine with a trap for most rules, a rollback, a suppression comment,
    /// a NUL byte and a script unterminated at its end.
    static func trapFiles() -> [String: String] {
        var files: [String: String] = ["release.yaml": "name: traps\ncomponents: [maria, house, cache]\n"]
        files["maria/component.yaml"] = "datasources:\n  - name: db\n    type: mariadb\nbackup_tables: [kept]\n"
        files["maria/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"] = """
        sql.a.id=A
        sql.a.description=delimiter and dashes
        sql.a.file=sql/a.sql
        sql.a.stage=in_stop
        sql.b.id=B
        sql.b.description=ddl in a transaction
        sql.b.file=sql/b.sql
        sql.b.stage=pre_stop
        sql.b.transactional=true
        sql.c.id=C
        sql.c.description=not idempotent, rollback
        sql.c.file=sql/c.sql
        sql.c.rollback=sql/c.rollback
        sql.c.stage=post_start
        sql.c.transactional=false
        sql.d.id=D
        sql.d.description=long alter
        sql.d.file=sql/d.sql
        sql.d.stage=in_stop
        sql.d.volume=5GB
        sql.e.id=E
        sql.e.description=unterminated
        sql.e.file=sql/e.sql
        sql.e.stage=in_stop
        """
        files["maria/upgrade/V1.0.1/sql/a.sql"] = "SELECT 1\nDELIMITER //\nSELECT 2 //\nDELIMITER ;\n--DROP TABLE x;\nUSE other;\nDELETE FROM t;\n"
        files["maria/upgrade/V1.0.1/sql/b.sql"] = "INSERT INTO t VALUES (1);\nALTER TABLE t ADD COLUMN c INT;\n"
        files["maria/upgrade/V1.0.1/sql/c.sql"] = "CREATE TABLE n (id INT);\nALTER TABLE `Orders` DROP COLUMN old, ADD COLUMN 名前 INT;\n"
            + "-- quickup:lint-ignore destructive-without-backup\nDROP TABLE kept;\nUPDATE 表 SET a = 'x;y' /* ; */;\n"
        files["maria/upgrade/V1.0.1/sql/c.rollback"] = "DROP TABLE IF EXISTS n;\n"
        files["maria/upgrade/V1.0.1/sql/d.sql"] = "ALTER TABLE big MODIFY COLUMN c BIGINT;\nTRUNCATE TABLE logs;\n"
        files["maria/upgrade/V1.0.1/sql/e.sql"] = "SELECT 1;\nSELECT 'open;\n"
        files["maria/upgrade/V1.0.2/upgrade_tasks_V1.0.2.properties"] = "sql.z.id=Z\nsql.z.description=nul\nsql.z.file=sql/z.sql\nsql.z.stage=in_stop\n"
        files["maria/upgrade/V1.0.2/sql/z.sql"] = "DELETE FROM t;\u{0}\n"
        files["house/component.yaml"] = "datasources:\n  - name: ch\n    type: clickhouse\n    min_server_version: 19.14\nlint:\n  disable: [use-database]\n"
        files["house/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"] =
            "sql.h.id=H\nsql.h.description=ch\nsql.h.file=sql/h.sql\nsql.h.stage=pre_stop\nsql.h.transactional=false\n"
        files["house/upgrade/V1.0.1/sql/h.sql"] = "ALTER TABLE events RENAME COLUMN a TO b;\nCREATE TABLE e2 (d Date) ENGINE = MergeTree ORDER BY d TTL d;\nUSE x;\n"
        files["cache/component.yaml"] = "datasources:\n  - name: r\n    type: redis\n"
        files["cache/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"] = "redis.k.id=K\nredis.k.description=keys\nredis.k.file=redis/k.redis\nredis.k.stage=in_stop\n"
        files["cache/upgrade/V1.0.1/redis/k.redis"] = "SET a 1\nKEYS *\nFLUSHALL\n"
        return files
    }

    /// Both ways of linting, and the load without lint, of one release directory.
    static func compare(_ path: String, request: LintRequest = LintRequest()) -> (inLoad: LintReport?, reread: LintReport, plain: LoadedRelease, linted: LoadedRelease) {
        let linted = ReleaseLoader().load(directory: path, lint: LintPass(request: request))
        let plain = ReleaseLoader().load(directory: path)
        let reread = ReleaseLinter().lint(plain.release, root: plain.root, request: request)
        return (linted.lint, reread, plain, linted)
    }

    @Test("a release with traps: the same findings, scripts and tasks; validation unchanged")
    func traps() throws {
        let fixture = try ReleaseFixture(Self.trapFiles())
        defer { fixture.remove() }
        for request in [LintRequest(), LintRequest(from: Version(1, 0, 1), to: Version(1, 0, 2))] {
            let (inLoad, reread, plain, linted) = Self.compare(fixture.path, request: request)
            let report = try #require(inLoad)
            #expect(report.findings == reread.findings)
            #expect(report.scripts == reread.scripts && report.tasks == reread.tasks)
            #expect(linted.diagnostics.errors.map(\.description) == plain.diagnostics.errors.map(\.description))
            #expect(linted.release.components.map(\.tasks) == plain.release.components.map(\.tasks))
        }
        // Not vacuous: most rules fire, in every component, and the switches applied.
        let full = try #require(Self.compare(fixture.path).inLoad)
        let rules = Set(full.findings.map(\.rule))
        #expect(rules.count >= 9, "\(rules)")
        #expect(Set(full.findings.compactMap { $0.task?.split(separator: "/").first.map(String.init) }) == ["maria", "house", "cache"])
        #expect(!full.findings.contains { $0.rule == .useDatabase && $0.task?.hasPrefix("house/") == true })
        #expect(full.scripts == 8 && full.tasks == 8)
    }

    @Test("the committed example and demo releases: the same report either way")
    func examples() throws {
        for name in ["examples/release", "examples/demo-release"] {
            let path = ReleaseFixture.repositoryRoot.appendingPathComponent(name).path
            let (inLoad, reread, _, _) = Self.compare(path)
            let report = try #require(inLoad)
            #expect(report.findings == reread.findings, "\(name)")
            #expect(report.scripts == reread.scripts && report.scripts > 0, "\(name)")
        }
    }

    @Test("validate's workspace carries the loader's lint; without asking, none is made")
    func workspace() throws {
        let fixture = try ReleaseFixture(ReleaseLintTests.files())
        defer { fixture.remove() }
        let linted = try Workspace.open(release: fixture.path, lint: LintPass())
        #expect(linted.lint?.findings.map(\.rule) == [.destructiveWithoutBackup, .destructiveWithoutBackup])
        #expect(try Workspace.open(release: fixture.path).lint == nil)
        #expect(ReleaseLint.validationErrors(linted, atLeast: .warning).count == 2)
    }
}
