import QuickupCore

/// The columns of `upgrade_log` (SPEC E2) and the conversion of a row, read as text, back into an
/// entry — shared by the drivers that keep the table.
enum UpgradeLogRow {
    static let columns = ["task_id", "component", "version_from", "version_to", "task_version", "stage",
                          "task_name", "kind", "checksum", "status", "attempt", "start_time", "end_time",
                          "duration_ms", "error", "run_id", "site"]

    /// Reads a row in `columns` order. Absent values may be NULL, or (where a store avoids
    /// Nullable columns) an empty string or a negative number.
    static func decode(_ row: [String?], store: String) throws(QuickupError) -> UpgradeLogEntry {
        guard row.count == columns.count else {
            throw QuickupError(.datasourceProtocol, "\(store): upgrade_log row has \(row.count) columns, expected \(columns.count)")
        }
        func text(_ i: Int) -> String { row[i] ?? "" }
        func optionalText(_ i: Int) -> String? { row[i].flatMap { $0.isEmpty ? nil : $0 } }
        func number(_ i: Int) throws(QuickupError) -> Int64 {
            guard let value = row[i].flatMap({ Int64($0) }) else {
                throw QuickupError(.datasourceProtocol, "\(store): upgrade_log.\(columns[i]) is '\(row[i] ?? "NULL")', not a number",
                                   hint: "the table was changed by hand; repair the row of task '\(text(0))'")
            }
            return value
        }
        func optionalNumber(_ i: Int) -> Int64? { row[i].flatMap { Int64($0) }.flatMap { $0 < 0 ? nil : $0 } }
        guard let status = UpgradeLogStatus(rawValue: text(9)) else {
            throw QuickupError(.datasourceProtocol, "\(store): upgrade_log has unknown status '\(text(9))' for task '\(text(0))'",
                               hint: "statuses are \(UpgradeLogStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return UpgradeLogEntry(
            taskID: text(0), component: text(1), versionFrom: text(2), versionTo: text(3), taskVersion: text(4),
            stage: text(5), taskName: text(6), kind: text(7), checksum: optionalText(8), status: status,
            attempt: Int(try number(10)), startTime: try number(11), endTime: optionalNumber(12),
            durationMs: optionalNumber(13), error: optionalText(14), runID: text(15), site: optionalText(16))
    }

    /// The latest entry per task id: greatest start time, then greatest attempt (UpgradeLogStore).
    static func latest(_ entries: [UpgradeLogEntry]) -> [String: UpgradeLogEntry] {
        var latest: [String: UpgradeLogEntry] = [:]
        for entry in entries {
            if let current = latest[entry.taskID],
               (current.startTime, current.attempt) >= (entry.startTime, entry.attempt) { continue }
            latest[entry.taskID] = entry
        }
        return latest
    }
}
