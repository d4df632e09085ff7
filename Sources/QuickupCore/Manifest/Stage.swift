/// When a task runs relative to the outage (SPEC §1), in execution order.
public enum Stage: String, CaseIterable, Codable, Sendable, Comparable, CustomStringConvertible {
    case preStop = "pre_stop"
    case inStop = "in_stop"
    case postStart = "post_start"
    case postUpgrade = "post_upgrade"

    public var description: String { rawValue }

    public static func < (lhs: Stage, rhs: Stage) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }

    public static var expectedList: String { allCases.map(\.rawValue).joined(separator: "|") }
}

/// What a task is: a SQL script, a data tool, a Redis script or a configuration change (K1).
public enum TaskKind: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case sql, tool, redis, config
    public var description: String { rawValue }
}

/// Where a task executes: on the orchestrator or on the component's hosts.
public enum TaskPlacement: String, Codable, Sendable, CaseIterable {
    case local, hosts
}

/// Isolation and failure-policy class of a component's plugins (SPEC T3/T4).
public enum PluginClass: String, Codable, Sendable, CaseIterable {
    case core
    case business
    case thirdParty = "third_party"
    case database
}
