import Foundation
import QuickupCore

extension ServiceController {
    /// Start as a remote step (S1 markers): the start command is launched at most once per
    /// `stepID` even when quickup is killed between launch and readiness; a later call with the
    /// same step only waits for readiness again (F5, issue 15). A service already answering
    /// on its port is not started a second time.
    public func startOnce(_ service: ServiceDefinition, on host: HostConfig, runID: String, stepID: String) async throws(QuickupError) -> StartReport {
        let connection = connections.connection(to: host, .control)
        let log = Self.logPath(service, host)
        let step = RemoteStep(runID: runID, stepID: stepID, command: ServiceScripts.start(service, log: log))
        let outcome = try await RemoteSteps(connection: connection, poll: poll).run(step)
        let fields = outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        guard outcome.succeeded, fields.count == 3, fields[0] == "started", let pid = Int(fields[1]), let launchedAt = Int64(fields[2]) else {
            throw QuickupError(.remoteCommandFailed, "cannot start \(service.component) on \(host.name): \(SSHConnection.firstLine(outcome.stderr) ?? "status \(outcome.exitCode)")",
                               at: service.location, hint: "check services.\(service.component).start in env.yaml")
        }
        let waited = try await connection.run(ServiceScripts.waitReady(service, log: log, poll: poll, launchedAt: launchedAt), retryOnDrop: true)
        let lines = waited.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let answer = lines.first?.split(separator: " ") ?? []
        guard answer.first == "ready", answer.count > 1, let ms = Int64(answer[1]) else {
            let tail = lines.dropFirst().filter { !$0.isEmpty }.suffix(5).joined(separator: " | ")
            throw QuickupError(.serviceNotReady, "\(service.component) on \(host.name) did not become ready within \(service.startTimeout)",
                               at: service.location,
                               hint: "look at its log \(log) on \(host.name)" + (tail.isEmpty ? "" : " (last lines: \(tail))")
                                   + "; fix the start command or the port, or raise services.\(service.component).start_timeout in env.yaml")
        }
        var report = StartReport(readyAfter: TimeSpan(milliseconds: ms), pid: pid)
        if let nacos, let instance = instance(service, host) {
            try await nacos.setEnabled(true, instance)
            report.markedOnline = true
        }
        return report
    }

    /// Runs `script` on the host once per `stepID` (a remote step) and returns its outcome.
    public func runOnce(_ script: String, on host: HostConfig, runID: String, stepID: String) async throws(QuickupError) -> RemoteStepOutcome {
        let connection = connections.connection(to: host, .control)
        return try await RemoteSteps(connection: connection, poll: poll).run(RemoteStep(runID: runID, stepID: stepID, command: script))
    }

    /// Runs a script that only reads (or is safe to repeat) on the host.
    public func query(_ script: String, on host: HostConfig) async throws(QuickupError) -> (ok: Bool, stdout: String, stderr: String) {
        let result = try await connections.connection(to: host, .status).run(script, retryOnDrop: true)
        return (result.succeeded, result.stdoutText, result.stderr)
    }
}
