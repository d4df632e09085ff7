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
/// and `.rollback` once (`ComponentLint`), applies release and component `lint: {disable}`, and keeps the A3
/// findings for tables the old version has (not those the component's own tasks create).
public struct ReleaseLinter: Sendable {
    public init() {}

    /// Lints `release`, whose files are under `root` (as loaded by `ReleaseLoader`), reading every
    /// script again. `ReleaseLoader.load(directory:lint:)` gives the same report from its own read.
    public func lint(_ release: Release, root: String, request: LintRequest = LintRequest()) -> LintReport {
        guard let files = ReleaseFiles(root: root) else { return LintReport(findings: [], scripts: 0, tasks: 0) }
        let components = release.components
        let pass = LintPass(request: request, releaseDisabled: release.lintDisabled)
        let results = UnsafeMutableBufferPointer<ComponentLintResult>.allocate(capacity: components.count)
        results.initialize(repeating: ComponentLintResult())
        defer {
            results.deinitialize()
            results.deallocate()
        }
        nonisolated(unsafe) let slots = results
        let root = files.root, realRoot = files.realRoot
        // Components are independent, as in the loader: one at a time per core.
        DispatchQueue.concurrentPerform(iterations: components.count) { index in
            slots[index] = lint(components[index], files: ReleaseFiles(root: root, realRoot: realRoot), pass: pass)
        }
        return ComponentLintResult.report(Array(results))
    }

    private func lint(_ component: Component, files: ReleaseFiles, pass: LintPass) -> ComponentLintResult {
        let lint = ComponentLint(pass: pass, componentDisabled: component.lintDisabled)
        for task in component.tasks where lint.wants(task) {
            guard let file = task.file, case .success(let path) = files.resolve(file, from: task.directory),
                  let text = files.readLoadedText(path) else { continue }
            lint.lint(task, text: text, file: files.display(path), component: component, files: files)
        }
        return lint.finish(component)
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
        let loaded = ReleaseLoader().load(directory: directory, lint: LintPass(request: request), checksums: false)
        let report = loaded.lint ?? ReleaseLinter().lint(loaded.release, root: loaded.root, request: request)
        let reported = Set(report.findings.filter { $0.rule == .unterminatedAtEnd }.map { "\($0.file):\($0.line)" })
        let loadErrors = loaded.diagnostics.sortedErrors.filter { error in
            guard error.code == .sqlSyntax, let location = error.location, let line = location.line else { return true }
            return !reported.contains("\(location.file):\(line)")
        }
        return Outcome(report: report, loadErrors: loadErrors)
    }

    /// What `validate` adds (N1): error findings (or all, with `atLeast: .warning`) as errors.
    public static func validationErrors(_ workspace: Workspace, atLeast severity: LintSeverity = .error) -> [QuickupError] {
        (workspace.lint ?? ReleaseLinter().lint(workspace.release, root: workspace.releaseRoot)).filtered(atLeast: severity).findings.map {
            QuickupError(.lint, "\($0.severity.rawValue) \($0.rule.rawValue): \($0.what) — \($0.why)",
                         at: SourceLocation(file: $0.file, line: $0.line), hint: $0.fix)
        }
    }
}
