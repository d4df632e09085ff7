/// The JSON form of a plan (`quickup plan --json`, P4): per stage, per component, per task.
public struct PlanDocument: Codable, Sendable, Equatable {
    public struct Task: Codable, Sendable, Equatable {
        public var key: String
        public var version: String
        public var kind: String
        public var uid: String
        public var id: String
        public var description: String
        public var file: String?
        public var package: String?
        public var datasource: String?
        public var source: String?
        public var target: String?
        public var depends: [String]
        public var timeoutSeconds: Double
        public var estimateSeconds: Double?
        public var estimateSource: String?
        public var compatibility: String
        public var compatibleVersion: String?
        public var transactional: Bool?
        public var retryable: Bool?
        public var checksum: String?
        public var location: String
        /// Fields set by the orchestration file (M3): field → `file:line: key` of the override.
        public var overrides: [String: String]?
    }

    public struct Component: Codable, Sendable, Equatable {
        public var name: String
        public var after: [String]
        public var tasks: [Task]
    }

    public struct Stage: Codable, Sendable, Equatable {
        public var stage: String
        public var components: [Component]
    }

    public var release: String
    public var from: String
    public var to: String
    public var site: String?
    public var mode: String
    public var taskCount: Int
    public var notes: [String]
    /// Tasks left out because no site was given: how many, and per site (P2).
    public var leftOutTasks: Int?
    public var leftOutBySite: [String: Int]?
    public var stages: [Stage]

    public init(_ plan: Plan) {
        release = plan.release
        from = plan.from.description
        to = plan.to.description
        site = plan.site
        mode = plan.mode.rawValue
        taskCount = plan.taskCount
        notes = plan.notes
        if plan.leftOutTasks > 0 {
            leftOutTasks = plan.leftOutTasks
            leftOutBySite = plan.leftOutBySite
        }
        stages = plan.stages.map { stage in
            Stage(stage: stage.stage.rawValue, components: stage.components.map { component in
                Component(name: component.component, after: component.after, tasks: component.tasks.map(Self.task))
            })
        }
    }

    static func task(_ planned: PlannedTask) -> Task {
        let t = planned.task
        return Task(
            key: t.key, version: t.version.description, kind: t.kind.rawValue, uid: t.uid, id: t.id,
            description: t.description, file: t.file, package: t.package, datasource: planned.datasource,
            source: t.source, target: t.target, depends: t.depends, timeoutSeconds: planned.timeout.seconds,
            estimateSeconds: planned.estimate?.duration.seconds, estimateSource: planned.estimate?.source.rawValue,
            compatibility: planned.compatibility.rawValue, compatibleVersion: t.compatibleVersion?.description,
            transactional: planned.transactional, retryable: t.retryable, checksum: t.checksum, location: t.location.description,
            overrides: t.overrides.isEmpty ? nil : t.overrides.mapValues(\.description))
    }
}
