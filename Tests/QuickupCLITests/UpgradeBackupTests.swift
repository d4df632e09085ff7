import Foundation
import QuickupTestSupport
import Testing

/// The whole upgrade's backup step takes the real backups of `quickup run` (F3, F4, F5; issues 15
/// and 16): on two `local` hosts with the real MariaDB of scripts/services.sh, an in_stop script
/// without a `.rollback` drops a column and changes a table only `backup_tables` names (through
/// a procedure no script reader sees into). The backups are taken in the backup step, before any
/// task; a resume after a kill -9 past them takes none again; `quickup rollback` restores both
/// tables from them, to the checksums they had before the upgrade.
@Suite(.serialized, .enabled(if: TestServers.mariaDBEnabled, TestServers.mariaDBSkipComment))
struct UpgradeBackupTests {
    @Test("backup step: tables backed up before any task, not again after kill -9 and resume; rollback restores their checksums (F3, F4)")
    func backupResumeRollback() async throws {
        let server = try TestServers.requireMariaDB()
        let database = "qu_wire15_\(UInt32.random(in: 0...UInt32.max))"
        _ = try Self.mariadb("CREATE DATABASE \(database)")
        defer { _ = try? Self.mariadb("DROP DATABASE \(database)") }
        _ = try Self.mariadb("""
            CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(40), legacy INT);
            INSERT INTO orders SELECT seq, CONCAT('order ', seq), seq * 7 FROM seq_1_to_500;
            CREATE TABLE audit (id INT PRIMARY KEY, what VARCHAR(40));
            INSERT INTO audit SELECT seq, 'kept' FROM seq_1_to_50;
            CREATE PROCEDURE wipe_audit() UPDATE audit SET what = 'rewritten';
            """, database: database)
        let before = try ["orders", "audit"].map { try Self.checksum($0, database) }
        let site = try UpgradeSite(inStopSQL: "ALTER TABLE orders DROP COLUMN legacy;\nCALL wipe_audit();",
                                   datasource: "{type: mariadb, host: \(server.host), port: \(server.port), user: \(server.user), password_env: QUICKUP_TEST_MARIADB_PASSWORD, database: \(database)}",
                                   withRollback: true, schemaRollback: false, component: "backup_tables: [audit]")
        defer { site.remove() }

        // Killed once the backup step has acted, before it is recorded done: the step is redone on resume.
        let killed = try await site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0", "--yes", "--mode", "stop-the-world"],
                                            environment: ["QUICKUP_CRASH_AT": "backup@end"])
        #expect(killed.status == 9, "\(killed.stdout)\n\(killed.stderr)")
        let id = try #require(UpgradeSite.runID(killed.stdout))
        let taken = try Self.backups(site)
        #expect(Set(taken.map(\.object)) == ["orders", "audit"], "the backup step backs up the scripts' tables and backup_tables: \(taken)")
        #expect(taken.allSatisfy { $0.run == id && $0.status == "done" }, "\(taken)")
        #expect(try Self.checksum("orders", database) == before[0], "nothing changed before the backups")

        let resumed = try await site.upgrade(["--resume", id, "--yes"])
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(try Self.backups(site) == taken, "a resume past the backups takes none again, nor do the stage runs")
        let upgraded = try ["orders", "audit"].map { try Self.checksum($0, database) }
        #expect(upgraded[0] != before[0] && upgraded[1] != before[1], "the upgrade changed both tables")

        let back = try CLI.run(["rollback", id, "--release", site.release, "--env", site.env, "--state", site.state])
        #expect(back.status == 0, "\(back.stdout)\n\(back.stderr)")
        #expect(try Self.checksum("orders", database) == before[0], "orders restored from its backup: \(back.stdout)")
        #expect(try Self.checksum("audit", database) == before[1], "audit (backup_tables) restored from its backup")
        #expect(site.current("a") == "releases/V1.0.0" && site.version(site.port) == "V1.0.0")
    }

    struct Backup: Equatable {
        var run: String
        var object: String
        var status: String
    }

    /// The journal's `backup` rows, as the rollback reads them.
    static func backups(_ site: UpgradeSite) throws -> [Backup] {
        let r = try CLI.run(["-c", "import sqlite3,sys\nfor row in sqlite3.connect(sys.argv[1]).execute('select run_id, object, status from backup order by rowid'): print('|'.join(row))",
                             "\(site.state)/journal.sqlite"], program: URL(fileURLWithPath: "/usr/bin/python3"))
        return r.stdout.split(separator: "\n").map { line in
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            return Backup(run: parts[0], object: parts.count > 1 ? parts[1] : "", status: parts.count > 2 ? parts[2] : "")
        }
    }

    static func checksum(_ table: String, _ database: String) throws -> String {
        try mariadb("CHECKSUM TABLE \(table)", database: database)
    }

    static func mariadb(_ sql: String, database: String? = nil) throws -> String {
        let server = try TestServers.requireMariaDB()
        let r = try CLI.run(["--defaults-file=\(server.defaultsFile ?? "")", "-N", "-B"] + (database.map { [$0] } ?? []) + ["-e", sql],
                            program: URL(fileURLWithPath: "/usr/bin/mariadb"))
        guard r.status == 0 else { throw TestServers.Missing(description: "mariadb: \(r.stderr)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
