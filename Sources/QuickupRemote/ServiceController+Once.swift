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
        // Launch, its end and the readiness wait in one round trip: the start is inside the outage.
        let (outcome, readiness) = try await RemoteSteps(connection: connection, poll: poll)
            .run(step, then: ServiceScripts.waitReadyAfterStartStep(service, log: log, poll: poll))
        let launch = try Self.launch(succeeded: outcome.succeeded, stdout: outcome.stdout, stderr: outcome.stderr,
                                     status: outcome.exitCode, service, host)
        guard let readiness, !readiness.isEmpty else { return try await waitReadyAndOnline(service, on: host, log: log, launch: launch) }
        return try await readyAndOnline(readiness, service, on: host, log: log, launch: launch)
    }

    /// Runs `script` on the host once per `stepID` (a remote step) and returns its outcome.
    public func runOnce(_ script: String, on host: HostConfig, runID: String, stepID: String) async throws(QuickupError) -> RemoteStepOutcome {
        let connection = connections.connection(to: host, .control)
        return try await RemoteSteps(connection: connection, poll: poll).run(RemoteStep(runID: runID, stepID: stepID, command: script))
    }

    /// Runs a script that only reads (or is safe to repeat) on the host: a step of the upgrade or
    /// rollback (switch, health, version), so it rides the control link and its reconnect policy
    /// (S1) — the status class, which never reconnects by itself, is for probes (`hosts check`,
    /// the assessment), where a drop is an answer, not a reason to fail an upgrade.
    public func query(_ script: String, on host: HostConfig) async throws(QuickupError) -> (ok: Bool, stdout: String, stderr: String) {
        let result = try await connections.connection(to: host, .control).run(script, retryOnDrop: true)
        return (result.succeeded, result.stdoutText, result.stderr)
    }
}
