/// One unit of upgrade work as declared in `upgrade_tasks_<version>.properties` (SPEC M2),
/// after orchestration overrides (M3) have been applied.
public struct UpgradeTask: Hashable, Sendable, Codable {
    /// Stable identity across runs, whatever from/to: `component/version/kind.uid`.
    public var key: String { "\(component)/\(version)/\(kind).\(uid)" }
    /// `kind.uid`, the name the manifests use.
    public var qualifiedUID: String { "\(kind).\(uid)" }

    public var component: String
    public var version: Version
    public var kind: TaskKind
    public var uid: String
    public var id: String
    public var description: String
    public var stage: Stage
    /// Script (sql/redis/config), relative to the version directory.
    public var file: String?
    /// Tool entry: `path/to/exe` or Python `module.sub:function`.
    public var package: String?
    public var datasource: String?
    public var source: String?
    /// A data tool's target datasource (D5); for a config task, what it changes (K1): an
    /// absolute path on the component's hosts, or `nacos:<group>/<dataId>`.
    public var target: String?
    /// Explicit `.order`; when nil the task's position in its file is used.
    public var order: Int?
    /// 1-based position of the task among the tasks of its file (first key seen).
    public var filePosition: Int
    public var depends: [String]
    public var compatibleVersion: Version?
    public var sites: [String]?
    public var excludeSites: [String]
    public var timeout: TimeSpan?
    public var retries: Int?
    public var retryInterval: TimeSpan?
    public var retryable: Bool?
    public var transactional: Bool?
    public var rollback: String?
    /// What a config task edits and how (K1): `properties`, `yaml`, `flink` or `file`.
    public var configFormat: ConfigFormat?
    public var volume: Volume?
    public var rate: Rate?
    public var parallel: Int?
    public var placement: TaskPlacement?
    /// SHA-256 (hex) of the task's file, or of a tool's entry and files (M7); set by the loader.
    public var checksum: String?
    /// Whether the script holds a statement that commits implicitly on MariaDB/MySQL (DDL …);
    /// set by the loader for SQL tasks on those datasources (E5).
    public var commitsImplicitly: Bool?
    /// The version folder, relative to the release root (`base/upgrade/V2.16.8`); files are relative to it.
    public var directory: String = ""
    /// Where the task was declared (its first key).
    public var location: SourceLocation
    /// Fields replaced by the orchestration file, with where (M3).
    public var overrides: [String: SourceLocation]
    /// Line of each field in the task file, so errors point at the key itself.
    public var fieldLines: FieldLines

    /// Where a field was set: the orchestration override if any, else the task file's key.
    public func location(of field: String) -> SourceLocation {
        overrides[field] ?? location.with(key: "\(qualifiedUID).\(field)", line: fieldLines[field])
    }

    public var effectiveOrder: Int { order ?? filePosition }

    public init(
        component: String, version: Version, kind: TaskKind, uid: String, id: String, description: String,
        stage: Stage, filePosition: Int, location: SourceLocation
    ) {
        self.component = component
        self.version = version
        self.kind = kind
        self.uid = uid
        self.id = id
        self.description = description
        self.stage = stage
        self.filePosition = filePosition
        self.location = location
        self.depends = []
        self.excludeSites = []
        self.overrides = [:]
        self.fieldLines = FieldLines()
    }

    /// A config task's target as a value (K1); nil for other kinds or a malformed target.
    public var configTarget: ConfigTarget? { kind == .config ? target.flatMap(ConfigTarget.init) : nil }

    /// Whether the site filters (P2) let this task run at `site`.
    public func runs(atSite site: String?) -> Bool {
        guard let site else { return sites == nil }
        if excludeSites.contains(site) { return false }
        if let sites { return sites.contains(site) }
        return true
    }
}
