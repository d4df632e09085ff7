/// How bad a lint finding is: an error fails `validate` and `lint` (exit 1), a warning makes
/// `lint` exit 3 (N1).
public enum LintSeverity: String, Codable, Sendable, Comparable, CaseIterable {
    case warning, error

    public static func < (lhs: LintSeverity, rhs: LintSeverity) -> Bool { lhs == .warning && rhs == .error }

    /// `warn`, `warning` or `error`, as `--severity` takes it.
    public init?(flag: String) {
        switch flag.lowercased() {
        case "warn", "warning", "warnings": self = .warning
        case "error", "errors": self = .error
        default: return nil
        }
    }
}

/// The traps `quickup lint` looks for (N1); docs/LINT.md shows a bad and a good example of each.
/// The raw value is the id used in output, in `lint: {disable: […]}` and in
/// `-- quickup:lint-ignore <id>` comments.
public enum LintRule: String, CaseIterable, Codable, Sendable {
    case delimiterInStatement = "delimiter-in-statement"
    case dashCommentWithoutSpace = "dash-comment-no-space"
    case useDatabase = "use-database"
    case implicitCommitInTransaction = "implicit-commit-in-transaction"
    case nonIdempotentDDL = "non-idempotent-ddl"
    case destructiveWithoutBackup = "destructive-without-backup"
    case longStatementWithoutEstimate = "long-statement-without-estimate"
    case incompatibleWithoutVersion = "incompatible-without-compatible-version"
    case rollbackMismatch = "rollback-mismatch"
    case clickHouseServerVersion = "clickhouse-server-version"
    case redisDangerousCommand = "redis-dangerous-command"
    case unterminatedAtEnd = "unterminated-at-end"

    public var id: String { rawValue }

    public var severity: LintSeverity {
        switch self {
        case .delimiterInStatement, .implicitCommitInTransaction, .clickHouseServerVersion,
             .redisDangerousCommand, .unterminatedAtEnd:
            return .error
        case .dashCommentWithoutSpace, .useDatabase, .nonIdempotentDDL, .destructiveWithoutBackup,
             .longStatementWithoutEstimate, .incompatibleWithoutVersion, .rollbackMismatch:
            return .warning
        }
    }

    /// One line for `--help`-like listings and SARIF's rule descriptions.
    public var summary: String {
        switch self {
        case .delimiterInStatement: return "DELIMITER inside an unfinished statement"
        case .dashCommentWithoutSpace: return "a line starting --X (no blank after --)"
        case .useDatabase: return "USE or \\u inside a script"
        case .implicitCommitInTransaction: return "implicit commit inside a transactional task"
        case .nonIdempotentDDL: return "DDL that fails when a half-done task is re-run"
        case .destructiveWithoutBackup: return "destructive statement with neither .rollback nor backup"
        case .longStatementWithoutEstimate: return "ALTER of a large table in in_stop without a duration estimate"
        case .incompatibleWithoutVersion: return "change to a table the old version uses, without compatible_version"
        case .rollbackMismatch: return ".rollback that does not undo its task's DDL"
        case .clickHouseServerVersion: return "ClickHouse statement the declared server version cannot run"
        case .redisDangerousCommand: return "FLUSHALL, FLUSHDB or KEYS in a Redis script"
        case .unterminatedAtEnd: return "statement the splitter had to guess at (unterminated at the end)"
        }
    }

    /// Where docs/LINT.md explains the rule (SARIF `helpUri` is relative to the repository).
    public var documentationAnchor: String { "docs/LINT.md#\(rawValue)" }

    /// Reads ids as written in `lint: {disable: […]}`; unknown ids are returned separately.
    public static func parse(_ ids: [String]) -> (rules: Set<LintRule>, unknown: [String]) {
        var rules = Set<LintRule>(), unknown: [String] = []
        for id in ids {
            if let rule = LintRule(rawValue: id.trimmingSpaces) { rules.insert(rule) } else { unknown.append(id) }
        }
        return (rules, unknown)
    }

    public static var idList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
