/// A data-quality rule from `quality_<version>.properties` (SPEC M4, source §5.2.2).
public struct QualityRule: Hashable, Sendable, Codable {
    public enum Severity: String, Codable, Sendable, CaseIterable { case fail, warn }

    /// Built-in checks from which quickup writes the counting SQL (source §6.1.2.2).
    public enum Check: String, Codable, Sendable, CaseIterable {
        case notNull = "not_null"
        case unique
        case range
        case pattern
        case reference
    }

    /// What the rule counts: a query, a file holding one, or a built-in check.
    public enum Body: Hashable, Sendable, Codable {
        case sql(String)
        case file(String)
        case check(BuiltInCheck)
    }

    public struct BuiltInCheck: Hashable, Sendable, Codable {
        public var check: Check
        public var table: String
        public var columns: [String]
        public var min: String?
        public var max: String?
        public var pattern: String?
        /// `table.column` (or `table(column, …)`) the columns must reference.
        public var references: String?

        public init(check: Check, table: String, columns: [String]) {
            self.check = check
            self.table = table
            self.columns = columns
        }
    }

    public var component: String
    public var version: Version
    public var uid: String
    public var description: String
    public var body: Body
    public var datasource: String?
    public var threshold: Int64
    public var severity: Severity
    /// When the rule applies: if it contains `from` or `to` (A2). Nil = always.
    public var versions: VersionRange?
    public var suggestion: String?
    public var location: SourceLocation
    /// The version folder, relative to the release root; a `.file` body is relative to it.
    public var directory: String = ""

    public init(component: String, version: Version, uid: String, description: String, body: Body, location: SourceLocation) {
        self.component = component
        self.version = version
        self.uid = uid
        self.description = description
        self.body = body
        self.threshold = 0
        self.severity = .fail
        self.location = location
    }

    public func applies(from: Version, to: Version) -> Bool {
        guard let versions else { return true }
        return versions.contains(from) || versions.contains(to)
    }
}
