import Foundation
import QuickupCore
import QuickupData
import QuickupRelease
import QuickupTestSupport
import Testing
@testable import QuickupRun

/// Backups before change in a run (F3), the phased rollback restoring them (F4), cleanup and
/// retention (F6), on the real MariaDB of scripts/services.sh (issue 16).
@Suite("Backups, phased rollback and cleanup on MariaDB (F3, F4, F6)", .enabled(if: TestServers.mariaDBEnabled), .serialized)
struct BackupRunTests {
    struct Site {
        var fixture: RunFixture
        var env: Environment
        var connection: any DatasourceConnection
        var cleanup: () async -> Void
        var backups: String { env.backupDir ?? "" }
    }

    /// A database with table `t` (3,000 rows, `rows` more with a long text when asked) and a
    /// release whose tasks change it; backups go to `backupDir` (default: in the fixture).
    func site(_ tasks: [(uid: String, sql: String, extra: String)], padding: Int = 0, backupDir: String? = nil) async throws -> Site {
        let server = try TestServers.requireMariaDB()
        let database = TestServers.uniqueName("hbk_run")
        let admin = try await Datasources.connect(server.config(), secrets: SecretResolver())
        try await admin.execute(SQLStatement(text: "CREATE DATABASE \(database)", line: 1, file: "test"))
        let fixture = try RunFixture(tasks: tasks.map { ($0.uid, "pre_stop", $0.sql, $0.extra) })
        try fixture.write("release/shop/component.yaml", "datasources:\n  - name: shop_db\n    type: mariadb\n")
        var env = Environment(site: "HBK-\(database)")
        env.datasources = [server.config(name: "shop_db", database: database)]
        env.backupDir = backupDir ?? fixture.root.appendingPathComponent("backups").path
        let connection = try await Datasources.connect(server.config(database: database), secrets: SecretResolver())
        for sql in ["CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(40), note TEXT)",
                    "INSERT INTO t SELECT seq, CONCAT('n', seq), REPEAT('x', seq % 30) FROM seq_1_to_3000",
                    padding > 0 ? "INSERT INTO t SELECT 10000 + seq, 'pad', REPEAT('p', 1000) FROM seq_1_to_\(padding)" : "DO 0"]{
            try await connection.execute(SQLStatement(text: sql, line: 1, file: "test"))
        }
        _ = try await connection.query("ANALYZE TABLE t")
        return Site(fixture: fixture, env: env, connection: connection) {
            await connection.close()
            _ = try? await admin.execute(SQLStatement(text: "DROP DATABASE \(database)", line: 1, file: "test"))
            await admin.close()
            fixture.remove()
        }
    }

    func plan(_ site: Site, from: Version = Version(1, 0, 0), to: Version = Version(1, 0, 1)) throws -> (Workspace, Plan) {
        let workspace = try Workspace.open(release: site.fixture.release)
        return (workspace, try workspace.plan(from: from, to: to, site: nil))
    }

    func run(_ site: Site, resumes: String? = nil, now: Int64? = nil,
             from: Version = Version(1, 0, 0), to: Version = Version(1, 0, 1)) async throws -> (RunResult, [String]) {
        let (workspace, plan) = try plan(site, from: from, to: to)
        let lines = RunFixture.Lines()
        var context = RunContext(stateDirectory: site.fixture.state, clock: ContinuousClock(), output: RunOutput(console: { lines.add($0) }))
        if let now { context.now = { now } }
        let request = RunRequest(plan: plan, releaseRoot: workspace.releaseRoot, environment: site.env, resumes: resumes, plugins: workspace.plugins)
        let result = await Executor(journal: try Journal(stateDirectory: site.fixture.state), context: context).run(request)
        return (result, lines.all)
    }

    func rollback(_ site: Site, _ target: String, dryRun: Bool = false, restoreTables: Bool = false,
                  hostPhases: [HostRollbackPhase] = []) async throws -> (RunResult, [String]) {
        let (workspace, plan) = try plan(site)
        let lines = RunFixture.Lines()
        let context = RunContext(stateDirectory: site.fixture.state, clock: ContinuousClock(), output: RunOutput(console: { lines.add($0) }))
        var request = RollbackRequest(plan: plan, releaseRoot: workspace.releaseRoot, environment: site.env, target: target, dryRun: dryRun)
        request.restoreTables = restoreTables
        request.hostPhases = hostPhases
        let result = await Rollback(journal: try Journal(stateDirectory: site.fixture.state), context: context).run(request)
        return (result, lines.all)
    }

    func checksum(_ site: Site) async throws -> [[String?]] {
        try await site.connection.query("CHECKSUM TABLE t")
    }

    /// `du -sB1` of a path (the figure an operator sees).
    func du(_ path: String) throws -> Int64 {
        let text = try ChildProcess.run(["/usr/bin/du", "-sB1", path]).stdout
        return Int64(text.split(separator: "\t").first ?? "") ?? -1
    }

