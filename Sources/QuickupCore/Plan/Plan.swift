/// Whether services can keep running during the upgrade (A3).
public enum UpgradeMode: String, Codable, Sendable {
    case rolling
    case stopTheWorld = "stop_the_world"
    case nothingToDo = "nothing_to_do"
}

/// A3: compatible iff `from >= compatible_version`; no annotation means a person must confirm.
public enum Compatibility: String, Codable, Sendable {
    case compatible
    case incompatible
    case needsConfirmation = "needs_manual_confirmation"

    public static func of(_ task: UpgradeTask, from: Version) -> Compatibility {
        guard let minimum = task.compatibleVersion else { return .needsConfirmation }
        return from >= minimum ? .compatible : .incompatible
    }
}

/// A planned duration and where the figure came from (A4).
public struct Estimate: Hashable, Sendable, Codable {
    public enum Source: String, Codable, Sendable {
        case volume            // volume / (rate × parallel), both declared
        case measuredVolume = "measured_volume"
        case history           // median of past durations in the journal
    }
    public var duration: TimeSpan
    public var source: Source
    public init(duration: TimeSpan, source: Source) {
        self.duration = duration
        self.source = source
    }
}

/// One task as it will run: the declaration plus what planning decided.
public struct PlannedTask: Hashable, Sendable, Codable {
    public var task: UpgradeTask
    /// Resolved datasource name (the task's own, or the component's default of the right type).
    public var datasource: String?
    public var timeout: TimeSpan
    public var compatibility: Compatibility
    public var estimate: Estimate?
    /// Whether the task runs in one transaction (E5): SQL on an engine with transactions, not
    /// opted out, and (on MariaDB/MySQL) without statements that commit implicitly.
    public var transactional: Bool = false
}

/// The tasks of one component in one stage, in execution order.
public struct ComponentPlan: Hashable, Sendable, Codable {
    public var component: String
    /// Components whose tasks of this stage must finish first; others may run in parallel (P3).
    public var after: [String]
    public var tasks: [PlannedTask]
}

public struct StagePlan: Hashable, Sendable, Codable {
    public var stage: Stage
    public var components: [ComponentPlan]
    public var taskCount: Int { components.reduce(0) { $0 + $1.tasks.count } }
    public init(stage: Stage, components: [ComponentPlan]) {
        self.stage = stage
        self.components = components
    }
}

/// The result of planning: a plain value, printed as a table or JSON (P4).
public struct Plan: Hashable, Sendable, Codable {
    public var release: String
    public var from: Version
    public var to: Version
    public var site: String?
    public var mode: UpgradeMode
    public var stages: [StagePlan]
    /// Plain-language remarks, e.g. why the plan is empty.
    public var notes: [String]
    /// Without a site: tasks of the version range left out because they run only at named
    /// sites (P2), and how many of them each site would get (issue 14 item 4).
    public var leftOutTasks: Int = 0
    public var leftOutBySite: [String: Int] = [:]

    public var tasks: [PlannedTask] { stages.flatMap { $0.components.flatMap(\.tasks) } }
    public var taskCount: Int { stages.reduce(0) { $0 + $1.taskCount } }

    /// Whether any task prevents a rolling upgrade, without copying the tasks (P5).
    public var hasIncompatibleTask: Bool {
        stages.contains { $0.components.contains { $0.tasks.contains { $0.compatibility != .compatible } } }
    }

    /// Tasks that prevent a rolling upgrade, or need a person to confirm (A3).
    public var incompatibleTasks: [PlannedTask] { tasks.filter { $0.compatibility != .compatible } }

    public func stage(_ stage: Stage) -> StagePlan? { stages.first { $0.stage == stage } }
}
