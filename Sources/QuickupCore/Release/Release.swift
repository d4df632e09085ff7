/// A release: every component's upgrade material for a range of versions (SPEC §3).
public struct Release: Hashable, Sendable, Codable {
    public var name: String
    /// The version this release upgrades to, when release.yaml names it.
    public var targetVersion: Version?
    /// The versions this release can upgrade from (P6); nil = any.
    public var upgradesFrom: VersionRange?
    /// Components in release order (P3).
    public var components: [Component]
    /// Lint rules switched off for the whole release (`lint: {disable: […]}` in release.yaml, N1).
    public var lintDisabled: [String]?

    public init(name: String, targetVersion: Version? = nil, upgradesFrom: VersionRange? = nil, components: [Component]) {
        self.name = name
        self.targetVersion = targetVersion
        self.upgradesFrom = upgradesFrom
        self.components = components
    }

    public var taskCount: Int { components.reduce(0) { $0 + $1.tasks.count } }

    public func component(named name: String) -> Component? {
        components.first { $0.name == name }
    }

    /// The newest version this release knows: its release.yaml `version` or its newest version folder.
    /// The largest of the tasks' versions, not from `versions`' sorted set: `plan` asks it of
    /// 100,000 tasks on one core before planning (P5, issue 20.1).
    public var newestVersion: Version? {
        let newestTask = components.lazy.compactMap { $0.tasks.lazy.map(\.version).max() }.max()
        return [newestTask, targetVersion].compactMap { $0 }.max()
    }

    /// Every version any component has material for, ascending.
    public var versions: [Version] {
        Array(Set(components.flatMap { $0.tasks.map(\.version) })).sorted()
    }
}
