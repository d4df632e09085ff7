import QuickupTestSupport
import QuickupCore
import QuickupData
import Testing

/// The `upgrade_log` table on the real server (E2).
@Suite(.enabled(if: TestServers.mariaDBEnabled, "needs the MariaDB test server (scripts/services.sh)"))
struct MariaDBUpgradeLogTests {
    private func entry(_ task: String, attempt: Int = 1, status: UpgradeLogStatus, start: Int64,
                       run: String = "run-1", error: String? = nil) -> UpgradeLogEntry {
        UpgradeLogEntry(
            taskID: task, component: "orders", versionFrom: "2.0.0", versionTo: "3.0.0", taskVersion: "3.0.0",
            stage: "upgrade", taskName: "alter_orders.sql", kind: "sql", checksum: "sha256:ab12",
            status: status, attempt: attempt, startTime: start,
            endTime: status == .running ? nil : start + 1_500, durationMs: status == .running ? nil : 1_500,
            error: error, runID: run, site: status == .running ? nil : "SITE-A")
    }

    @Test func createRecordAndReadTheLatest() async throws {
        try await withScratchDatabase { connection, _ in
            try await connection.ensureUpgradeLog()
            try await connection.ensureUpgradeLog()  // idempotent
            #expect(try await connection.latestEntries().isEmpty)

            let a = "orders/3.0.0/sql.alter_orders"
            let b = "orders/3.0.0/sql.load_data"
            // A starts and succeeds: one row, updated in place.
            try await connection.record(entry(a, status: .running, start: 1_700_000_000_000))
            let done = entry(a, status: .success, start: 1_700_000_000_000)
            try await connection.record(done)
            // B fails once — with an error full of quotes, backslashes and non-ASCII text — then
            // runs again.
            let message = "V3.sql:4: error 1064 near 'it''s \\\" \\\\ x' — ünïcode 😀\nsecond line"
            let failed = entry(b, status: .failed, start: 1_700_000_001_000, error: message)
            try await connection.record(failed)
            let retry = entry(b, attempt: 2, status: .running, start: 1_700_000_002_000)
            try await connection.record(retry)
            // An older run of A recorded late must not hide the newer one.
            try await connection.record(entry(a, status: .failed, start: 1_600_000_000_000, run: "run-0"))

            let latest = try await connection.latestEntries()
            #expect(latest.count == 2)
            #expect(latest[a] == done)
            #expect(latest[b] == retry, "attempt 2 is the latest; nil end/duration/site round-trip")
            #expect(try await connection.scalar("SELECT COUNT(*) FROM upgrade_log") == "4", "upserts, not duplicates")
            let stored = try await connection.scalar(
                "SELECT error FROM upgrade_log WHERE task_id = '\(b)' AND attempt = 1")
            #expect(stored == message, "stored exactly as given")
        }
    }

    @Test func tableHasTheSpecColumnsAndKeys() async throws {
        try await withScratchDatabase { connection, _ in
            try await connection.ensureUpgradeLog()
            let columns = try await connection.query("""
                SELECT COLUMN_NAME FROM information_schema.COLUMNS \
                WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'upgrade_log'
                """).compactMap { $0.first ?? nil }
            let required = ["task_id", "component", "version_from", "version_to", "task_version", "stage", "task_name",
                            "kind", "checksum", "status", "attempt", "start_time", "end_time", "duration_ms", "error",
                            "run_id", "site"]
            #expect(Set(required).isSubset(of: Set(columns)), "\(columns)")
            let unique = try await connection.query("""
                SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
                AND TABLE_NAME = 'upgrade_log' AND INDEX_NAME = 'upgrade_log_attempt' ORDER BY SEQ_IN_INDEX
                """)
            #expect(unique == [["task_id"], ["run_id"], ["attempt"]])
        }
    }

    @Test func unknownStatusIsReportedNotGuessed() async throws {
        try await withScratchDatabase { connection, _ in
            try await connection.ensureUpgradeLog()
            try await connection.exec("""
                INSERT INTO upgrade_log (task_id, component, version_from, version_to, task_version, stage, task_name,
                  kind, status, attempt, start_time, run_id) VALUES ('t', 'c', '1', '2', '2', 'upgrade', 'n', 'sql',
                  'PAUSED', 1, 0, 'r')
                """)
            let error = await quickupError { _ = try await connection.latestEntries() }
            #expect(error?.description.contains("'PAUSED'") == true, "\(String(describing: error))")
        }
    }
}
