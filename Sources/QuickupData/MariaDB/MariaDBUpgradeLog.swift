import QuickupCore

/// The `upgrade_log` table on MariaDB/MySQL (SPEC E2), in the connection's database.
///
/// Times are BIGINT milliseconds since 1970-01-01 UTC, as in UpgradeLogEntry: exact, free of the
/// session time zone, and directly comparable. A person reads them with
/// `FROM_UNIXTIME(start_time / 1000)`.
///
/// One row per (task_id, run_id, attempt): `record` inserts it when the attempt starts and
/// updates it as it ends. The table is utf8mb4_bin so that ids compare exactly, as in Swift.
extension MariaDBConnection: UpgradeLogStore {
    static let upgradeLogTable = "upgrade_log"

    /// Plain columns, in the order `latestEntries` reads them.
    static let upgradeLogColumns = [
        "task_id", "component", "version_from", "version_to", "task_version", "stage", "task_name", "kind",
        "checksum", "status", "attempt", "start_time", "end_time", "duration_ms", "error", "run_id", "site",
    ]

    public func ensureUpgradeLog() async throws(QuickupError) {
        // Key lengths: (255 + 64) × 4 bytes + 4 stays under InnoDB's 3072-byte index limit.
        _ = try await run("""
            CREATE TABLE IF NOT EXISTS \(Self.upgradeLogTable) (
              id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
              task_id VARCHAR(255) NOT NULL,
              component VARCHAR(128) NOT NULL,
              version_from VARCHAR(64) NOT NULL,
              version_to VARCHAR(64) NOT NULL,
              task_version VARCHAR(64) NOT NULL,
              stage VARCHAR(32) NOT NULL,
              task_name VARCHAR(255) NOT NULL,
              kind VARCHAR(32) NOT NULL,
              checksum VARCHAR(128) NULL,
              status VARCHAR(16) NOT NULL COMMENT 'RUNNING, SUCCESS, FAILED, SKIPPED, ROLLED_BACK',
              attempt INT NOT NULL,
              start_time BIGINT NOT NULL COMMENT 'ms since 1970-01-01 UTC',
              end_time BIGINT NULL COMMENT 'ms since 1970-01-01 UTC',
              duration_ms BIGINT NULL,
              error TEXT NULL,
              run_id VARCHAR(64) NOT NULL,
              site VARCHAR(128) NULL,
              PRIMARY KEY (id),
              UNIQUE KEY upgrade_log_attempt (task_id, run_id, attempt),
              KEY upgrade_log_task_start (task_id, start_time)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='quickup task history (SPEC E2)'
            """, location: nil, keepRows: false)
    }

    public func record(_ entry: UpgradeLogEntry) async throws(QuickupError) {
        let values: [String] = [
            MariaDBClient.literal(entry.taskID), MariaDBClient.literal(entry.component),
            MariaDBClient.literal(entry.versionFrom), MariaDBClient.literal(entry.versionTo),
            MariaDBClient.literal(entry.taskVersion), MariaDBClient.literal(entry.stage),
            MariaDBClient.literal(entry.taskName), MariaDBClient.literal(entry.kind),
            MariaDBClient.literal(entry.checksum), MariaDBClient.literal(entry.status.rawValue),
            String(entry.attempt), String(entry.startTime), entry.endTime.map { String($0) } ?? "NULL",
            entry.durationMs.map { String($0) } ?? "NULL", MariaDBClient.literal(entry.error),
            MariaDBClient.literal(entry.runID), MariaDBClient.literal(entry.site),
        ]
        // The key columns identify the row; every other column takes the new value.
        let key: Set = ["task_id", "run_id", "attempt"]
        let updates = Self.upgradeLogColumns.filter { !key.contains($0) }.map { "\($0) = VALUES(\($0))" }
        _ = try await run("""
            INSERT INTO \(Self.upgradeLogTable) (\(Self.upgradeLogColumns.joined(separator: ", "))) \
            VALUES (\(values.joined(separator: ", "))) \
            ON DUPLICATE KEY UPDATE \(updates.joined(separator: ", "))
            """, location: nil, keepRows: false)
    }

    /// The latest row per task: greatest start_time, then attempt, then id (insertion order).
    /// Reduced here rather than with a window function so that MySQL 5.7 works too; the table
    /// holds one row per task attempt, a few thousand rows for years of upgrades.
    public func latestEntries() async throws(QuickupError) -> [String: UpgradeLogEntry] {
        let rows = try await query("""
            SELECT \(Self.upgradeLogColumns.joined(separator: ", ")) FROM \(Self.upgradeLogTable) \
            ORDER BY task_id, start_time, attempt, id
            """)
        var latest: [String: UpgradeLogEntry] = [:]
        for row in rows {
            let entry = try Self.entry(from: row)
            latest[entry.taskID] = entry
        }
        return latest
    }

    private static func entry(from row: [String?]) throws(QuickupError) -> UpgradeLogEntry {
        func text(_ index: Int) -> String { row[index] ?? "" }
        func number(_ index: Int) -> Int64? { row[index].flatMap { Int64($0) } }
        guard row.count == upgradeLogColumns.count else {
            throw QuickupError(.sqlError, "upgrade_log returned \(row.count) columns, expected \(upgradeLogColumns.count)")
        }
        guard let status = UpgradeLogStatus(rawValue: text(9)) else {
            throw QuickupError(.sqlError, "upgrade_log has an unknown status '\(text(9))' for task \(text(0))",
                               hint: "statuses are \(UpgradeLogStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return UpgradeLogEntry(
            taskID: text(0), component: text(1), versionFrom: text(2), versionTo: text(3), taskVersion: text(4),
            stage: text(5), taskName: text(6), kind: text(7), checksum: row[8], status: status,
            attempt: Int(number(10) ?? 0), startTime: number(11) ?? 0, endTime: number(12), durationMs: number(13),
            error: row[14], runID: text(15), site: row[16])
    }
}
