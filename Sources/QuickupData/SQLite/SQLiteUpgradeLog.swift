import GRDB
import QuickupCore

/// `upgrade_log` in a SQLite datasource (SPEC E2): one row per (task_id, run_id, attempt),
/// replaced on every state change of that attempt.
extension SQLiteConnection: UpgradeLogStore {
    static let upgradeLogDDL = """
        CREATE TABLE IF NOT EXISTS upgrade_log (
            task_id TEXT NOT NULL, component TEXT NOT NULL, version_from TEXT NOT NULL,
            version_to TEXT NOT NULL, task_version TEXT NOT NULL, stage TEXT NOT NULL,
            task_name TEXT NOT NULL, kind TEXT NOT NULL, checksum TEXT, status TEXT NOT NULL,
            attempt INTEGER NOT NULL, start_time INTEGER NOT NULL, end_time INTEGER,
            duration_ms INTEGER, error TEXT, run_id TEXT NOT NULL, site TEXT,
            PRIMARY KEY (task_id, run_id, attempt)
        )
        """

    public func ensureUpgradeLog() async throws(QuickupError) {
        try await execute(SQLStatement(text: Self.upgradeLogDDL, line: 1, file: "<upgrade_log>"))
    }

    public func record(_ entry: UpgradeLogEntry) async throws(QuickupError) {
        try await record([entry])
    }

    /// Several rows in one access and, outside a task's transaction, one transaction of their own:
    /// one commit (one fsync) for a finished task's SUCCESS and the next task's RUNNING.
    public func record(_ entries: [UpgradeLogEntry]) async throws(QuickupError) {
        guard !entries.isEmpty else { return }
        let columns = UpgradeLogRow.columns
        let sql = "INSERT OR REPLACE INTO upgrade_log (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        let rows = entries.map { entry in
            StatementArguments([
                entry.taskID, entry.component, entry.versionFrom, entry.versionTo, entry.taskVersion, entry.stage,
                entry.taskName, entry.kind, entry.checksum, entry.status.rawValue, entry.attempt, entry.startTime,
                entry.endTime, entry.durationMs, entry.error, entry.runID, entry.site,
            ] as [(any DatabaseValueConvertible)?])
        }
        try await access(sql, at: nil) { db in
            let insert = { for arguments in rows { try db.execute(sql: sql, arguments: arguments) } }
            if rows.count == 1 || db.isInsideTransaction { return try insert() }
            try db.inTransaction {
                try insert()
                return .commit
            }
        }
    }

    public func latestEntries() async throws(QuickupError) -> [String: UpgradeLogEntry] {
        let rows = try await query("SELECT \(UpgradeLogRow.columns.joined(separator: ", ")) FROM upgrade_log")
        var entries: [UpgradeLogEntry] = []
        entries.reserveCapacity(rows.count)
        for row in rows { entries.append(try UpgradeLogRow.decode(row, store: "SQLite datasource '\(config.name)'")) }
        return UpgradeLogRow.latest(entries)
    }
}
