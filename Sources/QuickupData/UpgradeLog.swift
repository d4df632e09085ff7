import QuickupCore

/// Status of a task in a datasource's `upgrade_log` (SPEC E2).
public enum UpgradeLogStatus: String, Sendable, Codable, CaseIterable {
    case running = "RUNNING"
    case success = "SUCCESS"
    case failed = "FAILED"
    case skipped = "SKIPPED"
    case rolledBack = "ROLLED_BACK"
}

/// One row of `upgrade_log`: which task ran there, when, how it ended (SPEC E2, source §5.2.5).
public struct UpgradeLogEntry: Sendable, Hashable, Codable {
    /// The task's stable key, `component/version/kind.uid` (UpgradeTask.key).
    public var taskID: String
    public var component: String
    public var versionFrom: String
    public var versionTo: String
    public var taskVersion: String
    public var stage: String
    public var taskName: String
    public var kind: String
    public var checksum: String?
    public var status: UpgradeLogStatus
    public var attempt: Int
    /// Milliseconds since 1970-01-01 UTC.
    public var startTime: Int64
    public var endTime: Int64?
    public var durationMs: Int64?
    public var error: String?
    public var runID: String
    public var site: String?

    public init(taskID: String, component: String, versionFrom: String, versionTo: String, taskVersion: String,
                stage: String, taskName: String, kind: String, checksum: String?, status: UpgradeLogStatus,
                attempt: Int, startTime: Int64, endTime: Int64? = nil, durationMs: Int64? = nil,
                error: String? = nil, runID: String, site: String?) {
        self.taskID = taskID
        self.component = component
        self.versionFrom = versionFrom
        self.versionTo = versionTo
        self.taskVersion = taskVersion
        self.stage = stage
        self.taskName = taskName
        self.kind = kind
        self.checksum = checksum
        self.status = status
        self.attempt = attempt
        self.startTime = startTime
        self.endTime = endTime
        self.durationMs = durationMs
        self.error = error
        self.runID = runID
        self.site = site
    }
}

/// The `upgrade_log` table of a SQL datasource: created if missing, appended to, read back.
/// Each driver writes it in its own dialect (a MergeTree-family table on ClickHouse).
public protocol UpgradeLogStore: Sendable {
    /// Creates the table when it does not exist; idempotent.
    func ensureUpgradeLog() async throws(QuickupError)
    /// Records a state change: inserts a row for (taskID, runID, attempt) or updates it.
    func record(_ entry: UpgradeLogEntry) async throws(QuickupError)
    /// Records several state changes in order, as `record` would one by one. Drivers write them in
    /// one round trip where they can (the run engine sends a finished task's SUCCESS together with
    /// the next task's RUNNING); a crash may keep a prefix of them, never a later one without an
    /// earlier one.
    func record(_ entries: [UpgradeLogEntry]) async throws(QuickupError)
    /// The latest row per task id (by start time, then attempt).
    func latestEntries() async throws(QuickupError) -> [String: UpgradeLogEntry]
    /// One attempt of a SQL task with its records (E2, E5), in as few trips to the datasource as
    /// the driver can make, always in this order: calls `mirror` (the journal's copy of the rows;
    /// if it throws, nothing more happens); writes `running` (as `record` does, committed on its
    /// own) and then calls `recorded`; runs `statements` — when `transactional`, in one
    /// transaction that also writes `success()` and is rolled back on failure. Errors name the
    /// failing statement's file:line. `meanwhile` is the caller's local work (nothing the
    /// datasource needs), called at most once after `mirror` — by a driver that can, while the
    /// datasource works on the first trip.
    func runAttempt(_ statements: [SQLStatement], recording running: [UpgradeLogEntry],
                    mirror: @escaping @Sendable () throws(QuickupError) -> Void,
                    recorded: @escaping @Sendable () -> Void, transactional: Bool,
                    success: @escaping @Sendable () -> UpgradeLogEntry,
                    meanwhile: (@Sendable () -> Void)?) async throws(QuickupError)
}

extension UpgradeLogStore {
    public func record(_ entries: [UpgradeLogEntry]) async throws(QuickupError) {
        for entry in entries { try await record(entry) }
    }

    /// `runAttempt` with no local work of the caller's.
    public func runAttempt(_ statements: [SQLStatement], recording running: [UpgradeLogEntry],
                           mirror: @escaping @Sendable () throws(QuickupError) -> Void,
                           recorded: @escaping @Sendable () -> Void, transactional: Bool,
                           success: @escaping @Sendable () -> UpgradeLogEntry) async throws(QuickupError) {
        try await runAttempt(statements, recording: running, mirror: mirror, recorded: recorded, transactional: transactional,
                             success: success, meanwhile: nil)
    }
}

extension UpgradeLogStore where Self: DatasourceConnection {
    /// Step by step, one call each.
    public func runAttempt(_ statements: [SQLStatement], recording running: [UpgradeLogEntry],
                           mirror: @escaping @Sendable () throws(QuickupError) -> Void,
                           recorded: @escaping @Sendable () -> Void, transactional: Bool,
                           success: @escaping @Sendable () -> UpgradeLogEntry,
                           meanwhile: (@Sendable () -> Void)?) async throws(QuickupError) {
        try mirror()
        meanwhile?()
        try await record(running)
        recorded()
        guard transactional else {
            try await run(statements)
            return
        }
        try await begin()
        do {
            try await run(statements)
            try await record(success())
            try await commit()
        } catch {
            // The statement's error matters more than a failed rollback on a dead connection.
            try? await rollback()
            throw error
        }
    }
}
