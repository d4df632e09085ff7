import Foundation
import QuickupTestSupport
import Testing

/// `kill -9` of `quickup rollback` inside each of its phases (`QUICKUP_CRASH_AT=<phase>@<point>`:
/// `begin` = recorded running, nothing done; `end` = done, not yet recorded; `loading` = the
/// `mariadb` client of the first restore started, its load under way (the client outlives quickup
/// and finishes it); `undone` / `restored` = after the first script undone / table restored,
/// before the next (a restore not yet marked done); `<host>` = after that host of a host phase),
/// then `quickup rollback RUN` again (F4, issue
/// 16): on two `local` hosts with real services and the real MariaDB, an upgrade whose in_stop
/// script has no `.rollback` (DROP COLUMN, a rewrite of a `backup_tables` table) and whose
/// pre_stop script has one. The end state equals an undisturbed rollback's: both tables' CHECKSUM
/// TABLE as before the upgrade, the pre_stop table gone, V1.0.0 answering on both hosts, started
/// once by the rollback, each task recorded rolled back exactly once.
@Suite(.serialized, .enabled(if: TestServers.mariaDBEnabled, TestServers.mariaDBSkipComment))
struct RollbackCrashTests {
    static let points = ["stop-new-services@a", "restore-configuration@begin", "undo-scripts@begin", "undo-scripts@undone",
                         "restore-tables@loading", "restore-tables@restored", "restore-tables@end", "restore-program-files@a", "start-old-services@begin",
                         "start-old-services@a", "verify@begin", "verify@a", "verify@end"]

    @Test("kill -9 inside each rollback phase, then rollback again: tables as before the upgrade, V1.0.0 answering, one start per host, nothing undone twice",
          .timeLimit(.minutes(10)), arguments: points)
    func crashAndRerun(point: String) async throws {
        let u = try await Self.upgraded()
        defer { u.remove() }
        let (database, site, before, id) = (u.database, u.site, u.before, u.id)
        let prepared = try UpgradeBackupTests.mariadb("SHOW TABLES LIKE 'prepared'", database: database)
        #expect(site.version(site.port) == "V1.1.0" && prepared == "prepared")

        let killed = try await site.rollback(id, environment: ["QUICKUP_CRASH_AT": point])
        #expect(killed.status == 9, "expected SIGKILL at \(point): \(killed.status)\n\(killed.stdout)\n\(killed.stderr)")
        let again = try await site.rollback(id)
        let shown = "\(point)\nkilled:\n\(killed.stdout)\(killed.stderr)\nagain:\n\(again.stdout)\(again.stderr)"
        #expect(again.status == 0, "\(shown)")
        #expect(again.stdout.contains("Continues the rollback "), "the rerun names the rollback it continues: \(shown)")
        #expect(try UpgradeBackupTests.checksum("orders", database) == before[0], "\(shown)")
        #expect(try UpgradeBackupTests.checksum("audit", database) == before[1], "\(shown)")
        #expect(try UpgradeBackupTests.mariadb("SHOW TABLES LIKE 'prepared'", database: database).isEmpty, "\(shown)")
        #expect(site.current("a") == "releases/V1.0.0" && site.current("b") == "releases/V1.0.0", "\(shown)")
        #expect(site.version(site.port) == "V1.0.0" && site.version(site.port + 1) == "V1.0.0", "\(shown)")
        // The setup's start, the upgrade's, the rollback's: none twice across the kill.
        #expect(site.starts("a") == 3 && site.starts("b") == 3, "starts a=\(site.starts("a")) b=\(site.starts("b")): \(shown)")
        // APP-1 by its script, APP-2 from the backups: each recorded rolled back once.
        let undone = try UpgradeBackupTests.mariadb("SELECT task_name, COUNT(*) FROM upgrade_log WHERE kind = 'rollback' AND status = 'ROLLED_BACK' GROUP BY task_name ORDER BY task_name",
                                                    database: database)
        #expect(undone.split(separator: "\n").count == 2 && undone.split(separator: "\n").allSatisfy { $0.hasSuffix("\t1") }, "\(undone)\n\(shown)")
        let restores = try UpgradeBackupTests.backups(site)
        #expect(restores.count == 2 && restores.allSatisfy { $0.status == "done" }, "\(restores)")
    }

