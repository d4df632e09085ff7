import QuickupCore

/// What lint needs besides the release's files: the request and the rules release.yaml
/// switches off. Given to the loader, it lints each script while the loader holds it (N1, issue 19).
public struct LintPass: Sendable {
    public var request: LintRequest
    var releaseDisabled: Set<LintRule>

    public init(request: LintRequest = LintRequest(), releaseDisabled: [String]? = nil) {
        self.request = request
        self.releaseDisabled = LintRule.parse(releaseDisabled ?? []).rules
    }
}

/// One component's lint, fed script by script (N1): findings with the release's and the
/// component's `lint: {disable}` applied, and the A3 candidates kept until every task's created
/// tables are known. The loader feeds it the text and split it already made for validation (one
/// read and one split per script, issue 19); `ReleaseLinter` feeds it scripts it reads itself.
/// Not shared between threads: one per component load.
final class ComponentLint {
    let pass: LintPass
    let disabled: Set<LintRule>
    private var findings: [LintFinding] = []
    private var scripts = 0
    private var created = Set<String>()
    private var candidates: [(tables: [String], finding: LintFinding)] = []

    init(pass: LintPass, componentDisabled: [String]?) {
        self.pass = pass
        disabled = pass.releaseDisabled.union(LintRule.parse(componentDisabled ?? []).rules)
    }

    /// Whether the task's script is linted at all: SQL and Redis tasks of the requested versions.
    func wants(_ task: UpgradeTask) -> Bool {
        (task.kind == .sql || task.kind == .redis) && pass.request.includes(task)
    }

    /// Lints one task's script; `analysis` is the loader's split of `text` when it has one.
    func lint(_ task: UpgradeTask, text: String, file: String, analysis: SQLScriptAnalysis? = nil,
              component: Component, files: ReleaseFiles) {
        scripts += 1
        let datasource = task.datasource.flatMap(component.datasource(named:)) ?? component.defaultDatasource(for: task.kind)
        var context = ScriptLintContext(
            task: task, file: file, datasourceType: datasource?.type,
            serverVersion: datasource?.minServerVersion.flatMap(ServerVersion.init), backupTables: component.backupTables,
            thresholds: pass.request.thresholds)
        if let rollback = task.rollback, case .success(let rollbackPath) = files.resolve(rollback, from: task.directory),
           let rollbackText = files.readLoadedText(rollbackPath) {
            context.rollback = (file: files.display(rollbackPath), text: rollbackText)
        }
        let found = ScriptLinter.lint(text, context: context, analysis: analysis)
        findings += found.findings.filter { !disabled.contains($0.rule) }
        created.formUnion(found.createdTables)
        candidates += found.compatibilityCandidates.filter { !disabled.contains($0.finding.rule) }
    }

    /// The component's findings once all its scripts were seen. A table some task of this
    /// component creates is new: the old version does not use it, so its A3 candidates go.
    func finish(_ component: Component) -> ComponentLintResult {
        ComponentLintResult(
            findings: findings + candidates.filter { !$0.tables.allSatisfy(created.contains) }.map(\.finding),
            scripts: scripts, tasks: component.tasks.count { pass.request.includes($0) })
    }
}

struct ComponentLintResult: Sendable {
    var findings: [LintFinding] = []
    var scripts = 0
    var tasks = 0

    static func report(_ results: [ComponentLintResult]) -> LintReport {
        LintReport(findings: results.flatMap(\.findings), scripts: results.reduce(0) { $0 + $1.scripts },
                   tasks: results.reduce(0) { $0 + $1.tasks })
    }
}
