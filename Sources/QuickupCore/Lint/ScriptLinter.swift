/// What lint knows about one task's script besides its text (N1). Pure values; the release side
/// (`ReleaseLinter`) reads the files and fills it in.
public struct ScriptLintContext: Sendable {
    public var task: UpgradeTask
    /// The script's name in findings (as the loader names files).
    public var file: String
    /// The engine of the task's datasource; nil when unknown (then MariaDB rules apply to SQL).
    public var datasourceType: DatasourceType?
    /// The oldest server version sites run (`min_server_version` in component.yaml).
    public var serverVersion: ServerVersion?
    /// component.yaml's `backup_tables`.
    public var backupTables: [String]
    /// The `.rollback` script, when the task has one and it could be read.
    public var rollback: (file: String, text: String)?
    public var thresholds: LintThresholds

    public init(task: UpgradeTask, file: String, datasourceType: DatasourceType?, serverVersion: ServerVersion? = nil,
                backupTables: [String] = [], rollback: (file: String, text: String)? = nil,
                thresholds: LintThresholds = LintThresholds()) {
        self.task = task
        self.file = file
        self.datasourceType = datasourceType
        self.serverVersion = serverVersion
        self.backupTables = backupTables
        self.rollback = rollback
        self.thresholds = thresholds
    }

    var dialect: SQLDialect {
        switch datasourceType {
        case .clickhouse?: return .clickhouse
        case .sqlite?: return .sqlite
        default: return .mariadb
        }
    }

    var isMariaDBFamily: Bool { datasourceType == nil || datasourceType == .mariadb || datasourceType == .mysql }
}

/// Limits the rules use, as data (GUIDE: policies are data).
public struct LintThresholds: Sendable, Hashable {
    /// A task `.volume` at or above these makes its table "large" for `long-statement-without-estimate`.
    public var largeTableBytes: Int64 = 1 << 30
    public var largeTableRows: Int64 = 1_000_000
    /// How many times the DELIMITER rule re-splits a script to count what the author meant.
    public var delimiterRepairs = 32
    public init() {}
}

/// The result for one script: findings (suppression comments applied), and the facts the
/// release-wide pass needs (A3 needs the tables the whole component creates).
public struct ScriptLintResult: Sendable {
    public var findings: [LintFinding] = []
    /// Tables the script creates (lower-cased, without schema).
    public var createdTables: [String] = []
    /// `incompatible-without-compatible-version` findings, each with the tables it names; the
    /// release pass keeps those whose tables the component's own tasks did not create.
    public var compatibilityCandidates: [(tables: [String], finding: LintFinding)] = []
}

/// Runs the rules of N1 on one task's script. No I/O.
public enum ScriptLinter {
    /// `analysis`: `SQLSplitter(dialect: context.dialect).analyze(text, file: context.file)` when
    /// the caller already has it (the loader splits every script to validate it), so a script is
    /// split once (issue 19).
    public static func lint(_ text: String, context: ScriptLintContext, analysis: SQLScriptAnalysis? = nil) -> ScriptLintResult {
        var source = LintSource(text)
        var result = ScriptLintResult()
        switch context.task.kind {
        case .sql:
            var rules = SQLRules(context: context, source: source, analysis: analysis)
            rules.run(into: &result)
            source = rules.source
        case .redis:
            result.findings = RedisRules.findings(text, context: context, source: &source)
        case .tool, .config:
            return result
        }
        result.findings.removeAll { source.isSuppressed($0.rule, line: $0.line) }
        result.compatibilityCandidates.removeAll { source.isSuppressed($0.finding.rule, line: $0.finding.line) }
        return result
    }

    /// Table names as rules compare them: without quotes and schema, lower-cased.
    static func normalized(_ table: String) -> String {
        String(table.split(separator: ".").last ?? Substring(table)).lowercased()
    }
}

/// `FLUSHALL`, `FLUSHDB`, `KEYS` in a Redis script (commands or Lua).
enum RedisRules {
    static let dangerous: [String: String] = [
        "FLUSHALL": "deletes every key of every database on the server, including other components' data",
        "FLUSHDB": "deletes every key of the database, including keys the upgrade does not own",
        "KEYS": "scans the whole keyspace in one blocking call; on a large site Redis stops answering for seconds",
    ]

    static func findings(_ text: String, context: ScriptLintContext, source: inout LintSource) -> [LintFinding] {
        var found: [(name: String, line: Int, column: Int)] = []
        if RedisScript.isLua(text, file: context.file) {
            // Lua: redis.call('FLUSHALL') / redis.pcall("keys", …), any case.
            for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" }).enumerated() {
                let upper = line.uppercased()
                for name in dangerous.keys.sorted() {
                    for quote in ["'", "\""] {
                        if let range = upper.firstRange(of: quote + name + quote) {
                            found.append((name, index + 1, upper.distance(from: upper.startIndex, to: range.lowerBound) + 1))
                        }
                    }
                }
            }
        } else if case .commands(let commands)? = try? RedisScript.parse(text, file: context.file) {
            // A script that does not parse fails validation elsewhere; lint has nothing to add.
            for command in commands where dangerous[command.name] != nil {
                found.append((command.name, command.line, source.firstNonBlankColumn(line: command.line)))
            }
        }
        return found.map { item in
            let fix = item.name == "KEYS"
                ? "iterate with SCAN MATCH pattern COUNT 1000, or use the key names the component knows"
                : "delete the keys the upgrade owns by name (DEL/UNLINK), or SCAN their pattern and UNLINK what it returns"
            return LintFinding(rule: .redisDangerousCommand, file: context.file, line: item.line, column: item.column,
                               what: "\(item.name) in a Redis upgrade script", why: dangerous[item.name] ?? "", fix: fix,
                               task: context.task.key)
        }
    }
}