    @Test("a DROP COLUMN and a rewrite without .rollback: backed up before, restored by the rollback's phases; checksum as before; resumable")
    func restoresANonReversibleChange() async throws {
        let created = try await site([("drop", "ALTER TABLE t DROP COLUMN note;", "sql.drop.order=1"),
                                         ("rewrite", "UPDATE t SET name = 'rewritten';", "sql.rewrite.order=2")])
        try await using(created) { site in
            let before = try await checksum(site)
            let (run, lines) = try await run(site)
            #expect(run.status == .succeeded && run.succeeded == 2, "\(String(describing: run.error))")
            #expect(lines.contains { $0.hasPrefix("[BACKUP 1/1] shop_db t: 3000 rows") }, "\(lines)")
            #expect(lines.firstIndex { $0.hasPrefix("[BACKUP") } ?? 99 < lines.firstIndex { $0.hasPrefix("== pre_stop") } ?? 0)
            let journal = try Journal(stateDirectory: site.fixture.state)
            let records = try journal.backups()
            #expect(records.map(\.status) == ["done"] && records.first?.manifest?.checksum == before.first?.last ?? nil)
            #expect(BackupManifest.read(from: try #require(records.first?.directory)).map(\.object) == ["t"], "a manifest beside the files")
            #expect(try await checksum(site) != before)

            let (dry, dryLines) = try await rollback(site, run.runID, dryRun: true)
            #expect(dry.status == .succeeded)
            #expect(dryLines.contains { $0.hasPrefix("Phases: stop-new-services → restore-configuration → undo-scripts → restore-tables") }, "\(dryLines)")
            #expect(dryLines.contains { $0.hasPrefix("-- would restore shop_db t from mariadb-dump") })
            #expect(try await checksum(site) != before, "a dry run changes nothing")

            // The verify phase fails once (something changed the table after the restore); rerun finishes.
            let broken = HostRollbackPhase(slot: .startOldServices, title: "start old services", hasWork: { true }, actions: { ["start"] },
                                           run: { _ async throws(QuickupError) in throw QuickupError(.taskFailed, "service did not start") })
            let (failed, _) = try await rollback(site, run.runID, hostPhases: [broken])
            #expect(failed.status == .failed && failed.error?.message == "service did not start")
            #expect(try await checksum(site) == before, "restored before the failing phase")
            #expect(try journal.phases(rollbackID: failed.runID).map(\.status) == ["done", "done", "done", "done", "done", "failed"])
            try await site.connection.execute(SQLStatement(text: "INSERT INTO t VALUES (99999, 'later', '')", line: 1, file: "test"))
            let (again, againLines) = try await rollback(site, run.runID)
            #expect(again.status == .failed && again.error?.message.contains("verify: shop_db t has checksum") == true,
                    "the verify phase finds the change; the restore is not repeated: \(againLines)")
            #expect(againLines.contains { $0.contains("[SKIPPED] restore of shop_db t: restored already") })
            try await site.connection.execute(SQLStatement(text: "DELETE FROM t WHERE id = 99999", line: 1, file: "test"))
            let (done, _) = try await rollback(site, run.runID)
            #expect(done.status == .succeeded, "\(String(describing: done.error))")
            #expect(try await checksum(site) == before)
            #expect(try await site.connection.scalar("SELECT GROUP_CONCAT(DISTINCT status) FROM upgrade_log WHERE kind = 'rollback'") == "ROLLED_BACK")
        }
    }

    @Test("a resume does not take a finished backup again: the rollback restores the data from before the first run")
    func resumeKeepsTheFirstBackup() async throws {
        let created = try await site([("rewrite", "UPDATE t SET name = 'rewritten';", "sql.rewrite.order=1"),
                                         ("bad", "INSERT INTO t (id) VALUES (1);", "sql.bad.order=2")])
        try await using(created) { site in
            let before = try await checksum(site)
            let (first, _) = try await run(site)
            #expect(first.status == .failed && first.succeeded == 1)
            try site.fixture.write("release/shop/upgrade/V1.0.1/sql/bad.sql", "INSERT INTO t (id) VALUES (50000);")
            let (resumed, lines) = try await run(site, resumes: first.runID)
            #expect(resumed.status == .succeeded, "\(String(describing: resumed.error))")
            #expect(!lines.contains { $0.hasPrefix("[BACKUP") }, "t was backed up by the first run: \(lines)")
            #expect(try Journal(stateDirectory: site.fixture.state).backups().count == 1)
            let (rolled, rolledLines) = try await rollback(site, resumed.runID)
            #expect(rolled.status == .succeeded, "\(String(describing: rolled.error)) \(rolledLines)")
            #expect(try await checksum(site) == before)
        }
    }

    @Test("a backup.dir without the space refuses the run before any change, naming the need and the free space")
    func refusedWithoutSpace() async throws {
        let mount = try TemporaryTree("hbk-tmpfs")
        defer { mount.remove() }
        let point = mount.root.path
        guard shell("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", point]) == 0 else {
            Issue.record("cannot mount a tmpfs (the test needs root)")
            return
        }
        defer { _ = shell("/usr/bin/umount", [point]) }
        try await using(try await site([("drop", "ALTER TABLE t DROP COLUMN note;", "")], padding: 3000, backupDir: point)) { site in
            let before = try await checksum(site)
            let (run, _) = try await run(site)
            #expect(run.status == .failed && run.error?.code == .limitExceeded)
            let message = run.error?.message ?? ""
            #expect(message.contains("need about") && message.contains("has only") && message.contains(point), "\(message)")
            #expect(try await checksum(site) == before, "nothing changed")
            #expect(try await site.connection.scalar("SELECT COUNT(*) FROM upgrade_log") == "0")
        }
    }

    @Test("cleanup refuses the newest successful upgrade's backups without --force, frees what du counts; retention removes only the expired")
    func cleanupAndRetention() async throws {
        try await using(try await site([("rewrite", "UPDATE t SET name = 'rewritten';", "")])) { site in
            let (run, _) = try await run(site)
            #expect(run.status == .succeeded)
            let journal = try Journal(stateDirectory: site.fixture.state)
            let cleanup = BackupCleanup(journal: journal, environment: site.env, stateDirectory: site.fixture.state,
                                        secrets: SecretResolver(), connect: { config throws(QuickupError) in try await Datasources.connect(config, secrets: SecretResolver()) })
            #expect(throws: QuickupError.self) { try cleanup.selection(upgradeOf: run.runID, force: false) }
            let selection = try cleanup.selection(upgradeOf: run.runID, force: true)
            let directory = site.backups + "/\(run.runID)"
            #expect(selection.directories == [directory] && selection.records.count == 1)
            #expect(selection.diskBytes == (try du(directory)) && selection.diskBytes > 0)
            // Retention: nothing expires while the backup is younger; the newest successful upgrade's never.
            var env = site.env
            env.backupRetention = .seconds(60)
            let retention = BackupCleanup(journal: journal, environment: env, stateDirectory: site.fixture.state, secrets: SecretResolver(), connect: cleanup.connect)
            #expect(try retention.expired(now: Int64(Date().timeIntervalSince1970 * 1000)).records.isEmpty)
            #expect(try retention.expired(now: Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000).records.isEmpty, "the newest successful upgrade keeps its backups")
            try await cleanup.remove(selection, at: 0)
            #expect(!FileManager.default.fileExists(atPath: directory))
            #expect(try journal.backups().map(\.status) == ["removed"])
        }
    }

    @Test("F6: at a run's start backup.retention removes backups past it — files and record — but never the newest successful upgrade's")
    func retentionRemovesAtRunStart() async throws {
        try await using(try await site([("a", "UPDATE t SET name = 'a';", "")])) { site in
            let day: Int64 = 86_400_000
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var site = site
            // Three upgrades (V1.0.0 → V1.0.1 → V1.0.2 → V1.0.3) three, two and zero days ago, each
            // changing t (so each backs it up).
            for minor in 2...3 {
                try site.fixture.write("release/shop/upgrade/V1.0.\(minor)/upgrade_tasks_V1.0.\(minor).properties",
                                       "sql.u\(minor).id=U\(minor)\nsql.u\(minor).description=u\(minor)\nsql.u\(minor).file=u.sql\nsql.u\(minor).stage=pre_stop\n")
                try site.fixture.write("release/shop/upgrade/V1.0.\(minor)/u.sql", "UPDATE t SET name = 'u\(minor)';\n")
            }
            let (first, _) = try await run(site, now: now - 3 * day)
            let (second, _) = try await run(site, now: now - 2 * day, from: Version(1, 0, 1), to: Version(1, 0, 2))
            #expect(first.status == .succeeded && second.status == .succeeded)
            let firstDirectory = site.backups + "/\(first.runID)", secondDirectory = site.backups + "/\(second.runID)"
            #expect(FileManager.default.fileExists(atPath: firstDirectory) && FileManager.default.fileExists(atPath: secondDirectory))
            site.env.backupRetention = .seconds(86_400)
            let (third, lines) = try await run(site, now: now, from: Version(1, 0, 2), to: Version(1, 0, 3))
            #expect(third.status == .succeeded, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("Retention (backup.retention") && $0.contains("removed 1 old backup") }, "\(lines)")
            #expect(!FileManager.default.fileExists(atPath: firstDirectory), "past the retention: removed")
            #expect(FileManager.default.fileExists(atPath: secondDirectory), "older than a day, but the newest successful upgrade's when the run began")
            #expect(FileManager.default.fileExists(atPath: site.backups + "/\(third.runID)"))
            let statuses = Dictionary(try Journal(stateDirectory: site.fixture.state).backups().map { ($0.runID, $0.status) }, uniquingKeysWith: { a, _ in a })
            #expect(statuses[first.runID] == "removed" && statuses[second.runID] != "removed" && statuses[third.runID] != "removed", "\(statuses)")
        }
    }

    /// Runs `body` on the site, then drops its database and folder (also when it throws).
    func using(_ site: Site, _ body: (Site) async throws -> Void) async throws {
        do { try await body(site) } catch {
            await site.cleanup()
            throw error
        }
        await site.cleanup()
    }

    @discardableResult
    func shell(_ program: String, _ arguments: [String]) -> Int32 {
        (try? ChildProcess.run([program] + arguments).status) ?? -1
    }
}
