import Foundation
import QuickupCore
import QuickupTools

/// A tool task with `.where=hosts` (M2, issue 15 item 5): one executable sent to each of the
/// component's hosts and run there under the T1 protocol — its context JSON on stdin, only the
/// `QUICKUP_*` variables and PATH/HOME/LANG/TZ in its environment, its stdout read as messages.
public struct RemoteTool: Sendable {
    /// Names the tool in messages (the task key).
    public var name: String
    /// Groups the markers on the host: the first run of the upgrade, so a resume finds them.
    public var markerGroup: String
    /// The step on each host; a second call with the same id collects instead of starting again.
    public var stepID: String
    /// The tool's bytes (a script or a static binary), written to the host beside its marker.
    public var executable: Data
    /// Per host: the context JSON written to the tool's stdin (it names the host it runs on).
    public var context: @Sendable (HostConfig) -> Data
    public var environment: [String: String]
    public var limits: PluginLimits

    public init(name: String, markerGroup: String, stepID: String, executable: Data, context: @escaping @Sendable (HostConfig) -> Data,
                environment: [String: String], limits: PluginLimits) {
        self.name = name
        self.markerGroup = markerGroup
        self.stepID = stepID
        self.executable = executable
        self.context = context
        self.environment = environment
        self.limits = limits
    }
}

/// How the tool ended on one host.
public struct RemoteToolOutcome: Sendable {
    public var host: String
    public var exitCode: Int32
    /// Its stdout read line by line as T1 messages (the last 64 KiB).
    public var messages: [ToolMessage]
    public var stderrTail: String
    /// False when an earlier call (before a drop or a crash) had started it and this one only
    /// collected its result: the tool ran once.
    public var startedByThisCall: Bool
    public var succeeded: Bool { exitCode == 0 }
}

/// Runs a `RemoteTool` on hosts in parallel, each as a `RemoteStep` on the host's plugin-class
/// connection, so a dropped link or a killed quickup never runs it twice: after a reconnect or a
/// resume the marker is read — finished: its result is taken; still running: waited for. Only a
/// finished *failure* from an earlier call is cleared and run again (that is a retry, E8).
public struct RemoteToolRunner: Sendable {
    public let connections: SSHConnections
    public var poll: TimeSpan

    public init(connections: SSHConnections, poll: TimeSpan = TimeSpan(milliseconds: 200)) {
        self.connections = connections
        self.poll = poll
    }

    public func run(_ tool: RemoteTool, on hosts: [HostConfig]) async -> [(host: HostConfig, result: Result<RemoteToolOutcome, QuickupError>)] {
        await withTaskGroup(of: (Int, Result<RemoteToolOutcome, QuickupError>).self) { group in
            for (index, host) in hosts.enumerated() {
                group.addTask { (index, await result(tool, on: host)) }
            }
            var results = [Result<RemoteToolOutcome, QuickupError>?](repeating: nil, count: hosts.count)
            for await (index, result) in group { results[index] = result }
            return zip(hosts, results).compactMap { host, result in result.map { (host: host, result: $0) } }
        }
    }

    func result(_ tool: RemoteTool, on host: HostConfig) async -> Result<RemoteToolOutcome, QuickupError> {
        do { return .success(try await run(tool, on: host)) } catch { return .failure(error) }
    }

    public func run(_ tool: RemoteTool, on host: HostConfig) async throws(QuickupError) -> RemoteToolOutcome {
        let steps = RemoteSteps(connection: connections.connection(to: host, .plugin), poll: poll)
        let step = RemoteStep(runID: tool.markerGroup, stepID: tool.stepID, command: RemoteToolScript.command(tool, host: host))
        let outcome = try await steps.runRetryingEarlierFailure(step)
        let messages = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: true).map { ToolMessage.parse(String($0)) }
        return RemoteToolOutcome(host: host.name, exitCode: outcome.exitCode, messages: messages, stderrTail: Self.tail(outcome.stderr),
                                 startedByThisCall: outcome.startedByThisCall)
    }

    /// The last 20 lines, as a local tool's failure shows them.
    static func tail(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).suffix(20).joined(separator: "\n")
    }
}

/// The step's shell text: writes the tool and its context beside the marker (mode 0700, the
/// command file holding them removed at once), applies the limits with ulimit, runs the tool in
/// a clean environment with the context on stdin, then removes the context (it may hold
/// datasource passwords).
enum RemoteToolScript {
    static func command(_ tool: RemoteTool, host: HostConfig) -> String {
        let directory = "\(host.remoteStateDir)/tools/\(RemoteStep.safe(tool.markerGroup))/\(RemoteStep.safe(tool.stepID))"
        let eof = "QUICKUP_TOOL_\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        var environment = ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": directory]
        environment.merge(tool.environment) { _, new in new }
        let assignments = environment.sorted { $0.key < $1.key }.map { ShellQuoting.quote("\($0.key)=\($0.value)") }.joined(separator: " ")
        var limits = ["ulimit -v \(max(1, tool.limits.memory.bytes / 1024))"]
        if let cpu = tool.limits.cpuTime { limits.append("ulimit -t \(max(1, (cpu.milliseconds + 999) / 1000))") }
        return """
        rm -f "$0"
        umask 077
        w=\(ShellQuoting.quote(directory))
        rm -rf "$w"; mkdir -p "$w/work" || exit 3
        base64 -d > "$w/tool" <<'\(eof)'
        \(tool.executable.base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed]))
        \(eof)
        base64 -d > "$w/context.json" <<'\(eof)'
        \(tool.context(host).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed]))
        \(eof)
        chmod 700 "$w/tool"
        cd "$w/work" || exit 3
        (\(limits.joined(separator: "; ")); exec env -i \(assignments) "$w/tool" < "$w/context.json")
        rc=$?
        rm -f "$w/context.json"
        exit $rc

        """
    }
}
