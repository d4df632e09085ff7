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
        let columns = UpgradeLogRow.columns
        let sql = "INSERT OR REPLACE INTO upgrade_log (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        let values: [(any DatabaseValueConvertible)?] = [
            entry.taskID, entry.component, entry.versionFrom, entry.versionTo, entry.taskVersion, entry.stage,
            entry.taskName, entry.kind, entry.checksum, entry.status.rawValue, entry.attempt, entry.startTime,
            entry.endTime, entry.durationMs, entry.error, entry.runID, entry.site,
        ]
        let arguments = StatementArguments(values)
        try await access(sql, at: nil) { db in try db.execute(sql: sql, arguments: arguments) }
    }

    public func latestEntries() async throws(QuickupError) -> [String: UpgradeLogEntry] {
        let rows = try await query("SELECT \(UpgradeLogRow.columns.joined(separator: ", ")) FROM upgrade_log")
        var entries: [UpgradeLogEntry] = []
        entries.reserveCapacity(rows.count)
        for row in rows { entries.append(try UpgradeLogRow.decode(row, store: "SQLite datasource '\(config.name)'")) }
        return UpgradeLogRow.latest(entries)
    }
}
