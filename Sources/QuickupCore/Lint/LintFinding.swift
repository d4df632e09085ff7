/// One trap found by `quickup lint` (N1): where, which rule, and three parts an author acts on —
/// what is wrong, why it matters at a site, how to fix it.
public struct LintFinding: Hashable, Sendable, Codable {
    public var rule: LintRule
    public var severity: LintSeverity
    /// The script, as the release loader names it (release directory + relative path).
    public var file: String
    public var line: Int
    /// 1-based, in Unicode code points.
    public var column: Int
    public var what: String
    public var why: String
    public var fix: String
    /// The task the script belongs to (`component/version/kind.uid`).
    public var task: String?
    /// For the DELIMITER and `--X` rules: how many statements the `mariadb` client sends for the
    /// whole script (the differential test checks it against the server's general log).
    public var clientStatements: Int?

    public init(rule: LintRule, file: String, line: Int, column: Int, what: String, why: String, fix: String,
                task: String? = nil, clientStatements: Int? = nil) {
        self.rule = rule
        self.severity = rule.severity
        self.file = file
        self.line = line
        self.column = column
        self.what = what
        self.why = why
        self.fix = fix
        self.task = task
        self.clientStatements = clientStatements
    }

    /// `file:line:column: severity rule-id: what — why — how to fix`, the form compilers use, so
    /// editors and CI logs link it to the line.
    public var text: String {
        "\(file):\(line):\(column): \(severity.rawValue) \(rule.rawValue): \(what) — \(why) — \(fix)"
    }

    /// File, then line, then column, then rule: the order a person fixes them in.
    public static func ordered(_ a: LintFinding, _ b: LintFinding) -> Bool {
        if a.file != b.file { return a.file < b.file }
        if a.line != b.line { return a.line < b.line }
        if a.column != b.column { return a.column < b.column }
        return a.rule.rawValue < b.rule.rawValue
    }
}

/// Every finding of one lint, and the exit status it means (N1: 0 clean, 3 warnings, 1 errors).
public struct LintReport: Sendable, Codable {
    public var findings: [LintFinding]
    /// Scripts read.
    public var scripts: Int
    public var tasks: Int

    public init(findings: [LintFinding], scripts: Int, tasks: Int) {
        self.findings = findings.sorted(by: LintFinding.ordered)
        self.scripts = scripts
        self.tasks = tasks
    }

    public var errors: Int { findings.count { $0.severity == .error } }
    public var warnings: Int { findings.count { $0.severity == .warning } }

    /// Only findings at or above `severity`.
    public func filtered(atLeast severity: LintSeverity) -> LintReport {
        var report = self
        report.findings = findings.filter { $0.severity >= severity }
        return report
    }

    public enum Outcome: Int32, Sendable {
        case clean = 0, errors = 1, warnings = 3
    }

    public var outcome: Outcome { errors > 0 ? .errors : (warnings > 0 ? .warnings : .clean) }

    public var summary: String {
        if findings.isEmpty { return "lint: \(tasks) tasks, \(scripts) scripts: no findings" }
        return "lint: \(tasks) tasks, \(scripts) scripts: \(errors) error\(errors == 1 ? "" : "s"), "
            + "\(warnings) warning\(warnings == 1 ? "" : "s")"
    }
}
