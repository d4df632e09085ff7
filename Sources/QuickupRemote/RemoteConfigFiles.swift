import Foundation
import QuickupCore

/// A config task's file on the hosts (K1, K2), over the run's shared control connections (S1):
/// read the file and its kept original, install a new content (or test, install and reload
/// nginx) as a remote step that runs once even across link drops, and restore the original.
///
/// The previous file is kept on the host, in its state directory's backup area:
/// `<state_dir>/backups/config/<task>` (plus `.saved`, which says whether it existed). It is
/// kept once per task — a task run again after a crash, in the same run or a resumed one,
/// never backs up its own result — and marked `.restored` by the rollback.
public struct RemoteConfigFiles: Sendable {
    public let connections: SSHConnections
    /// How often a remote step's waiter looks at its marker.
    public var poll: TimeSpan

    public init(connections: SSHConnections, poll: TimeSpan = TimeSpan(milliseconds: 200)) {
        self.connections = connections
        self.poll = poll
    }

    public static func backupPath(on host: HostConfig, taskKey: String) -> String {
        "\(host.remoteStateDir)/backups/config/\(RemoteStep.safe(taskKey))"
    }

    /// The current file and the kept original (read-only: safe to repeat after a drop).
    public func read(_ target: String, taskKey: String, on host: HostConfig) async throws(QuickupError) -> ConfigFileScripts.Reading {
        let connection = connections.connection(to: host, .control)
        let script = ConfigFileScripts.readWithBackup(target: target, backup: Self.backupPath(on: host, taskKey: taskKey))
        let result = try await connection.run(script, retryOnDrop: true)
        guard result.succeeded, let reading = ConfigFileScripts.Reading.parse(result.stdoutText) else {
            throw QuickupError(.remoteCommandFailed, "cannot read \(target) on \(host.name): \(SSHConnection.firstLine(result.stderr) ?? "status \(result.status)")",
                               at: host.location, hint: "check that \(host.user ?? "root") may read \(target) on \(host.name) and that base64 is installed")
        }
        return reading
    }

    /// Installs `content` as `target` (keeping the previous file), as remote step `stepID` of
    /// `runID` — the first run of a resume chain, so that after a `kill -9` the resume waits for
    /// (or collects) the install the killed run left going instead of starting a second one; an
    /// install that failed before is run again. With `nginx`, the candidate is tested first and
    /// nginx reloaded after (K2).
    public func install(_ content: [UInt8], at target: String, taskKey: String, on host: HostConfig, runID: String, stepID: String,
                        nginx: NginxConfig?) async throws(QuickupError) -> RemoteStepOutcome {
        let backup = Self.backupPath(on: host, taskKey: taskKey)
        let script = nginx.map { NginxScripts.testInstallReload(target: target, backup: backup, content: content, nginx: $0, scratch: host.remoteStateDir) }
            ?? ConfigFileScripts.install(target: target, backup: backup, content: content)
        let outcome = try await RemoteSteps(connection: connections.connection(to: host, .control), poll: poll)
            .runRetryingEarlierFailure(RemoteStep(runID: runID, stepID: stepID, command: script))
        guard outcome.succeeded else { throw Self.failure(outcome, target: target, host: host, nginx: nginx != nil, what: "install") }
        return outcome
    }

    /// Puts the kept original back (or removes a file that did not exist), as a remote step;
    /// with `nginx`, tests the restored configuration and reloads. Returns false when nothing
    /// was kept (never installed, or restored already).
    public func restore(_ target: String, taskKey: String, on host: HostConfig, runID: String, stepID: String,
                        nginx: NginxConfig?) async throws(QuickupError) -> Bool {
        var script = ConfigFileScripts.restore(target: target, backup: Self.backupPath(on: host, taskKey: taskKey))
        if let nginx { script += "\nset +e\n" + NginxScripts.testAndReload(nginx) }
        let outcome = try await RemoteSteps(connection: connections.connection(to: host, .control), poll: poll)
            .run(RemoteStep(runID: runID, stepID: stepID, command: script))
        guard outcome.succeeded else { throw Self.failure(outcome, target: target, host: host, nginx: nginx != nil, what: "restore") }
        return outcome.stdout.split(separator: "\n").first == "restored"
    }

    static func failure(_ outcome: RemoteStepOutcome, target: String, host: HostConfig, nginx: Bool, what: String) -> QuickupError {
        let text = outcome.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        guard nginx else {
            return QuickupError(.remoteCommandFailed, "cannot \(what) \(target) on \(host.name) (status \(outcome.exitCode)): \(SSHConnection.lastLine(text) ?? "no message")",
                                at: host.location, hint: "check that \(host.user ?? "root") may write \(target) and its directory on \(host.name)")
        }
        switch outcome.exitCode {
        case 10:
            return QuickupError(.configRefused, "nginx -t refused the \(what == "install" ? "new" : "restored") \(target) on \(host.name); the live file is unchanged:\n\(NginxScripts.messages(text))",
                                at: host.location, hint: "fix the change file at the line nginx names, validate, and run again; nginx keeps serving the old configuration")
        case 11:
            return QuickupError(.remoteCommandFailed, "cannot test the new \(target) on \(host.name) in place of the live file: \(SSHConnection.lastLine(text) ?? "status 11")",
                                at: host.location, hint: "config tasks with format=nginx need root on the host (a private mount namespace, unshare(1))")
        default:
            return QuickupError(.configRefused, "nginx on \(host.name) did not take the new configuration after \(target) was \(what == "install" ? "installed" : "restored"): \(SSHConnection.lastLine(text) ?? "status \(outcome.exitCode)")",
                                at: host.location, hint: "look at nginx's error log on \(host.name); `quickup rollback` puts the previous file back and reloads")
        }
    }
}
