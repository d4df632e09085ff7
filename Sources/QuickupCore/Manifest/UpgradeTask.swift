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
        get { box.stored.component }
        set { unique().stored.component = newValue }
    }
    public var version: Version {
        get { box.stored.version }
        set { unique().stored.version = newValue }
    }
    public var kind: TaskKind {
        get { box.stored.kind }
        set { unique().stored.renaming { $0.kind = newValue } }
    }
    public var uid: String {
        get { box.stored.uid }
        set { unique().stored.renaming { $0.uid = newValue } }
    }
    public var id: String {
        get { box.stored.id }
        set { unique().stored.id = newValue }
    }
    public var description: String {
        get { box.stored.description }
        set { unique().stored.description = newValue }
    }
    public var stage: Stage {
        get { box.stored.stage }
        set { unique().stored.stage = newValue }
    }
    public var file: String? {
        get { box.stored.file }
        set { unique().stored.file = newValue }
    }
    public var package: String? {
        get { box.stored.package }
        set { unique().stored.package = newValue }
    }
    public var datasource: String? {
        get { box.stored.datasource }
        set { unique().stored.datasource = newValue }
    }
    public var source: String? {
        get { box.stored.rare?.value.source ?? nil }
        set { unique().setRare { $0.source = newValue } }
    }
    public var target: String? {
        get { box.stored.rare?.value.target ?? nil }
        set { unique().setRare { $0.target = newValue } }
    }
    public var order: Int? {
        get { box.stored.order }
        set { unique().stored.order = newValue }
    }
    public var filePosition: Int {
        get { box.stored.filePosition }
        set { unique().stored.filePosition = newValue }
    }
    public var depends: [String] {
        get { box.stored.depends }
        set { unique().stored.depends = newValue }
    }
    public var compatibleVersion: Version? {
        get { box.stored.rare?.value.compatibleVersion ?? nil }
        set { unique().setRare { $0.compatibleVersion = newValue } }
    }
    public var sites: [String]? {
        get { box.stored.rare?.value.sites ?? nil }
        set { unique().setRare { $0.sites = newValue } }
    }
    public var excludeSites: [String] {
        get { box.stored.rare?.value.excludeSites ?? [] }
        set { unique().setRare { $0.excludeSites = newValue } }
    }
    public var timeout: TimeSpan? {
        get { box.stored.rare?.value.timeout ?? nil }
        set { unique().setRare { $0.timeout = newValue } }
    }
    public var retries: Int? {
        get { box.stored.rare?.value.retries ?? nil }
        set { unique().setRare { $0.retries = newValue } }
    }
    public var retryInterval: TimeSpan? {
        get { box.stored.rare?.value.retryInterval ?? nil }
        set { unique().setRare { $0.retryInterval = newValue } }
    }
    public var retryable: Bool? {
        get { box.stored.rare?.value.retryable ?? nil }
        set { unique().setRare { $0.retryable = newValue } }
    }
    public var transactional: Bool? {
        get { box.stored.rare?.value.transactional ?? nil }
        set { unique().setRare { $0.transactional = newValue } }
    }
    public var rollback: String? {
        get { box.stored.rollback }
        set { unique().stored.rollback = newValue }
    }
    public var configFormat: ConfigFormat? {
        get { box.stored.rare?.value.configFormat ?? nil }
        set { unique().setRare { $0.configFormat = newValue } }
    }
    public var volume: Volume? {
        get { box.stored.rare?.value.volume ?? nil }
        set { unique().setRare { $0.volume = newValue } }
    }
    public var rate: Rate? {
        get { box.stored.rare?.value.rate ?? nil }
        set { unique().setRare { $0.rate = newValue } }
    }
    public var parallel: Int? {
        get { box.stored.rare?.value.parallel ?? nil }
        set { unique().setRare { $0.parallel = newValue } }
    }
    public var placement: TaskPlacement? {
        get { box.stored.rare?.value.placement ?? nil }
        set { unique().setRare { $0.placement = newValue } }
    }
    public var checksum: String? {
        get { box.stored.checksum }
        set { unique().stored.checksum = newValue }
    }
    public var commitsImplicitly: Bool? {
        get { box.stored.commitsImplicitly }
        set { unique().stored.commitsImplicitly = newValue }
    }
    public var directory: String {
        get { box.stored.directory }
        set { unique().stored.directory = newValue }
    }
    public var location: SourceLocation {
        get { box.stored.fullLocation }
        set { unique().stored.setLocation(newValue) }
    }
    public var overrides: [String: SourceLocation] {
        get { box.stored.rare?.value.overrides ?? [:] }
        set { unique().setRare { $0.overrides = newValue } }
    }
    public var fieldLines: FieldLines {
        get { box.stored.fieldLines }
        set { unique().stored.fieldLines = newValue }
    }

    /// Where the task was declared, without its key when that is `kind.uid` (almost always):
    /// a writer that has the kind and uid at hand writes the key from them, without the
    /// location's key made for each task as `location` makes it (P5, issue 20.1).
    var declaredLocation: (location: SourceLocation, keyIsQualifiedUID: Bool) { box.stored.declaredLocation }

    /// Where a field was set: the orchestration override if any, else the task file's key.
    public func location(of field: String) -> SourceLocation {
        overrides[field] ?? location.with(key: "\(qualifiedUID).\(field)", line: fieldLines[field])
    }

    public var effectiveOrder: Int { order ?? filePosition }

    public init(
        component: String, version: Version, kind: TaskKind, uid: String, id: String, description: String,
        stage: Stage, filePosition: Int, location: SourceLocation
    ) {
        box = Box(Stored(Fields(component: component, version: version, kind: kind, uid: uid, id: id, description: description,
                                stage: stage, filePosition: filePosition, location: location)))
    }

    /// A task of these fields, boxed once (the manifest parser fills them first, P5).
    init(fields: Fields) {
        box = Box(Stored(fields))
    }

    /// Every field, flat: the task's JSON (Codable) and the shape `Stored` is made from and gives back.
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

    /// The fields as a task holds them (issue 13 item 9): the ones most tasks set inline, the
    /// ones few set (site filters, retry policy, volume, a tool's source/target …) behind one
    /// optional reference, allocated only for a task that sets one of them — a 300,000-task
    /// manifest holds about 0.2 KB less per task. `rare` is nil exactly when all of them have
    /// their defaults, so the synthesized equality and hash are those of the flat fields.
    struct Stored: Hashable, Sendable {
        var component: String
        var version: Version
        var kind: TaskKind
        var uid: String
        var id: String
        var description: String
        var stage: Stage
        var file: String?
        var package: String?
        var datasource: String?
        var order: Int?
        var filePosition: Int
        var depends: [String]
        var rollback: String?
        var checksum: String?
        var commitsImplicitly: Bool?
        var directory: String
        /// Where the task was declared; its `key`, almost always `kind.uid`, is then left out
        /// (`keyIsUID`) rather than held as one more string per task.
        private var location: SourceLocation
        private var keyIsUID: Bool
        var fieldLines: FieldLines
        var rare: RareBox?

        init(_ f: Fields) {
            component = f.component; version = f.version; kind = f.kind; uid = f.uid; id = f.id; description = f.description
            stage = f.stage; file = f.file; package = f.package; datasource = f.datasource; order = f.order
            filePosition = f.filePosition; depends = f.depends; rollback = f.rollback; checksum = f.checksum
            commitsImplicitly = f.commitsImplicitly; directory = f.directory; fieldLines = f.fieldLines
            location = f.location
            keyIsUID = false
            setLocation(f.location)
            let rare = Rare(source: f.source, target: f.target, compatibleVersion: f.compatibleVersion, sites: f.sites,
                            excludeSites: f.excludeSites, timeout: f.timeout, retries: f.retries, retryInterval: f.retryInterval,
                            retryable: f.retryable, transactional: f.transactional, configFormat: f.configFormat, volume: f.volume,
                            rate: f.rate, parallel: f.parallel, placement: f.placement, overrides: f.overrides)
            self.rare = rare == Rare() ? nil : RareBox(rare)
        }

        var flat: Fields {
            var f = Fields(component: component, version: version, kind: kind, uid: uid, id: id, description: description,
                           stage: stage, filePosition: filePosition, location: fullLocation)
            f.file = file; f.package = package; f.datasource = datasource; f.order = order; f.depends = depends
            f.rollback = rollback; f.checksum = checksum; f.commitsImplicitly = commitsImplicitly; f.directory = directory
            f.fieldLines = fieldLines
            let r = rare?.value ?? Rare()
            f.source = r.source; f.target = r.target; f.compatibleVersion = r.compatibleVersion; f.sites = r.sites
            f.excludeSites = r.excludeSites; f.timeout = r.timeout; f.retries = r.retries; f.retryInterval = r.retryInterval
            f.retryable = r.retryable; f.transactional = r.transactional; f.configFormat = r.configFormat; f.volume = r.volume
            f.rate = r.rate; f.parallel = r.parallel; f.placement = r.placement; f.overrides = r.overrides
            return f
        }

        var declaredLocation: (location: SourceLocation, keyIsQualifiedUID: Bool) { (location, keyIsUID) }

        var fullLocation: SourceLocation {
            guard keyIsUID else { return location }
            var full = location
            full.key = "\(kind).\(uid)"
            return full
        }

        mutating func setLocation(_ new: SourceLocation) {
            keyIsUID = Self.isQualifiedUID(new.key, kind: kind, uid: uid)
            location = new
            if keyIsUID { location.key = nil }
        }

        /// `key == "\(kind).\(uid)"`, answered from the bytes when they are those very bytes
        /// (the parser's keys always are) without making that string for every task (P5);
        /// otherwise String's comparison decides, as it did.
        static func isQualifiedUID(_ key: String?, kind: TaskKind, uid: String) -> Bool {
            guard var key else { return false }
            var kindText = kind.rawValue, uidText = uid
            // Over the strings' own bytes: the generic prefix and equality walks of their UTF-8
            // views cost more than the comparison (P5, issue 20.1: once per task).
            let sameBytes = key.withUTF8 { key in
                kindText.withUTF8 { kind in
                    uidText.withUTF8 { uid in
                        key.count == kind.count + 1 + uid.count && key[kind.count] == UInt8(ascii: ".")
                            && ManifestBytes.same(UnsafeBufferPointer(rebasing: key[..<kind.count]), kind)
                            && ManifestBytes.same(UnsafeBufferPointer(rebasing: key[(kind.count + 1)...]), uid)
                    }
                }
            }
            return sameBytes || key == "\(kind).\(uid)"
        }

        /// A change of kind or uid keeps the location's key as it was.
        mutating func renaming(_ change: (inout Stored) -> Void) {
            let kept = fullLocation
            change(&self)
            setLocation(kept)
        }
    }

    /// The fields few tasks set, with the defaults a task without them has.
    struct Rare: Hashable, Sendable {
        var source: String?
        var target: String?
        var compatibleVersion: Version?
        var sites: [String]?
        var excludeSites: [String] = []
        var timeout: TimeSpan?
        var retries: Int?
        var retryInterval: TimeSpan?
        var retryable: Bool?
        var transactional: Bool?
        var configFormat: ConfigFormat?
        var volume: Volume?
        var rate: Rate?
        var parallel: Int?
        var placement: TaskPlacement?
        var overrides: [String: SourceLocation] = [:]
    }

    /// Never changed once made (a change makes a new one), so tasks may share it freely.
    final class RareBox: Hashable, Sendable {
        let value: Rare
        init(_ value: Rare) { self.value = value }
        static func == (a: RareBox, b: RareBox) -> Bool { a === b || a.value == b.value }
        func hash(into hasher: inout Hasher) { value.hash(into: &hasher) }
    }

    final class Box: @unchecked Sendable {
        // Changed only through `unique()`, i.e. when no other task shares it.
        var stored: Stored
        init(_ stored: Stored) { self.stored = stored }

        func setRare(_ change: (inout Rare) -> Void) {
            var rare = stored.rare?.value ?? Rare()
            change(&rare)
            stored.rare = rare == Rare() ? nil : RareBox(rare)
        }
    }

    private var box: Box

    /// The box, copied first when another task shares it.
    private mutating func unique() -> Box {
        if !isKnownUniquelyReferenced(&box) { box = Box(box.stored) }
        return box
    }

    public static func == (a: UpgradeTask, b: UpgradeTask) -> Bool { a.box === b.box || a.box.stored == b.box.stored }
    public func hash(into hasher: inout Hasher) { box.stored.hash(into: &hasher) }
    public init(from decoder: any Decoder) throws { box = Box(Stored(try Fields(from: decoder))) }
    public func encode(to encoder: any Encoder) throws { try box.stored.flat.encode(to: encoder) }

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
