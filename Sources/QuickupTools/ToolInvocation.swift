import Foundation
import QuickupCore

/// Everything needed to start one tool or hook (T1).
public struct ToolInvocation: Sendable {
    /// argv; `arguments[0]` is an absolute path or a name looked up in PATH.
    public var arguments: [String]
    public var workDirectory: String
    /// `QUICKUP_*` and tool-specific variables. The tool does not inherit quickup's environment
    /// (it may hold the secrets env.yaml refers to); only PATH, HOME, LANG, TZ and these.
    public var environment: [String: String]
    /// The JSON context written to the tool's stdin.
    public var context: Data
    public var limits: PluginLimits
    /// Names the tool in cgroup names and messages.
    public var name: String
    /// Between SIGTERM and SIGKILL when the tool is stopped.
    public var terminationGrace: Duration
    /// Bytes of plain output passed on as events; beyond it only counts are kept.
    public var logBudgetBytes: Int64
    /// Paths the tool must see read-only even inside a sandbox that hides them (ToolSandbox).
    public var readOnlyPaths: [String] = []

    public init(arguments: [String], workDirectory: String, environment: [String: String] = [:], context: Data = Data("{}".utf8),
                limits: PluginLimits, name: String, terminationGrace: Duration = .seconds(3), logBudgetBytes: Int64 = 4 << 20) {
        self.arguments = arguments
        self.workDirectory = workDirectory
        self.environment = environment
        self.context = context
        self.limits = limits
        self.name = name
        self.terminationGrace = terminationGrace
        self.logBudgetBytes = logBudgetBytes
    }

    /// The variables every tool gets on top of `environment`.
    public var fullEnvironment: [String: String] {
        // Six variables read with getenv: `ProcessInfo.environment` builds a dictionary of the
        // whole environment on every call — measurable on every tool's start (issue 20.2).
        let inherited = { (key: String) in getenv(key).map { String(cString: $0) } }
        var result: [String: String] = ["PATH": inherited("PATH") ?? "/usr/local/bin:/usr/bin:/bin"]
        for key in ["HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"] { result[key] = inherited(key) }
        result["PYTHONUNBUFFERED"] = "1"
        result.merge(environment) { _, new in new }
        return result
    }
}
