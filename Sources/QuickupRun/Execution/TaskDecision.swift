import QuickupCore

/// What the executor does with a planned task given what the record says (E3, E4, M7).
public enum TaskDecision: Sendable, Equatable {
    case run
    /// Already applied: reported `[SKIPPED] … (already succeeded at …)`.
    case skip(succeededAt: Int64, runID: String)
    /// Found RUNNING with no live run (crash, kill -9): re-run it, saying why.
    case rerunInterrupted(reason: String)
    /// The run must stop; the error says what the operator can do.
    case stop(QuickupError)
}

/// The last thing the record (upgrade_log, or the journal for non-SQL tasks) says about a task.
public struct TaskRecordState: Sendable, Equatable {
    public var status: String
    public var checksum: String?
    public var runID: String
    public var startedAt: Int64
    public var endedAt: Int64?

    public init(status: String, checksum: String?, runID: String, startedAt: Int64, endedAt: Int64?) {
        self.status = status
        self.checksum = checksum
        self.runID = runID
        self.startedAt = startedAt
        self.endedAt = endedAt
    }
}

public enum TaskDecider {
    /// - Parameters:
    ///   - transactional: whether the task runs in one transaction (so an interruption rolled it back).
    ///   - name: how the operator names this task on the command line: its uid, or its
    ///     `component/uid` when another task of the plan has the same uid.
    ///   - confirmed: the operator named this task in `--confirm-rerun`.
    ///   - acceptChanged: the operator named this task in `--accept-changed`.
    ///   - resume: the command that continues the run, as typed; the hints append their flag to it.
    ///     Built only when a hint needs it: quoting it for the shell cost more than the rest of
    ///     the decision, on every task of a run (E12).
    public static func decide(task: UpgradeTask, latest: TaskRecordState?, transactional: Bool, name: String? = nil,
                              confirmed: Bool, acceptChanged: Bool,
                              resume: @autoclosure () -> String = "quickup resume RUN") -> TaskDecision {
        guard let latest else { return .run }
        switch latest.status {
        case "SUCCESS":
            if let recorded = latest.checksum, let current = task.checksum, recorded != current, !acceptChanged {
                return .stop(QuickupError(
                    .checksumChanged,
                    "\(task.key) was applied in run \(latest.runID) but its file has changed since (checksum \(recorded.prefix(12))… → \(current.prefix(12))…)",
                    at: task.location,
                    hint: "restore the original file and run `\(resume())`, or, after checking the change is harmless, `\(resume()) --accept-changed \(task.uid)`"))
            }
            return .skip(succeededAt: latest.endedAt ?? latest.startedAt, runID: latest.runID)
        case "RUNNING":
            if transactional {
                return .rerunInterrupted(reason: "interrupted in run \(latest.runID); it is transactional, so it was rolled back and runs again")
            }
            if task.retryable == true {
                return .rerunInterrupted(reason: "interrupted in run \(latest.runID); it is declared retryable, so it runs again")
            }
            if task.kind == .config, task.retryable != false {
                // K1: a config task computes its file from the original kept on its first run,
                // so running it again yields the same file.
                return .rerunInterrupted(reason: "interrupted in run \(latest.runID); a config change is idempotent, so it runs again")
            }
            if confirmed {
                return .rerunInterrupted(reason: "interrupted in run \(latest.runID); re-run confirmed by the operator")
            }
            return .stop(QuickupError(
                .needsConfirmation,
                "\(task.key) was interrupted in run \(latest.runID) and is neither transactional nor retryable: it may have half-applied",
                at: task.location,
                hint: "check the datasource, then `\(resume()) --confirm-rerun \(name ?? task.uid)` runs it again"))
        default:
            return .run
        }
    }
}

extension Plan {
    /// How to name `task` to `--confirm-rerun` and `--accept-changed`: its uid, or its full key
    /// when another task of the plan has the same uid (a bare uid would name both; issue 13 item 8).
    public func unambiguousName(of task: UpgradeTask) -> String {
        tasks.contains { $0.task.uid == task.uid && $0.task.key != task.key } ? task.key : task.uid
    }
}
