import Foundation
import QuickupCore
import Testing
@testable import QuickupRelease

/// N1 on whole releases: scripts found through the manifests, rules switched off per release and
/// per component, A3 across a component's tasks, and the committed examples.
@Suite("Release lint (N1)")
struct ReleaseLintTests {
    /// Two components with the same trap (DELETE without WHERE, no rollback, no backup).
    static func files(releaseLint: String = "", componentLint: String = "") -> [String: String] {
        var files: [String: String] = ["release.yaml": "name: lint\ncomponents: [a, b]\n" + releaseLint]
        for name in ["a", "b"] {
            files["\(name)/component.yaml"] = "datasources:\n  - name: db\n    type: mariadb\n" + (name == "a" ? componentLint : "")
            files["\(name)/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"] = """
            sql.purge.id=P
            sql.purge.description=purge
            sql.purge.file=sql/purge.sql
            sql.purge.stage=in_stop
            sql.purge.transactional=false
            """
            files["\(name)/upgrade/V1.0.1/sql/purge.sql"] = "SELECT 1;\nDELETE FROM orders;\n"
        }
        return files
    }

    static func lint(_ files: [String: String], request: LintRequest = LintRequest()) throws -> (LintReport, [QuickupError], String) {
        let fixture = try ReleaseFixture(files)
        defer { fixture.remove() }
        let outcome = try ReleaseLint.run(release: fixture.path, request: request)
        return (outcome.report, outcome.loadErrors, fixture.path)
    }

    @Test("the scripts of every component are linted, findings name the release file")
    func everyComponent() throws {
        let (report, errors, root) = try Self.lint(Self.files())
        #expect(errors.isEmpty, "\(errors)")
        #expect(report.findings.map(\.rule) == [.destructiveWithoutBackup, .destructiveWithoutBackup])
        #expect(report.findings.map(\.file) == ["\(root)/a/upgrade/V1.0.1/sql/purge.sql", "\(root)/b/upgrade/V1.0.1/sql/purge.sql"])
        #expect(report.findings.allSatisfy { $0.line == 2 && $0.column == 1 })
        #expect(report.findings.first?.task == "a/V1.0.1/sql.purge")
        #expect(report.outcome == .warnings && report.scripts == 2 && report.tasks == 2)
    }

    @Test("lint: {disable: […]} in component.yaml switches a rule off for that component only")
    func componentSwitch() throws {
        let (report, errors, _) = try Self.lint(Self.files(componentLint: "lint:\n  disable: [destructive-without-backup]\n"))
        #expect(errors.isEmpty, "\(errors)")
        #expect(report.findings.map(\.task) == ["b/V1.0.1/sql.purge"])
    }

    @Test("lint: {disable: […]} in release.yaml switches a rule off everywhere")
    func releaseSwitch() throws {
        let (report, errors, _) = try Self.lint(Self.files(releaseLint: "lint:\n  disable:\n    - destructive-without-backup\n"))
        #expect(errors.isEmpty, "\(errors)")
        #expect(report.findings.isEmpty)
    }

    @Test("an unknown rule id in lint.disable is a validation error naming the rules")
    func unknownRule() throws {
        let loaded = try ReleaseFixture(Self.files(componentLint: "lint:\n  disable: [no-such-rule]\n"))
        defer { loaded.remove() }
        let errors = ReleaseLoader().load(directory: loaded.path).diagnostics.errors
        #expect(errors.count == 1)
        #expect(errors.first?.message == "unknown lint rule 'no-such-rule'")
        #expect(errors.first?.location?.line == 5)
        #expect(errors.first?.hint?.contains("delimiter-in-statement") == true)
    }

    @Test("backup_tables or a .rollback answer destructive-without-backup")
    func backupAnswers() throws {
        var files = Self.files()
        files["a/component.yaml"]! += "backup_tables: [shop.orders]\n"
        files["b/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"]! += "\nsql.purge.rollback=sql/purge.rollback\n"
        files["b/upgrade/V1.0.1/sql/purge.rollback"] = "SELECT 1;\n"
        let (report, errors, _) = try Self.lint(files)
        #expect(errors.isEmpty, "\(errors)")
        #expect(report.findings.isEmpty, "\(report.findings.map(\.text))")
    }

