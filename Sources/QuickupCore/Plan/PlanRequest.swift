/// What to plan: the versions and the site (SPEC P1, P2).
public struct PlanRequest: Hashable, Sendable {
    public var from: Version
    public var to: Version
    public var site: String?
    public var defaults: TaskDefaults

    public init(from: Version, to: Version, site: String? = nil, defaults: TaskDefaults = .standard) {
        self.from = from
        self.to = to
        self.site = site
        self.defaults = defaults
    }
}
