import CMariaDB
import QuickupCore

/// The `upgrade_log` table on MariaDB/MySQL (SPEC E2), in the datasource's database.
///
/// Every statement names the table with that database (`` `db`.upgrade_log ``): a script's
/// `USE other_db` changes the session's default database, and the bookkeeping must not follow it
/// (issue 13 item 4). MariaDBConnection also switches back after each script.
///
/// Times are BIGINT milliseconds since 1970-01-01 UTC, as in UpgradeLogEntry: exact, free of the
/// session time zone, and directly comparable. A person reads them with
/// `FROM_UNIXTIME(start_time / 1000)`.
///
/// One row per (task_id, run_id, attempt): `record` inserts it when the attempt starts and
/// updates it as it ends. The table is utf8mb4_bin so that ids compare exactly, as in Swift.
extension MariaDBConnection: ChainingUpgradeLogStore {
    static let upgradeLogName = "upgrade_log"

    /// `` `db`.upgrade_log ``, or the bare name for a datasource without a database.
    var upgradeLogTable: String { Self.upgradeLogTable(in: config.database) }

    static func upgradeLogTable(in database: String?) -> String {
        guard let database, !database.isEmpty else { return upgradeLogName }
        return "\(MariaDBClient.identifier(database)).\(upgradeLogName)"
    }

