import QuickupCore

/// A task that prevents a rolling upgrade or needs a person to confirm it (A3).
public struct FlaggedTask: Codable, Sendable, Hashable {
    public var key: String
    public var component: String
    public var version: String
    public var uid: String
    public var stage: Stage
    public var description: String
    /// `incompatible` or `needs_manual_confirmation`.
    public var compatibility: Compatibility
    public var compatibleVersion: String?
}

/// The planner's verdict in the report's words (A3): rolling upgrade or stop-the-world, and why.
public struct CompatibilitySummary: Codable, Sendable, Hashable {
    public var mode: UpgradeMode
    public var verdict: String
    public var tasks: [FlaggedTask]
}

/// Reads the compatibility the planner computed (it is not computed twice).
public enum CompatibilityAssessment {
    public static func assess(_ plan: Plan) -> (CompatibilitySummary, CheckResult) {
        let flagged = plan.incompatibleTasks.map { planned in
            FlaggedTask(key: planned.task.key, component: planned.task.component, version: planned.task.version.description,
                        uid: planned.task.qualifiedUID, stage: planned.task.stage, description: planned.task.description,
                        compatibility: planned.compatibility, compatibleVersion: planned.task.compatibleVersion?.description)
        }
        let unconfirmed = flagged.filter { $0.compatibility == .needsConfirmation }.count
        let verdict: String
        switch plan.mode {
        case .nothingToDo: verdict = "nothing to upgrade"
        case .rolling: verdict = "rolling upgrade possible: every task is compatible with \(plan.from)"
        case .stopTheWorld:
            verdict = "stop-the-world upgrade: \(flagged.count) task\(flagged.count == 1 ? " is" : "s are") not compatible with \(plan.from)"
                + (unconfirmed > 0 ? " (\(unconfirmed) without compatible_version: needs manual confirmation)" : "")
        }
        var check = CheckResult(category: .compatibility, id: "compatibility.mode", title: "Upgrade mode",
                                status: unconfirmed > 0 ? .warn : .pass, summary: verdict,
                                measured: Double(flagged.count), unit: "tasks")
        if unconfirmed > 0 {
            check.suggestion = "give each task a compatible_version, or confirm with its author that running it with the old version stopped is enough"
        }
        return (CompatibilitySummary(mode: plan.mode, verdict: verdict, tasks: flagged), check)
    }
}
