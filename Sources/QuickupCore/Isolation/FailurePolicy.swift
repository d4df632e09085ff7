/// What happens when a plugin (tool task or hook) fails (SPEC T4, robustness doc §4.4.3).
/// Data, not code paths: defaults per class, overridable in component.yaml `on_failure:`.
public struct FailurePolicy: Hashable, Sendable, Codable {
    public enum Action: String, Hashable, Sendable, Codable, CaseIterable {
        /// Stop the run and offer rollback.
        case stop
        /// Record the failure, skip the task and go on with the component's next task.
        case skip
        /// Log it and go on, as if it had not mattered.
        case `continue`
    }

    public var action: Action
    /// Tries in total, at least 1.
    public var tries: Int
    public var interval: TimeSpan

    public init(action: Action, tries: Int, interval: TimeSpan) {
        self.action = action
        self.tries = max(1, tries)
        self.interval = interval
    }

    public static func defaults(for pluginClass: PluginClass) -> FailurePolicy {
        switch pluginClass {
        case .core, .database: FailurePolicy(action: .stop, tries: 3, interval: .seconds(10))
        case .business: FailurePolicy(action: .skip, tries: 2, interval: .seconds(5))
        case .thirdParty: FailurePolicy(action: .continue, tries: 1, interval: .seconds(0))
        }
    }

    /// The class's defaults with the component's overrides (`PluginProfile.failurePolicy(for:)`
    /// applies a task's own `.retries` on top).
    public static func of(_ component: Component) -> FailurePolicy {
        var policy = defaults(for: component.pluginClass)
        if let override = component.onFailure {
            if let action = override.action { policy.action = action }
            if let tries = override.tries { policy.tries = max(1, tries) }
            if let interval = override.interval { policy.interval = interval }
        }
        return policy
    }

    /// What component.yaml may override; nil = the class's default.
    public struct Override: Hashable, Sendable, Codable {
        public var action: Action?
        public var tries: Int?
        public var interval: TimeSpan?
        public init(action: Action? = nil, tries: Int? = nil, interval: TimeSpan? = nil) {
            self.action = action
            self.tries = tries
            self.interval = interval
        }
    }
}
