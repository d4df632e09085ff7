import Foundation
import QuickupCore
import QuickupRemote
import QuickupTools

/// A tool task with `.where=hosts` (M2, issue 15 item 5): the same context, messages and limits
/// as a local tool (`PluginRunner`), but run on every host of env.yaml that runs the task's
/// component (its `components:`), all at once, each as a remote step (S1) keyed by the first run
/// of this upgrade — a dropped link, a `kill -9` of quickup and the resume never run it twice on
/// a host; a host where an earlier attempt *failed* runs it again (the retry).
struct RemoteToolTask<C: Clock>: Sendable where C.Duration == Duration {
    let plugins: PluginRunner<C>
    let journal: Journal

    func run(_ task: UpgradeTask, entry: ToolEntry, attempt: Int, progress: ToolProgress) async throws(QuickupError) {
        let request = plugins.request, context = plugins.context
        let hosts = request.environment.hosts.filter { $0.components.contains(task.component) }
        guard !hosts.isEmpty else {
            throw QuickupError(.invalidArgument, "\(task.key) runs on the hosts of \(task.component) (.where=hosts), but no host of env.yaml lists it under components",
                               at: task.location(of: "where"),
                               hint: "add \(task.component) to components: of the hosts that run it in env.yaml, or set .where=local")
        }
        guard case .executable(let path) = entry else {
            throw QuickupError(.manifestInvalid, "\(task.key): a tool run on the hosts must be an executable path", at: task.location(of: "where"))
        }
        let root = request.releaseRoot.hasPrefix("/") ? request.releaseRoot : FileManager.default.currentDirectoryPath + "/" + request.releaseRoot
        let file = "\(root)/\(task.directory)/\(path)"
        guard let executable = FileManager.default.contents(atPath: file) else {
            throw QuickupError(.fileNotFound, "\(task.key): \(file) does not exist", at: task.location(of: "package"),
                               hint: "check the path in the manifest; it is relative to \(root)/\(task.directory)")
        }
        let profile = request.plugin(task.component)
        let toolContext = try plugins.makeContext(.task(task), profile: profile, attempt: attempt, work: "\(root)/\(task.directory)")
        let tool = RemoteTool(
            name: task.key, markerGroup: try journal.firstRun(of: plugins.runID), stepID: "tool-\(task.key)", executable: executable,
            context: { host in
                var own = toolContext
                own.environment["host"] = host.name
                own.workDirectory = "\(host.remoteStateDir)/tools"
                return own.json()
            },
            environment: toolContext.variables, limits: profile.limits)
        let connections = SSHConnections(context: RemoteContext(stateDirectory: RunContext<C>.absolute(context.stateDirectory),
                                                                keepalive: request.environment.keepalive,
                                                                log: { line in context.output.record(["task": task.key, "stream": "ssh", "line": line]) }))
        let results = await RemoteToolRunner(connections: connections).run(tool, on: hosts)
        await connections.closeAll()
        let redaction = SecretRedaction(knownSecrets: toolContext.datasources.values.compactMap(\.password))
        var failures: [String] = []
        var firstError: QuickupError?
        for (host, result) in results {
            let name = "\(task.key)@\(host.name)"
            switch result {
            case .success(let outcome):
                for message in outcome.messages {
                    PluginRunner<C>.report(.message(message), name: name, output: context.output, progress: progress, redaction: redaction)
                    if case .result(let json) = message { context.output.record(["task": name, "result": redaction.scrubKnown(json)]) }
                }
                for line in outcome.stderrTail.split(separator: "\n") {
                    PluginRunner<C>.report(.stderr(String(line)), name: name, output: context.output, progress: progress, redaction: redaction)
                }
                if !outcome.startedByThisCall {
                    context.output.line("[INFO] \(name): collected the result of the run started before the interruption (not run again)")
                }
                if !outcome.succeeded {
                    let tail = outcome.stderrTail.isEmpty ? "" : ": \(redaction.scrubKnown(outcome.stderrTail))"
                    failures.append("\(host.name) exited with status \(outcome.exitCode)\(tail)")
                }
            case .failure(let error):
                firstError = firstError ?? error
                failures.append("\(host.name): \(error.message)")
            }
        }
        guard failures.isEmpty else {
            if let firstError, failures.count == 1 { throw firstError }
            throw QuickupError(.taskFailed, "\(task.key) failed on \(failures.count) of \(hosts.count) host(s): " + failures.joined(separator: "; "),
                               at: task.location, hint: firstError?.hint ?? "see the run's detail log for everything the tool printed on each host")
        }
    }
}