    public func ensureUpgradeLog() async throws(QuickupError) {
        // Key lengths: (255 + 64) × 4 bytes + 4 stays under InnoDB's 3072-byte index limit.
        _ = try await run("""
            CREATE TABLE IF NOT EXISTS \(upgradeLogTable) (
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
        try await record([entry])
    }

    /// One multi-row INSERT … ON DUPLICATE KEY UPDATE: one round trip and, under autocommit, one
    /// InnoDB transaction, so the rows are written all together or not at all (rows of different
    /// attempts never share a key, and rows of one statement are applied in order).
    public func record(_ entries: [UpgradeLogEntry]) async throws(QuickupError) {
        guard !entries.isEmpty else { return }
        _ = try await run(Self.recordSQL(entries, table: upgradeLogTable), location: nil, keepRows: false)
    }

    /// All in one trip to the connection's queue, and to the server in as few packets as
    /// MariaDBPacket allows: the RUNNING rows with the statements (and START TRANSACTION), the
    /// SUCCESS row of a transactional task with its COMMIT. For a task of a few statements each
    /// hand-over and each round trip costs about as much as the statements themselves.
    public func runAttempt(_ statements: [SQLStatement], recording running: [UpgradeLogEntry],
                           mirror: @escaping @Sendable () throws(QuickupError) -> Void,
                           recorded: @escaping @Sendable () -> Void, transactional: Bool,
                           success: @escaping @Sendable () -> UpgradeLogEntry,
                           meanwhile: (@Sendable () -> Void)?) async throws(QuickupError) {
        try await runAttempt(statements, recording: running, mirror: mirror, recorded: recorded, transactional: transactional,
                             success: success, meanwhile: meanwhile, following: nil, arriving: nil)
    }

    /// As above; the next attempt offered on `following` goes to the server as soon as this one
    /// succeeded (ChainedAttempt), and an `arriving` attempt that went so is read, not sent.
    public func runAttempt(_ statements: [SQLStatement], recording running: [UpgradeLogEntry],
                           mirror: @escaping @Sendable () throws(QuickupError) -> Void,
                           recorded: @escaping @Sendable () -> Void, transactional: Bool,
                           success: @escaping @Sendable () -> UpgradeLogEntry,
                           meanwhile: (@Sendable () -> Void)?, following: AttemptChain?,
                           arriving: ChainedAttempt?) async throws(QuickupError) {
        let table = upgradeLogTable
        var (work, begin) = Self.attemptWork(statements, rows: running, table: table, transactional: transactional, success: success,
                                             recorded: recorded)
        work.insert(MariaDBWork(sql: "(journal)", local: mirror), at: 0)
        if running.isEmpty { recorded() }
        let sendNext = following.map { chain in
            { @Sendable (mysql: UnsafeMutablePointer<MYSQL>) -> SentAhead? in
                guard let next = chain.take() else { return nil }
                return Self.sendAhead(mysql, next, finished: success(), table: table)
            }
        }
        _ = try await run(work, keepRows: false, rollbackFrom: transactional ? begin + 1 : nil, meanwhile: meanwhile,
                          arriving: arriving, sendNext: sendNext)
    }

    /// An attempt's statements to the server, without the journal's step: its rows (if any),
    /// START TRANSACTION, the statements, the SUCCESS row and COMMIT (without `success`, the list
    /// ends before them: enough for the first packet). `begin`: the index of START TRANSACTION.
    /// The same list whether the attempt is sent now or ahead (`sendAhead`), so both group it into
    /// the same packets.
    static func attemptWork(_ statements: [SQLStatement], rows running: [UpgradeLogEntry], table: String, transactional: Bool,
                            success: (@Sendable () -> UpgradeLogEntry)?,
                            recorded: (@Sendable () -> Void)?) -> (work: [MariaDBWork], begin: Int) {
        var work: [MariaDBWork] = []
        work.reserveCapacity(statements.count + 4)
        if !running.isEmpty { work.append(MariaDBWork(sql: Self.recordSQL(running, table: table), completed: recorded)) }
        let begin = work.count
        if transactional { work.append(MariaDBWork(sql: "START TRANSACTION")) }
        for statement in statements { work.append(MariaDBWork(sql: statement.text, location: statement.location)) }
        if transactional, let success {
            work.append(MariaDBWork(sql: "INSERT INTO \(table) … (SUCCESS row)", build: { Self.recordSQL([success()], table: table) }))
            work.append(MariaDBWork(sql: "COMMIT"))
        }
        return (work, begin)
    }

    /// The statement `record` sends.
    /// Written into one string as it goes: it is built for every task, on the run's critical path
    /// between one result and the next packet (issue 20.3).
    static func recordSQL(_ entries: [UpgradeLogEntry], table: String) -> String {
        var sql = "INSERT INTO "
        sql.reserveCapacity(table.utf8.count + columnList.utf8.count + upsertClause.utf8.count + 400 * entries.count)
        sql += table
        sql += columnList
        for (index, entry) in entries.enumerated() {
            sql += index == 0 ? "(" : ", ("
            for text in [entry.taskID, entry.component, entry.versionFrom, entry.versionTo, entry.taskVersion, entry.stage,
                         entry.taskName, entry.kind, entry.checksum, entry.status.rawValue] {
                MariaDBClient.appendLiteral(text, to: &sql)
                sql += ", "
            }
            for number in [Int64(entry.attempt), entry.startTime, entry.endTime, entry.durationMs] {
                sql += number.map { String($0) } ?? "NULL"
                sql += ", "
            }
            MariaDBClient.appendLiteral(entry.error, to: &sql)
            sql += ", "
            MariaDBClient.appendLiteral(entry.runID, to: &sql)
            sql += ", "
            MariaDBClient.appendLiteral(entry.site, to: &sql)
            sql += ")"
        }
        sql += " "
        sql += upsertClause
        return sql
    }

    /// ` (task_id, …) VALUES `.
    private static let columnList = " (\(UpgradeLogRow.columns.joined(separator: ", "))) VALUES "

    /// The key columns identify the row; every other column takes the new value.
    private static let upsertClause: String = {
        let key: Set = ["task_id", "run_id", "attempt"]
        let updates = UpgradeLogRow.columns.filter { !key.contains($0) }.map { "\($0) = VALUES(\($0))" }
        return "ON DUPLICATE KEY UPDATE \(updates.joined(separator: ", "))"
    }()

    /// The latest row per task (greatest start_time, then attempt). Reduced here rather than with
    /// a window function so that MySQL 5.7 works too; the table holds one row per task attempt,
    /// a few thousand rows for years of upgrades.
    public func latestEntries() async throws(QuickupError) -> [String: UpgradeLogEntry] {
        let rows = try await query("""
            SELECT \(UpgradeLogRow.columns.joined(separator: ", ")) FROM \(upgradeLogTable) ORDER BY id
            """)
        var entries: [UpgradeLogEntry] = []
        entries.reserveCapacity(rows.count)
        for row in rows { entries.append(try UpgradeLogRow.decode(row, store: "MariaDB datasource '\(config.name)'")) }
        return UpgradeLogRow.latest(entries)
    }
}
