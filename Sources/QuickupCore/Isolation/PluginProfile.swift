/// What the run engine needs to know about a component to run its tools and hooks (T3–T5),
/// without carrying the whole component (its tasks are in the plan already).
public struct PluginProfile: Hashable, Sendable, Codable {
    public var component: String
    public var pluginClass: PluginClass
    public var limits: PluginLimits
    public var failurePolicy: FailurePolicy
    public var hooks: [HookPoint: String]
    /// Names of the component's datasources, passed to its tools with connection parameters.
    public var datasources: [String]

    public init(_ component: Component) {
        self.component = component.name
        self.pluginClass = component.pluginClass
        self.limits = PluginLimits.of(component)
        self.failurePolicy = FailurePolicy.of(component)
        self.hooks = component.hooks
        self.datasources = component.datasources.map(\.name)
    }

    /// A component the run knows nothing about: the default class (business).
    public init(defaultFor component: String) {
        self.init(Component(name: component, location: SourceLocation(file: component)))
    }

    /// The policy for one tool task: its own `.retries` / `.retry_interval` win.
    public func failurePolicy(for task: UpgradeTask) -> FailurePolicy {
        var policy = failurePolicy
        if let retries = task.retries { policy.tries = max(1, retries + 1) }
        if let interval = task.retryInterval { policy.interval = interval }
        return policy
    }
}
