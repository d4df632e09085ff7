/// One unit of upgrade work as declared in `upgrade_tasks_<version>.properties` (SPEC M2),
/// after orchestration overrides (M3) have been applied.
///
/// Its fields live in one copy-on-write box (issue 20 item 1): a task is copied by the loader,
/// the planner (selection, ordering, stage buckets), the plan and its renderers, and a copy is
/// now one reference count instead of ~40 fields and a dozen of them. It behaves as a value:
/// the box is copied before a shared one is changed; equality, hashing and Codable are those of
/// the fields (the JSON is unchanged).
public struct UpgradeTask: Hashable, Sendable, Codable {
    /// Stable identity across runs, whatever from/to: `component/version/kind.uid`.
    public var key: String { "\(component)/\(version)/\(kind).\(uid)" }
    /// `kind.uid`, the name the manifests use.
    public var qualifiedUID: String { "\(kind).\(uid)" }

    public var component: String {
        get { box.fields.component }
        set { unique().fields.component = newValue }
    }
    public var version: Version {
        get { box.fields.version }
        set { unique().fields.version = newValue }
    }
    public var kind: TaskKind {
        get { box.fields.kind }
        set { unique().fields.kind = newValue }
    }
    public var uid: String {
        get { box.fields.uid }
        set { unique().fields.uid = newValue }
    }
    public var id: String {
        get { box.fields.id }
        set { unique().fields.id = newValue }
    }
    public var description: String {
        get { box.fields.description }
        set { unique().fields.description = newValue }
    }
    public var stage: Stage {
        get { box.fields.stage }
        set { unique().fields.stage = newValue }
    }
    public var file: String? {
        get { box.fields.file }
        set { unique().fields.file = newValue }
    }
    public var package: String? {
        get { box.fields.package }
        set { unique().fields.package = newValue }
    }
    public var datasource: String? {
        get { box.fields.datasource }
        set { unique().fields.datasource = newValue }
    }
    public var source: String? {
        get { box.fields.source }
        set { unique().fields.source = newValue }
    }
    public var target: String? {
        get { box.fields.target }
        set { unique().fields.target = newValue }
    }
    public var order: Int? {
        get { box.fields.order }
        set { unique().fields.order = newValue }
    }
    public var filePosition: Int {
        get { box.fields.filePosition }
        set { unique().fields.filePosition = newValue }
    }
    public var depends: [String] {
        get { box.fields.depends }
        set { unique().fields.depends = newValue }
    }
    public var compatibleVersion: Version? {
        get { box.fields.compatibleVersion }
        set { unique().fields.compatibleVersion = newValue }
    }
    public var sites: [String]? {
        get { box.fields.sites }
        set { unique().fields.sites = newValue }
    }
    public var excludeSites: [String] {
        get { box.fields.excludeSites }
        set { unique().fields.excludeSites = newValue }
    }
    public var timeout: TimeSpan? {
        get { box.fields.timeout }
        set { unique().fields.timeout = newValue }
    }
    public var retries: Int? {
        get { box.fields.retries }
        set { unique().fields.retries = newValue }
    }
    public var retryInterval: TimeSpan? {
        get { box.fields.retryInterval }
        set { unique().fields.retryInterval = newValue }
    }
    public var retryable: Bool? {
        get { box.fields.retryable }
        set { unique().fields.retryable = newValue }
    }
    public var transactional: Bool? {
        get { box.fields.transactional }
        set { unique().fields.transactional = newValue }
    }
    public var rollback: String? {
        get { box.fields.rollback }
        set { unique().fields.rollback = newValue }
    }
    public var configFormat: ConfigFormat? {
        get { box.fields.configFormat }
        set { unique().fields.configFormat = newValue }
    }
    public var volume: Volume? {
        get { box.fields.volume }
        set { unique().fields.volume = newValue }
    }
    public var rate: Rate? {
        get { box.fields.rate }
        set { unique().fields.rate = newValue }
    }
    public var parallel: Int? {
        get { box.fields.parallel }
        set { unique().fields.parallel = newValue }
    }
    public var placement: TaskPlacement? {
        get { box.fields.placement }
        set { unique().fields.placement = newValue }
    }
    public var checksum: String? {
        get { box.fields.checksum }
        set { unique().fields.checksum = newValue }
    }
    public var commitsImplicitly: Bool? {
        get { box.fields.commitsImplicitly }
        set { unique().fields.commitsImplicitly = newValue }
    }
    public var directory: String {
        get { box.fields.directory }
        set { unique().fields.directory = newValue }
    }
    public var location: SourceLocation {
        get { box.fields.location }
        set { unique().fields.location = newValue }
    }
    public var overrides: [String: SourceLocation] {
        get { box.fields.overrides }
        set { unique().fields.overrides = newValue }
    }
    public var fieldLines: FieldLines {
        get { box.fields.fieldLines }
        set { unique().fields.fieldLines = newValue }
    }

