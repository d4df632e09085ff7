import Dispatch
import QuickupCore

/// What to lint: all of a loaded release, or the tasks of one upgrade (`--from`/`--to`).
public struct LintRequest: Sendable {
    /// Tasks of versions in `(from, to]` only, when both are given.
    public var from: Version?
    public var to: Version?
    public var thresholds = LintThresholds()

    public init(from: Version? = nil, to: Version? = nil) {
        self.from = from
        self.to = to
    }

    func includes(_ task: UpgradeTask) -> Bool {
        if let from, task.version <= from { return false }
        if let to, task.version > to { return false }
        return true
    }
}

/// Runs `ScriptLinter` over every SQL and Redis task of a loaded release (N1): reads each script
/// and `.rollback` once, applies release and component `lint: {disable}`, and keeps the A3
/// findings for tables the old version has (not those the component's own tasks create).
public struct ReleaseLinter: Sendable {
    public init() {}

    /// Lints `release`, whose files are under `root` (as loaded by `ReleaseLoader`).
    public func lint(_ release: Release, root: String, request: LintRequest = LintRequest()) -> LintReport {
        guard let files = ReleaseFiles(root: root) else { return LintReport(findings: [], scripts: 0, tasks: 0) }
        let components = release.components
        let releaseDisabled = LintRule.parse(release.lintDisabled ?? []).rules
        let results = UnsafeMutableBufferPointer<ComponentResult>.allocate(capacity: components.count)
        results.initialize(repeating: ComponentResult())
        defer {
            results.deinitialize()
            results.deallocate()
        }
        nonisolated(unsafe) let slots = results
        let root = files.root, realRoot = files.realRoot
        // Components are independent, as in the loader: one at a time per core.
        DispatchQueue.concurrentPerform(iterations: components.count) { index in
            let own = ReleaseFiles(root: root, realRoot: realRoot)
            slots[index] = lint(components[index], files: own, request: request,
                                disabled: releaseDisabled.union(LintRule.parse(components[index].lintDisabled ?? []).rules))
        }
        return LintReport(findings: results.flatMap(\.findings), scripts: results.reduce(0) { $0 + $1.scripts },
                          tasks: results.reduce(0) { $0 + $1.tasks })
    }

    private struct ComponentResult {
        var findings: [LintFinding] = []
        var scripts = 0
        var tasks = 0
    }

    private func lint(_ component: Component, files: ReleaseFiles, request: LintRequest, disabled: Set<LintRule>) -> ComponentResult {
        var result = ComponentResult()
        var created = Set<String>()
        var candidates: [(tables: [String], finding: LintFinding)] = []
        for task in component.tasks where request.includes(task) {
            result.tasks += 1
            guard task.kind == .sql || task.kind == .redis, let file = task.file,
                  case .success(let path) = files.resolve(file, from: task.directory), let text = files.readLoadedText(path) else { continue }
            result.scripts += 1
            let datasource = task.datasource.flatMap(component.datasource(named:)) ?? component.defaultDatasource(for: task.kind)
            var context = ScriptLintContext(
                task: task, file: files.display(path), datasourceType: datasource?.type,
                serverVersion: datasource?.minServerVersion.flatMap(ServerVersion.init), backupTables: component.backupTables,
                thresholds: request.thresholds)
            if let rollback = task.rollback, case .success(let rollbackPath) = files.resolve(rollback, from: task.directory),
               let rollbackText = files.readLoadedText(rollbackPath) {
                context.rollback = (file: files.display(rollbackPath), text: rollbackText)
            }
            let found = ScriptLinter.lint(text, context: context)
            result.findings += found.findings.filter { !disabled.contains($0.rule) }
            created.formUnion(found.createdTables)
            candidates += found.compatibilityCandidates.filter { !disabled.contains($0.finding.rule) }
        }
        // A table some task of this component creates is new: the old version does not use it.
        result.findings += candidates.filter { !$0.tables.allSatisfy(created.contains) }.map(\.finding)
        return result
    }
}

/// `quickup lint`'s operation: load the release (directory or zip) and lint it. Load problems
/// that lint reports itself as findings (a script unterminated at its end) are left out of
/// `loadErrors`; any other load problem is returned there, and the rules still run on what loaded.
public enum ReleaseLint {
    public struct Outcome: Sendable {
        public var report: LintReport
        public var loadErrors: [QuickupError]
    }

    public static func run(release: String, request: LintRequest = LintRequest(), cache: ReleaseCache? = nil) throws(QuickupErrors) -> Outcome {
        let directory = try ReleaseCache.resolve(release, cache: cache)
        let loaded = ReleaseLoader().load(directory: directory)
        let report = ReleaseLinter().lint(loaded.release, root: loaded.root, request: request)
        let reported = Set(report.findings.filter { $0.rule == .unterminatedAtEnd }.map { "\($0.file):\($0.line)" })
        let loadErrors = loaded.diagnostics.sortedErrors.filter { error in
            guard error.code == .sqlSyntax, let location = error.location, let line = location.line else { return true }
            return !reported.contains("\(location.file):\(line)")
        }
        return Outcome(report: report, loadErrors: loadErrors)
    }

    /// What `validate` adds (N1): error findings (or all, with `atLeast: .warning`) as errors.
    public static func validationErrors(_ workspace: Workspace, atLeast severity: LintSeverity = .error) -> [QuickupError] {
        ReleaseLinter().lint(workspace.release, root: workspace.releaseRoot).filtered(atLeast: severity).findings.map {
            QuickupError(.lint, "\($0.severity.rawValue) \($0.rule.rawValue): \($0.what) — \($0.why)",
                         at: SourceLocation(file: $0.file, line: $0.line), hint: $0.fix)
        }
    }
}
