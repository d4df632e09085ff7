import QuickupCore

/// `upgrade_log` on ClickHouse (SPEC E2): a `ReplacingMergeTree` keyed by (task_id, run_id, attempt).
///
/// ClickHouse cannot update a row in place, so every state change inserts a new row with a larger
/// `row_version`; merges keep the last one and reads use `FINAL` to see that result before the
/// merge. The table uses only plain types that 18.16 and current servers both accept in a
/// MergeTree: absent values are `''` for text and `-1` for end time and duration, never Nullable
/// (which older servers refuse in the sorting key and current ones disallow there by default).
extension ClickHouseConnection: UpgradeLogStore {
    static let upgradeLogDDL = """
        CREATE TABLE IF NOT EXISTS upgrade_log (
            task_id String, run_id String, attempt UInt32,
            component String, version_from String, version_to String, task_version String,
            stage String, task_name String, kind String, checksum String, status String,
            start_time Int64, end_time Int64, duration_ms Int64, error String, site String,
            row_version UInt64
        ) ENGINE = ReplacingMergeTree(row_version) ORDER BY (task_id, run_id, attempt)
        """

    public func ensureUpgradeLog() async throws(QuickupError) {
        try await execute(SQLStatement(text: Self.upgradeLogDDL, line: 1, file: "<upgrade_log>"))
    }

    public func record(_ entry: UpgradeLogEntry) async throws(QuickupError) {
        let q = ClickHouseSQL.quote
        let values: [String] = [
            q(entry.taskID), q(entry.component), q(entry.versionFrom), q(entry.versionTo), q(entry.taskVersion),
            q(entry.stage), q(entry.taskName), q(entry.kind), q(entry.checksum ?? ""), q(entry.status.rawValue),
            "\(max(0, entry.attempt))", "\(entry.startTime)", "\(entry.endTime ?? -1)", "\(entry.durationMs ?? -1)",
            q(entry.error ?? ""), q(entry.runID), q(entry.site ?? ""), "\(nextRowVersion())",
        ]
        let columns = (UpgradeLogRow.columns + ["row_version"]).joined(separator: ", ")
        try await execute(SQLStatement(text: "INSERT INTO upgrade_log (\(columns)) VALUES (\(values.joined(separator: ", ")))",
                                       line: 1, file: "<upgrade_log>"))
    }

    public func latestEntries() async throws(QuickupError) -> [String: UpgradeLogEntry] {
        let rows = try await query("SELECT \(UpgradeLogRow.columns.joined(separator: ", ")) FROM upgrade_log FINAL")
        var entries: [UpgradeLogEntry] = []
        entries.reserveCapacity(rows.count)
        for row in rows { entries.append(try UpgradeLogRow.decode(row, store: "ClickHouse datasource '\(config.name)'")) }
        return UpgradeLogRow.latest(entries)
    }
}
