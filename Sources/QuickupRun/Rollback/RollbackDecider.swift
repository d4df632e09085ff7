import QuickupCore
import QuickupData

/// What `quickup rollback` does with one SQL task of the plan (F4), given the task's latest
/// upgrade_log row — the authority on what was applied (E2).
enum RollbackDecision: Sendable, Equatable {
    /// Not applied by the runs being rolled back (never ran, failed cleanly, or another run's).
    case untouched
    /// Rolled back already (a rollback that is resumed skips it).
    case alreadyRolledBack(at: Int64, by: String)
    /// Run its `.rollback` script.
    case undo(reason: String)
    /// The operator undid it by hand (`--undone-by-hand`): only recorded.
    case recordUndoneByHand
    /// Stop: the error says what the operator can do.
    case stop(QuickupError)
}

/// The upgrade_log `kind` of rows written by a rollback, so a resumed rollback and later runs can
/// tell them from the task's own attempts.
let rollbackKind = "rollback"

enum RollbackDecider {
    /// - Parameters:
    ///   - runs: the run being rolled back and every run that resumed it.
    ///   - forwardTransactional: whether the task itself ran in one transaction (a failed attempt
    ///     then left nothing behind).
    ///   - undoTransactional: whether its rollback script can run in one transaction.
    static func decide(_ task: UpgradeTask, latest: UpgradeLogEntry?, runs: Set<String>, forwardTransactional: Bool,
                       undoTransactional: Bool, undoneByHand: Bool, confirmed: Bool,
                       again: String = "quickup rollback") -> RollbackDecision {
        guard let latest else { return .untouched }
        if latest.kind == rollbackKind {
            switch latest.status {
            case .rolledBack:
                return .alreadyRolledBack(at: latest.endTime ?? latest.startTime, by: latest.runID)
            case .running where !undoTransactional && !confirmed && !undoneByHand:
                return .stop(QuickupError(
                    .needsConfirmation,
                    "the rollback of \(task.key) was interrupted in \(latest.runID) and its script is not transactional: it may have half-run",
                    at: task.location(of: "rollback"),
                    hint: "check the datasource, then `\(again) --confirm-rerun \(task.uid)` runs the script again, or `\(again) --undone-by-hand \(task.uid)` records that you finished it by hand"))
            default:
                return undoneByHand ? .recordUndoneByHand : .undo(reason: "its rollback did not finish in \(latest.runID)")
            }
        }
        guard runs.contains(latest.runID) else { return .untouched }
        switch latest.status {
        case .success:
            break
        case .failed where forwardTransactional:
            return .untouched
        case .running, .failed:
            if undoneByHand { return .recordUndoneByHand }
            if confirmed { break }
            return .stop(QuickupError(
                .needsConfirmation,
                "\(task.key) did not finish in run \(latest.runID) (\(latest.status.rawValue)) and is not transactional: it may be half-applied, and its rollback script expects it whole",
                at: task.location,
                hint: "check the datasource, then `\(again) --confirm-rerun \(task.uid)` runs its rollback script anyway, or `\(again) --undone-by-hand \(task.uid)` records that you undid it yourself"))
        default:
            return .untouched
        }
        if undoneByHand { return .recordUndoneByHand }
        guard task.rollback != nil else {
            return .stop(QuickupError(
                .needsConfirmation,
                "\(task.key) was applied in run \(latest.runID) but has no .rollback script: quickup cannot undo it",
                at: task.location,
                hint: "undo it by hand (or restore its tables from a backup), then `\(again) --undone-by-hand \(task.uid)`; tasks before it are rolled back after it, never before"))
        }
        return .undo(reason: "applied in run \(latest.runID)")
    }
}
