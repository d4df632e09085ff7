import Foundation
import QuickupCore
import QuickupTools
import Synchronization

/// Runs a tool task or a component hook through the T1 protocol inside its class's sandbox (T3)
/// and turns the outcome into records and, on failure, an error that says what and why.
struct PluginRunner<C: Clock>: Sendable where C.Duration == Duration {
    let runID: String
    let request: RunRequest
    let context: RunContext<C>
    let stage: Stage
    /// Where the tools that run are recorded, so a run after a kill -9 stops what is left (issue 13 item 1).
    var journal: Journal? = nil

    /// What is being run: a task of the plan, or a hook of a component.
    enum Subject: Sendable {
        case task(UpgradeTask)
        case hook(HookPoint, component: String)

        var component: String {
            switch self {
            case .task(let task): task.component
            case .hook(_, let component): component
            }
        }
        var name: String {
            switch self {
            case .task(let task): task.key
            case .hook(let point, let component): "\(component)/hook.\(point.rawValue)"
            }
        }
    }

    func run(_ subject: Subject, entry: ToolEntry, attempt: Int, progress: ToolProgress) async throws(QuickupError) -> ToolOutcome {
        let profile = request.plugin(subject.component)
        // Absolute: the tool runs in its own working directory, not quickup's.
        let root = request.releaseRoot.hasPrefix("/") ? request.releaseRoot : FileManager.default.currentDirectoryPath + "/" + request.releaseRoot
        let work: String, searchPath: String
        switch subject {
        case .task(let task): (work, searchPath) = ("\(root)/\(task.directory)", "tools")
        case .hook(_, let component): (work, searchPath) = ("\(root)/\(component)", "hooks")
        }
        let arguments: [String]
        var variables: [String: String] = [:]
        switch entry {
        case .executable(let path):
            let executable = path.hasPrefix("/") ? path : "\(work)/\(path)"
            guard access(executable, X_OK) == 0 else {
                throw QuickupError(.fileNotFound, "\(subject.name): \(executable) \(access(executable, F_OK) == 0 ? "is not executable" : "does not exist")",
                                   hint: access(executable, F_OK) == 0 ? "chmod +x it in the release" : "check the path in the manifest; it is relative to \(work)")
            }
            arguments = [executable]
        case .python(let module, let function):
            arguments = PythonHelper.arguments(module: module, function: function, searchPath: searchPath)
        }
        // Absolute (issue 13 item 3): the tool runs in its own working directory, so a relative
        // state directory (the default `.quickup`) would point nowhere.
        let state = RunContext<C>.absolute(context.stateDirectory)
        let helper = try PythonHelper.install(in: "\(state)/python")
        variables["PYTHONPATH"] = helper
        // Compiled modules go to the state directory, never into the release (which must stay as shipped).
        variables["PYTHONPYCACHEPREFIX"] = "\(state)/python/cache"
        let toolContext = try makeContext(subject, profile: profile, attempt: attempt, work: work)
        variables.merge(toolContext.variables) { _, new in new }
        var invocation = ToolInvocation(arguments: arguments, workDirectory: work, environment: variables, context: toolContext.json(),
                                        limits: profile.limits, name: subject.name, terminationGrace: context.toolTerminationGrace)
        // A third_party sandbox has a private /tmp: the helper is bound into it explicitly.
        invocation.readOnlyPaths = [helper]
        try ToolLaunchCheck.verify(arguments, path: invocation.fullEnvironment["PATH"] ?? "/usr/bin:/bin",
                                   name: subject.name)
        let output = context.output, name = subject.name
        // The tool was handed its datasources' passwords; if it prints one, the logs (and a
        // support bundle made from them) must not keep it (D4, L1).
        let redaction = SecretRedaction(knownSecrets: toolContext.datasources.values.compactMap(\.password))
        let outcome = try await ToolProcess.run(invocation, support: context.isolation, watch: watch(name), launchers: context.launchers) { event in
            Self.report(event, name: name, output: output, progress: progress, redaction: redaction)
        }
        if case .python = entry, outcome.ending == .exited(PythonHelper.helperMissingStatus),
           let line = outcome.stderrTail.split(separator: "\n").first(where: { $0.hasPrefix(PythonHelper.helperMissingMarker) }) {
            throw QuickupError(.toolNotStarted, "\(name) could not be started: \(line)",
                               hint: "the helper is written to \(helper); check that the tool's sandbox can read it (`quickup doctor`)")
        }
        if outcome.leftoversKilled > 0 {
            output.line("[WARN] \(name) left \(outcome.leftoversKilled) process(es) running after it ended; quickup killed them")
        }
        if let result = outcome.result { output.record(["task": name, "result": redaction.scrubKnown(result)]) }
        guard outcome.succeeded else { throw failure(outcome, name: name, profile: profile, redaction: redaction) }
        return outcome
    }

