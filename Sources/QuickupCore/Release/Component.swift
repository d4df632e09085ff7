/// The engine behind a datasource (SPEC D1).
public enum DatasourceType: String, Codable, Sendable, CaseIterable {
    case mariadb, mysql, clickhouse, redis, sqlite

    /// Whether SQL scripts run on it and it keeps an `upgrade_log` table (E2).
    public var isSQL: Bool { self != .redis }
}

/// A datasource a component uses, by name; connection details live in env.yaml.
public struct DatasourceRef: Hashable, Sendable, Codable {
    public var name: String
    public var type: DatasourceType
    /// The oldest server version the sites run (`min_server_version`), for lint (N1).
    public var minServerVersion: String?
    public init(name: String, type: DatasourceType) {
        self.name = name
        self.type = type
    }
}

/// The CI/CD hook points a component may implement (SPEC T5, source §5.1.1).
public enum HookPoint: String, Codable, Sendable, CaseIterable {
    case resourceCheck = "resource_check"
    case businessCheck = "business_check"
    case preUpgrade = "pre_upgrade"
    case preStart = "pre_start"
    case postStart = "post_start"
    case southboundOpen = "southbound_open"
    case postUpgrade = "post_upgrade"
}

/// Resource limits for a component's plugins; nil fields take the plugin class's defaults (T3,
/// `PluginLimits.defaults(for:)`).
public struct ResourceLimits: Hashable, Sendable, Codable {
    public var memory: ByteSize?
    public var cpuPercent: Int?
    public var processes: Int?
    public var cpuTime: TimeSpan?
    public var network: Bool?
    public var readOnlyRoot: Bool?
    public init(memory: ByteSize? = nil, cpuPercent: Int? = nil) {
        self.memory = memory
        self.cpuPercent = cpuPercent
    }
}

/// How the component's service is stopped and started on its hosts (S3).
public struct ServiceSpec: Hashable, Sendable, Codable {
    public var name: String?
    public var start: String?
    public var stop: String?
    public var port: Int?
    public var healthURL: String?
    public var startTimeout: TimeSpan?
    public init() {}
}

/// One deployable unit with its plugin directory, datasources and tasks (SPEC §1, component.yaml).
public struct Component: Hashable, Sendable, Codable {
    public var name: String
    public var pluginClass: PluginClass
    public var datasources: [DatasourceRef]
    /// Components whose tasks of a stage must finish before this one's start (P3).
    public var dependsOn: [String]
    /// Host role(s) in env.yaml that run this component.
    public var hostRoles: [String]
    public var hooks: [HookPoint: String]
    public var needsMemory: ByteSize?
    public var needsDisk: ByteSize?
    public var limits: ResourceLimits
    /// Overrides of the class's failure policy for tools and hooks (T4).
    public var onFailure: FailurePolicy.Override?
    public var service: ServiceSpec?
    public var backupTables: [String]
    /// The folder (relative to the component's) holding what it installs on its hosts, one
    /// sub-folder per version (`package/<version>/…`, docs/FORMATS.md "Artefacts"); nil: none.
    public var packageFolder: String?
    /// Files of the installed folder the site changes and an upgrade must carry over
    /// (`keep: [conf/application-site.yml]`).
    public var keep: [String] = []
    /// The version folders found under `package` (sorted).
    public var packageVersions: [Version] = []

    /// The package a site at `from` gets when upgraded to `to`: the newest version folder in
    /// (from, to]; nil when the release does not change this component's program files.
    public func packageVersion(from: Version, to: Version) -> Version? {
        packageVersions.last { $0 > from && $0 <= to }
    }
    public var tasks: [UpgradeTask]
    public var qualityRules: [QualityRule]
    /// Lint rules switched off for this component (`lint: {disable: […]}` in component.yaml, N1).
    public var lintDisabled: [String]?
    public var location: SourceLocation

    public init(name: String, location: SourceLocation) {
        self.name = name
        self.pluginClass = .business
        self.datasources = []
        self.dependsOn = []
        self.hostRoles = []
        self.hooks = [:]
        self.limits = ResourceLimits()
        self.backupTables = []
        self.tasks = []
        self.qualityRules = []
        self.location = location
    }

    /// The datasource a task uses: its own `.datasource`, else the first of the right type (M2).
    public func defaultDatasource(for kind: TaskKind) -> DatasourceRef? {
        switch kind {
        case .sql: return datasources.first { $0.type.isSQL }
        case .redis: return datasources.first { $0.type == .redis }
        case .tool, .config: return nil
        }
    }

    public func datasource(named name: String) -> DatasourceRef? {
        datasources.first { $0.name == name }
    }
}