    @Test("a restore waits while an earlier load of the same dump still runs (a client that outlived a killed rollback holds the dump's lock), then restores",
          .timeLimit(.minutes(10)))
    func restoreWaitsForAnEarlierLoad() async throws {
        let u = try await Self.upgraded()
        defer { u.remove() }
        let (database, site, before, id) = (u.database, u.site, u.before, u.id)
        let files = FileManager.default.enumerator(atPath: site.state)?.compactMap { $0 as? String } ?? []
        let dump = site.state + "/" + (try #require(files.first { $0.hasSuffix(".orders.sql") }, "\(files)"))

        // The stand-in for the orphaned client: holds the dump's lock until the test releases it.
        let (held, release) = (site.root + "/holder-held", site.root + "/holder-release")
        let holder = try ChildSpawn.spawn(["/usr/bin/flock", "-x", dump, "/bin/sh", "-c",
                                           "touch '\(held)'; while [ ! -e '\(release)' ]; do sleep 0.05; done"], output: site.root + "/holder.out")
        defer {
            _ = FileManager.default.createFile(atPath: release, contents: Data())
            ChildSpawn.wait(holder)
        }
        #expect(Self.poll { FileManager.default.fileExists(atPath: held) }, "the holder never took the lock")
        let rerun = Task { try await site.rollback(id) }
        let waited = Self.poll {
            let runs = (try? FileManager.default.contentsOfDirectory(atPath: site.state + "/runs")) ?? []
            return runs.contains { ((try? String(contentsOfFile: "\(site.state)/runs/\($0)/summary.log", encoding: .utf8)) ?? "").contains("[WAIT] restore of db orders") }
        }
        #expect(waited, "the rollback never said it waits for the earlier load")
        #expect(try UpgradeBackupTests.checksum("orders", database) != before[0], "orders is not restored while the earlier load holds the dump")
        _ = FileManager.default.createFile(atPath: release, contents: Data())
        let back = try await rerun.value
        #expect(back.status == 0, "\(back.stdout)\n\(back.stderr)")
        #expect(back.stdout.contains("[WAIT] restore of db orders") && back.stdout.contains("[RESTORED] db orders"), "\(back.stdout)")
        #expect(try ["orders", "audit"].map { try UpgradeBackupTests.checksum($0, database) } == before)
    }

    /// A fresh database and `site`, upgraded V1.0.0 → V1.1.0: the upgrade's id and the tables'
    /// checksums before it. `remove()` drops the database and the site.
    struct Upgraded {
        let database: String
        let site: UpgradeSite
        let before: [String]
        let id: String
        func remove() {
            site.remove()
            _ = try? UpgradeBackupTests.mariadb("DROP DATABASE \(database)")
        }
    }

    static func upgraded() async throws -> Upgraded {
        _ = try TestServers.requireMariaDB()
        let database = "qu_rbk16_\(UInt32.random(in: 0...UInt32.max))"
        _ = try UpgradeBackupTests.mariadb("CREATE DATABASE \(database)")
        let site: UpgradeSite
        do { site = try Self.site(database) } catch {
            _ = try? UpgradeBackupTests.mariadb("DROP DATABASE \(database)")
            throw error
        }
        let before = try ["orders", "audit"].map { try UpgradeBackupTests.checksum($0, database) }
        let upgraded = try await site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0", "--yes", "--mode", "stop-the-world"])
        let id = UpgradeSite.runID(upgraded.stdout)
        guard upgraded.status == 0, let id else {
            Upgraded(database: database, site: site, before: before, id: "").remove()
            throw UpgradeFailed(description: "the upgrade before the rollback failed: \(upgraded.stdout)\n\(upgraded.stderr)")
        }
        return Upgraded(database: database, site: site, before: before, id: id)
    }

    struct UpgradeFailed: Error, CustomStringConvertible { var description: String }

    /// Polls every 50 ms, up to 2,000 times, until `done` holds.
    static func poll(_ done: () -> Bool) -> Bool {
        for _ in 0..<2000 {
            if done() { return true }
            usleep(50_000)
        }
        return done()
    }

    /// UpgradeBackupTests' site: `orders` (500 rows) changed by a DROP COLUMN without `.rollback`,
    /// `audit` (50 rows) rewritten through a procedure and named in `backup_tables`; the pre_stop
    /// task creates `prepared` and has a `.rollback` that drops it.
    static func site(_ database: String) throws -> UpgradeSite {
        let server = try TestServers.requireMariaDB()
        _ = try UpgradeBackupTests.mariadb("""
            CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(40), legacy INT);
            INSERT INTO orders SELECT seq, CONCAT('order ', seq), seq * 7 FROM seq_1_to_500;
            CREATE TABLE audit (id INT PRIMARY KEY, what VARCHAR(40));
            INSERT INTO audit SELECT seq, 'kept' FROM seq_1_to_50;
            CREATE PROCEDURE wipe_audit() UPDATE audit SET what = 'rewritten';
            """, database: database)
        return try UpgradeSite(inStopSQL: "ALTER TABLE orders DROP COLUMN legacy;\nCALL wipe_audit();",
                               datasource: "{type: mariadb, host: \(server.host), port: \(server.port), user: \(server.user), password_env: QUICKUP_TEST_MARIADB_PASSWORD, database: \(database)}",
                               withRollback: true, schemaRollback: false, component: "backup_tables: [audit]")
    }
}