    /// Records the tool in the journal while any of its processes may run.
    private func watch(_ name: String) -> ToolProcess.ToolWatch? {
        guard let journal else { return nil }
        let runID = self.runID, host = context.host, now = context.now, output = context.output
        return ToolProcess.ToolWatch(started: { process, cgroups in
            let tool = RunningTool(runID: runID, name: name, host: host, process: process, cgroups: cgroups,
                                   owner: .current, startedAt: now())
            do { try journal.recordTool(tool) } catch { output.line("[WARN] \(name): \(error)") }
        }, ended: { pid in
            do { try journal.forgetTool(host: host, pid: pid) } catch { output.line("[WARN] \(name): \(error)") }
        })
    }

    private func failure(_ outcome: ToolOutcome, name: String, profile: PluginProfile, redaction: SecretRedaction) -> QuickupError {
        let tail = outcome.stderrTail.isEmpty ? "" : "; last lines of stderr:\n\(redaction.scrubKnown(outcome.stderrTail))"
        if let limit = outcome.limitHit {
            return QuickupError(.limitExceeded,
                                "\(name) was stopped: it exceeded \(limit.describe(profile.limits)) (\(profile.pluginClass.rawValue) plugin, \(context.isolation.mechanismName))\(tail)",
                                hint: "if the tool really needs more, raise limits in \(profile.component)/component.yaml; otherwise fix the tool")
        }
        return QuickupError(.taskFailed, "\(name) \(outcome.ending)\(tail)", hint: "see the run's detail log for everything the tool printed")
    }

    func makeContext(_ subject: Subject, profile: PluginProfile, attempt: Int, work: String) throws(QuickupError) -> ToolContext {
        var datasources: [String: ToolContext.DatasourceInfo] = [:]
        var names = profile.datasources
        if case .task(let task) = subject {
            for own in [task.datasource, task.source, task.target].compactMap({ $0 }) where !names.contains(own) { names.append(own) }
        }
        for name in names {
            guard let config = request.environment.datasource(named: name) else { continue }
            datasources[name] = ToolContext.DatasourceInfo(
                type: config.type.rawValue, host: config.host, port: config.port, user: config.user,
                password: try context.secrets.secret(for: config.password, of: name), database: config.database, path: config.path)
        }
        var taskInfo: ToolContext.TaskInfo?
        var hook: String?
        switch subject {
        case .task(let task):
            var parameters: [String: String] = [:]
            parameters["source"] = task.source
            parameters["target"] = task.target
            parameters["volume"] = task.volume.map { "\($0)" }
            parameters["datasource"] = task.datasource
            taskInfo = ToolContext.TaskInfo(key: task.key, uid: task.uid, id: task.id, description: task.description,
                                            version: task.version.description, package: task.package, parameters: parameters)
        case .hook(let point, _):
            hook = point.rawValue
        }
        let environment = ["name": request.environment.name ?? request.environment.site, "site": request.environment.site, "host": context.host,
                           "cores": "\(ProcessInfo.processInfo.activeProcessorCount)", "release": request.plan.release]
        return ToolContext(runID: runID, from: request.plan.from.description, to: request.plan.to.description, stage: stage.rawValue,
                           site: request.plan.site, component: subject.component, attempt: attempt, hook: hook, task: taskInfo,
                           workDirectory: work, environment: environment, datasources: datasources)
    }

    static func report(_ event: ToolEvent, name: String, output: RunOutput, progress: ToolProgress, redaction: SecretRedaction) {
        switch event {
        case .message(.progress(let fraction, let message)):
            let message = message.map(redaction.scrubKnown)
            progress.update(fraction: fraction, message: message)
            // Progress messages are in the detail log too (docs/TOOLS.md: every message goes there).
            var fields = ["task": name, "stream": "progress"]
            fields["percent"] = fraction.map { "\(Int(($0 * 100).rounded()))" }
            fields["line"] = message
            output.record(fields)
        case .message(.log(let level, let message)):
            let message = redaction.scrubKnown(message)
            output.record(["task": name, "stream": "log", "level": level, "line": message])
            if level == "warn" || level == "error" { output.line("[\(level.uppercased())] \(name): \(message)") }
        case .message(.text(let line)):
            output.record(["task": name, "stream": "stdout", "line": redaction.scrubKnown(line)])
        case .message(.result):
            break
        case .stderr(let line):
            output.record(["task": name, "stream": "stderr", "line": redaction.scrubKnown(line)])
        case .outputTruncated(let bytes):
            output.record(["task": name, "stream": "note", "line": "output beyond \(bytes) bytes is counted, not logged"])
        }
    }
}

/// The latest progress a tool reported, read by the progress line (E9).
final class ToolProgress: Sendable {
    private let state = Mutex<(fraction: Double?, message: String?)>((nil, nil))
    func update(fraction: Double?, message: String?) {
        state.withLock { current in
            if let fraction { current.fraction = fraction }
            if let message { current.message = message }
        }
    }
    var fraction: Double? { state.withLock { $0.fraction } }
    var message: String? { state.withLock { $0.message } }
}