    /// Where a field was set: the orchestration override if any, else the task file's key.
    public func location(of field: String) -> SourceLocation {
        overrides[field] ?? location.with(key: "\(qualifiedUID).\(field)", line: fieldLines[field])
    }

    public var effectiveOrder: Int { order ?? filePosition }

    public init(
        component: String, version: Version, kind: TaskKind, uid: String, id: String, description: String,
        stage: Stage, filePosition: Int, location: SourceLocation
    ) {
        box = Box(Fields(component: component, version: version, kind: kind, uid: uid, id: id, description: description,
                         stage: stage, filePosition: filePosition, location: location))
    }

    /// The stored fields, exactly as the task declared them before the box.
    struct Fields: Hashable, Sendable, Codable {
        var component: String
        var version: Version
        var kind: TaskKind
        var uid: String
        var id: String
        var description: String
        var stage: Stage
        /// Script (sql/redis/config), relative to the version directory.
        var file: String?
        /// Tool entry: `path/to/exe` or Python `module.sub:function`.
        var package: String?
        var datasource: String?
        var source: String?
        /// A data tool's target datasource (D5); for a config task, what it changes (K1): an
        /// absolute path on the component's hosts, or `nacos:<group>/<dataId>`.
        var target: String?
        /// Explicit `.order`; when nil the task's position in its file is used.
        var order: Int?
        /// 1-based position of the task among the tasks of its file (first key seen).
        var filePosition: Int
        var depends: [String]
        var compatibleVersion: Version?
        var sites: [String]?
        var excludeSites: [String]
        var timeout: TimeSpan?
        var retries: Int?
        var retryInterval: TimeSpan?
        var retryable: Bool?
        var transactional: Bool?
        var rollback: String?
        /// What a config task edits and how (K1): `properties`, `yaml`, `flink` or `file`.
        var configFormat: ConfigFormat?
        var volume: Volume?
        var rate: Rate?
        var parallel: Int?
        var placement: TaskPlacement?
        /// SHA-256 (hex) of the task's file, or of a tool's entry and files (M7); set by the loader.
        var checksum: String?
        /// Whether the script holds a statement that commits implicitly on MariaDB/MySQL (DDL …);
        /// set by the loader for SQL tasks on those datasources (E5).
        var commitsImplicitly: Bool?
        /// The version folder, relative to the release root (`base/upgrade/V2.16.8`); files are relative to it.
        var directory: String = ""
        /// Where the task was declared (its first key).
        var location: SourceLocation
        /// Fields replaced by the orchestration file, with where (M3).
        var overrides: [String: SourceLocation]
        /// Line of each field in the task file, so errors point at the key itself.
        var fieldLines: FieldLines

        init(
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
    }

    final class Box: @unchecked Sendable {
        // Changed only through `unique()`, i.e. when no other task shares it.
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    /// The box, copied first when another task shares it.
    private mutating func unique() -> Box {
        if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
        return box
    }

    public static func == (a: UpgradeTask, b: UpgradeTask) -> Bool { a.box === b.box || a.box.fields == b.box.fields }
    public func hash(into hasher: inout Hasher) { box.fields.hash(into: &hasher) }
    public init(from decoder: any Decoder) throws { box = Box(try Fields(from: decoder)) }
    public func encode(to encoder: any Encoder) throws { try box.fields.encode(to: encoder) }

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