    @Test("A3: a change to a table another task of the component creates is no finding; an old table is")
    func compatibilityAcrossTasks() throws {
        var files = Self.files()
        files["a/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"]! += """

        sql.make.id=M
        sql.make.description=make
        sql.make.file=sql/make.sql
        sql.make.stage=pre_stop
        sql.make.compatible_version=V1.0.0
        sql.fill.id=F
        sql.fill.description=fill
        sql.fill.file=sql/fill.sql
        sql.fill.stage=post_start
        """
        files["a/upgrade/V1.0.1/sql/make.sql"] = "CREATE TABLE IF NOT EXISTS fresh (id INT);\n"
        files["a/upgrade/V1.0.1/sql/fill.sql"] = "UPDATE fresh SET id = 1 WHERE id = 0;\nUPDATE orders SET x = 1 WHERE x = 0;\n"
        let (report, _, _) = try Self.lint(files)
        let a3 = report.findings.filter { $0.rule == .incompatibleWithoutVersion }
        #expect(a3.map(\.line) == [1])
        #expect(a3.first?.what.contains("fresh, orders") == true)
        files["a/upgrade/V1.0.1/sql/fill.sql"] = "UPDATE fresh SET id = 1 WHERE id = 0;\n"
        #expect(try Self.lint(files).0.findings.filter { $0.rule == .incompatibleWithoutVersion }.isEmpty)
    }

    @Test("min_server_version in component.yaml drives the ClickHouse rule")
    func clickHouseVersion() throws {
        var files = Self.files()
        files["a/component.yaml"] = "datasources:\n  - name: ch\n    type: clickhouse\n    min_server_version: 19.14\n"
        files["a/upgrade/V1.0.1/sql/purge.sql"] = "ALTER TABLE events RENAME COLUMN a TO b;\n"
        files["a/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"]! += "\nsql.purge.compatible_version=V1.0.0\n"
        let (report, errors, _) = try Self.lint(files)
        #expect(errors.isEmpty, "\(errors)")
        #expect(report.findings.filter { $0.task?.hasPrefix("a/") == true }.map(\.rule) == [.clickHouseServerVersion])
    }

    @Test("--from/--to lint only the versions of that upgrade")
    func versionRange() throws {
        var files = Self.files()
        files["b/upgrade/V1.0.2/upgrade_tasks_V1.0.2.properties"] = "sql.x.id=X\nsql.x.description=x\nsql.x.file=sql/x.sql\nsql.x.stage=in_stop\n"
        files["b/upgrade/V1.0.2/sql/x.sql"] = "TRUNCATE orders;\n"
        let (all, _, _) = try Self.lint(files)
        let (later, _, _) = try Self.lint(files, request: LintRequest(from: Version(1, 0, 1), to: Version(1, 0, 2)))
        #expect(all.findings.count == 3)
        #expect(later.findings.map(\.task) == ["b/V1.0.2/sql.x"])
    }

    @Test("a script unterminated at its end is a finding, not a load error")
    func unterminated() throws {
        var files = Self.files()
        files["a/upgrade/V1.0.1/sql/purge.sql"] = "SELECT 1;\nSELECT 'open;\n"
        let (report, errors, _) = try Self.lint(files)
        #expect(errors.isEmpty, "\(errors)")
        #expect(report.findings.filter { $0.rule == .unterminatedAtEnd }.map(\.line) == [2])
        #expect(report.outcome == .errors)
    }

    @Test("the committed example and demo releases have no error findings")
    func examples() throws {
        for name in ["examples/release", "examples/demo-release"] {
            let path = ReleaseFixture.repositoryRoot.appendingPathComponent(name).path
            let outcome = try ReleaseLint.run(release: path)
            #expect(outcome.loadErrors.isEmpty, "\(name): \(outcome.loadErrors)")
            #expect(outcome.report.errors == 0, "\(name): \(outcome.report.findings.map(\.text))")
            #expect(outcome.report.scripts > 0)
        }
    }
}
