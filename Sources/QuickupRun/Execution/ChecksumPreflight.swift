import QuickupCore
import QuickupData

/// M7 before the first task runs (issue 13 item 5): every task of the plan that was applied
/// (SUCCESS in upgrade_log, or in the journal for tasks without one) is compared with its file
/// now. A changed file stops the run before anything ran — not halfway, after earlier tasks of
/// the outage stage already did — naming every changed task at once. A change the operator
/// accepted (`--accept-changed`) is recorded: the applied row takes the new checksum, so the next
/// run does not refuse again, and the journal keeps the old one in an event.
struct ChecksumPreflight<C: Clock>: Sendable where C.Duration == Duration {
    let runID: String
    let request: RunRequest
    let journal: Journal
    let context: RunContext<C>
    let connections: ConnectionSet

    func check() async throws(QuickupError) {
        let changes = try await changedTasks()
        let refused = changes.filter { !RunRequest.names($0.planned.task, in: request.acceptChanged) }
        if !refused.isEmpty {
            let error = ChecksumDrift.error(refused)
            for change in refused { try report(change, refusedBy: error) }
            throw error
        }
        for change in changes { try await accept(change) }
    }

    /// Every applied task of the plan whose checksum differs now.
    func changedTasks() async throws(QuickupError) -> [ChecksumDrift.Change] {
        let connections = self.connections
        let latest: ChecksumDrift.LatestLog = { (name: String, component: String) async throws(QuickupError) -> [String: UpgradeLogEntry]? in
            guard let store = try await connections.connection(name, for: component) as? any UpgradeLogStore else { return nil }
            return try await store.latestEntries()
        }
        return try await ChecksumDrift.changes(in: request.plan, journalState: try journal.latestAttempts(), latest: latest)
    }

    /// A refused task's own line in the report, its `task_end` in the detail log and the journal
    /// event `quickup status` lists it from (issue 14 item 4): no attempt row exists for it.
    private func report(_ change: ChecksumDrift.Change, refusedBy error: QuickupError) throws(QuickupError) {
        let task = change.planned.task
        let message = "\(task.key) was applied in run \(change.appliedIn); its file has changed since "
            + "(checksum \(change.recorded.prefix(12))… → \(change.current.prefix(12))…)"
        context.output.line("[REFUSED] \(task.component) \(task.version) \(task.qualifiedUID): \(message)")
        var detail = DetailRecord(run: runID, event: "task_end", at: context.now(), task: task, datasource: change.planned.datasource)
        var refusal = error
        refusal.message = message
        detail.setFailure(refusal, status: "REFUSED")
        context.output.record(detail)
        try journal.append(EventRecord(runID: runID, at: context.now(), level: "error", kind: EventRecord.taskRefused,
                                       taskKey: task.key, message: message))
    }

    /// The new checksum into the applied row (upgrade_log and the journal's copy).
    private func accept(_ change: ChecksumDrift.Change) async throws(QuickupError) {
        let task = change.planned.task
        if let log = change.log,
           let store = try await connections.connection(log.datasource, for: task.component) as? any UpgradeLogStore {
            var updated = log.entry
            updated.checksum = change.current
            try await store.record(updated)
        }
        if var attempt = change.journal {
            attempt.checksum = change.current
            try journal.record(attempt)
        }
        let message = "\(task.qualifiedUID): changed file accepted by the operator (--accept-changed); checksum "
            + "\(change.recorded.prefix(12))… → \(change.current.prefix(12))… recorded for run \(change.appliedIn)"
        try journal.append(EventRecord(runID: runID, at: context.now(), level: "warn", kind: "checksum_accepted", taskKey: task.key,
                                       message: message + " (was \(change.recorded))"))
        context.output.record(["run": runID, "level": "warn", "event": "checksum_accepted", "task": task.key, "message": message])
        context.output.line("[ACCEPTED] \(task.component) \(task.version) \(message)")
    }
}

/// M7's comparison of applied tasks with the release as it is now (issue 13 item 5).
public enum ChecksumDrift {
    /// A task whose file differs from what was applied.
    public struct Change: Sendable {
        public var planned: PlannedTask
        public var recorded: String
        public var current: String
        public var appliedIn: String
        var log: (datasource: String, entry: UpgradeLogEntry)?
        var journal: AttemptRecord?
    }

    /// The latest upgrade_log rows of a datasource, read with a connection of `component`; nil
    /// when the datasource keeps no upgrade_log (its tasks are judged by the journal).
    public typealias LatestLog = @Sendable (_ datasource: String, _ component: String) async throws(QuickupError) -> [String: UpgradeLogEntry]?

    /// The applied tasks of `plan` (SUCCESS in upgrade_log, else in the journal) whose file has a
    /// different checksum now. Shared by `run` (before the first task) and `assess`.
    public static func changes(in plan: Plan, journalState: [String: AttemptRecord],
                               latest: LatestLog) async throws(QuickupError) -> [Change] {
        var logs: [String: [String: UpgradeLogEntry]?] = [:]
        var changes: [Change] = []
        for planned in plan.tasks {
            let task = planned.task
            guard let current = task.checksum else { continue }
            var log: (datasource: String, entry: UpgradeLogEntry)?
            var hasStore = false
            if task.kind == .sql || task.kind == .redis, let name = planned.datasource {
                if logs[name] == nil { logs[name] = .some(try await latest(name, task.component)) }
                if let entries = logs[name] ?? nil {
                    hasStore = true
                    log = entries[task.key].map { (name, $0) }
                }
            }
            let fromJournal = journalState[task.key]
            let status = hasStore ? log?.entry.status.rawValue : fromJournal?.status
            let recorded = hasStore ? log?.entry.checksum : fromJournal?.checksum
            guard status == UpgradeLogStatus.success.rawValue, let recorded, recorded != current else { continue }
            changes.append(Change(planned: planned, recorded: recorded, current: current,
                                  appliedIn: (hasStore ? log?.entry.runID : fromJournal?.runID) ?? "?", log: log,
                                  journal: fromJournal?.status == UpgradeLogStatus.success.rawValue ? fromJournal : nil))
        }
        return changes
    }

    public static func error(_ changes: [Change]) -> QuickupError {
        let first = changes[0]
        let list = changes.map { change in
            "\(change.planned.task.key) (applied in run \(change.appliedIn); checksum \(change.recorded.prefix(12))… → \(change.current.prefix(12))…)"
        }
        let accept = changes.map { "--accept-changed \($0.planned.task.key)" }.joined(separator: " ")
        return QuickupError(
            .checksumChanged,
            (changes.count == 1 ? "an applied task's file has changed since: " : "\(changes.count) applied tasks' files have changed since: ")
                + list.joined(separator: ", ") + "; nothing was run",
            at: first.planned.task.location,
            hint: "restore the original files, or accept the changes with \(accept) after checking they are harmless")
    }
}
