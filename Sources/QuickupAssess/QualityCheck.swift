import Foundation
import QuickupCore

/// One data-quality rule ready to run (A2): the rule, its datasource and the counting SQL.
public struct QualityCheck: Sendable {
    public var rule: QualityRule
    public var datasource: String?
    /// The counting SQL, or why none could be written (a bad identifier, a missing file …).
    public var sql: Result<String, QuickupError>
    /// The plan's scripts create the checked table: a failing query then means "not there yet".
    public var tableCreatedByPlan = false

    public var id: String { "quality.\(rule.component).\(rule.uid)" }

    /// The rules that apply to `from → to`: those whose `versions` contains either, and those
    /// without `versions` that ship with a version inside the upgrade (from, to].
    public static func applicable(in release: Release, from: Version, to: Version) -> [QualityRule] {
        release.components.flatMap(\.qualityRules).filter { rule in
            rule.versions == nil ? rule.version > from && rule.version <= to : rule.applies(from: from, to: to)
        }
    }

    /// Rules of the upgrade's versions (shipped in (from, to]) whose own `versions` range
    /// contains neither version: they do not run, and the report says so and why (issue 14 item 4).
    public static func outOfRange(in release: Release, from: Version, to: Version) -> [QualityRule] {
        release.components.flatMap(\.qualityRules).filter { rule in
            rule.versions != nil && rule.version > from && rule.version <= to && !rule.applies(from: from, to: to)
        }
    }

    /// Why `outOfRange` left a rule out.
    public static func outOfRangeReason(_ rule: QualityRule, from: Version, to: Version) -> String {
        "not run: its versions \(rule.versions?.description ?? "?") contain neither \(from) nor \(to)"
    }

    /// Prepares a rule for the datasource it names (or its component's first SQL datasource).
    public static func prepare(_ rule: QualityRule, release: Release, releaseRoot: String, environment: Environment) -> QualityCheck {
        let name = rule.datasource ?? release.component(named: rule.component)?.defaultDatasource(for: .sql)?.name
        let type = name.flatMap { environment.datasource(named: $0)?.type } ?? .mariadb
        return QualityCheck(rule: rule, datasource: name, sql: Result { () throws(QuickupError) -> String in
            try countingSQL(rule, type: type, releaseRoot: releaseRoot)
        })
    }

    static func countingSQL(_ rule: QualityRule, type: DatasourceType, releaseRoot: String) throws(QuickupError) -> String {
        switch rule.body {
        case .sql(let sql):
            return sql
        case .check(let check):
            return try QualitySQL.counting(check, dialect: QualitySQL.Dialect(type))
        case .file(let file):
            let path = "\(releaseRoot)/\(rule.directory)/\(file)"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw QuickupError(.fileNotFound, "cannot read \(path) of rule \(rule.uid)", at: rule.location)
            }
            let dialect: SQLDialect = type == .clickhouse ? .clickhouse : type == .sqlite ? .sqlite : .mariadb
            let statements = try SQLSplitter(dialect: dialect).split(String(decoding: data, as: UTF8.self), file: "\(rule.directory)/\(file)")
            guard statements.count == 1, let only = statements.first else {
                throw QuickupError(.invalidArgument, "\(rule.directory)/\(file) of rule \(rule.uid) holds \(statements.count) statements, not one counting query",
                                   at: rule.location)
            }
            return only.text
        }
    }

    /// The verdict for a count (A2): ≤ threshold → PASS, else FAIL or WARN by severity.
    public func result(count: Int64) -> CheckResult {
        let broken = count > rule.threshold
        let status: CheckStatus = broken ? (rule.severity == .fail ? .fail : .warn) : .pass
        let summary = "\(DurationAssessment.grouped(count)) row\(count == 1 ? "" : "s") found, threshold \(DurationAssessment.grouped(rule.threshold))"
        return base(status, summary, suggestion: broken ? rule.suggestion ?? "fix the rows the query counts, then assess again" : nil,
                    measured: Double(count))
    }

    /// A rule that could not run: SQL error → FAIL with the server's message (A2).
    public func result(error: QuickupError) -> CheckResult {
        base(error.code == .unsupported ? .skipped : .fail, error.message, suggestion: error.hint)
    }

    /// The table of a built-in check, if the rule is one.
    public var table: String? {
        if case .check(let check) = rule.body { return check.table }
        return nil
    }

    public func skipped(_ reason: String) -> CheckResult {
        base(.skipped, reason, suggestion: nil)
    }

    private func base(_ status: CheckStatus, _ summary: String, suggestion: String?, measured: Double? = nil) -> CheckResult {
        var result = CheckResult(category: .quality, id: id, title: "\(rule.component): \(rule.description.isEmpty ? rule.uid : rule.description)",
                                 status: status, summary: summary, measured: measured, threshold: Double(rule.threshold), unit: "rows",
                                 suggestion: suggestion)
        result.sql = try? sql.get()
        result.datasource = datasource
        return result
    }
}
