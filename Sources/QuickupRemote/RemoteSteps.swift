import Foundation
import QuickupCore
import QuickupTools

/// Runs remote steps exactly once over one connection (S1, see `RemoteStep`).
public struct RemoteSteps: Sendable {
    public let connection: SSHConnection
    /// How often the remote waiter looks at the marker.
    public var poll: TimeSpan

    public init(connection: SSHConnection, poll: TimeSpan = TimeSpan(milliseconds: 200)) {
        self.connection = connection
        self.poll = poll
    }

    /// Starts the step unless its marker shows it was started, then waits for its end. Both
    /// scripts are safe to repeat, so a drop at any point only means: reconnect, look again.
    public func run(_ step: RemoteStep) async throws(QuickupError) -> RemoteStepOutcome {
        let host = connection.host
        let directory = step.markerDirectory(on: host)
        let launched = try await connection.run(RemoteStepScripts.launch(step, directory: directory), retryOnDrop: true)
        let startedByThisCall = try launchAnswer(launched.stdout, of: launched, step: step)
        let end = RemoteStepScripts.endMarker()
        let waited = try await connection.run(RemoteStepScripts.wait(directory: directory, poll: poll, end: end), retryOnDrop: true)
        return try Self.outcome(of: waited.stdout, result: waited, step: step, host: host, startedByThisCall: startedByThisCall,
                                directory: directory, end: end).outcome
    }

    /// `run`, then `followUp` on the host when the step exited 0 — all in one round trip
    /// (`RemoteStepScripts.launchWaitThen`); returns the step's outcome and what `followUp`
    /// printed (nil when it did not run). `followUp` must be safe to repeat: after a drop the
    /// whole script runs again, finding the step's claim. Meant for steps that end at once (a
    /// start that detaches): the "started before" note is logged after the answer.
    public func run(_ step: RemoteStep, then followUp: String) async throws(QuickupError) -> (outcome: RemoteStepOutcome, followUp: String?) {
        let host = connection.host
        let directory = step.markerDirectory(on: host)
        let end = RemoteStepScripts.endMarker()
        let result = try await connection.run(RemoteStepScripts.launchWaitThen(step, directory: directory, poll: poll, end: end, followUp: followUp),
                                              retryOnDrop: true)
        let data = result.stdout
        let newline = data.firstIndex(of: 0x0A) ?? data.endIndex
        let startedByThisCall = try launchAnswer(data[data.startIndex..<newline], of: result, step: step)
        let rest = newline < data.endIndex ? Data(data[(newline + 1)...]) : Data()
        let (outcome, after) = try Self.outcome(of: rest, result: result, step: step, host: host, startedByThisCall: startedByThisCall,
                                                directory: directory, end: end)
        return (outcome, outcome.succeeded ? String(decoding: after, as: UTF8.self) : nil)
    }

    /// The launch's answer (`launched` or `exists`, of the command `result`): whether this call
    /// started the step; a step started before is said in the log.
    private func launchAnswer(_ answer: Data, of result: CommandProcess.Result, step: RemoteStep) throws(QuickupError) -> Bool {
        let host = connection.host
        let text = String(decoding: answer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.succeeded, text == "launched" || text == "exists" else {
            throw QuickupError(.remoteCommandFailed, "cannot start step \(step.stepID) on \(host.name): \(SSHConnection.firstLine(result.stderr) ?? "status \(result.status)")",
                               at: host.location, hint: "check that \(host.remoteStateDir) on \(host.name) is writable (state_dir in env.yaml)")
        }
        if text == "exists" {
            connection.context.log("\(host.name): step \(step.stepID) was started before (by a run killed or interrupted, or before a dropped link): taking its result, not starting it again")
        }
        return text == "launched"
    }

    /// `run`, except that a step an earlier call started and saw *fail* is cleared and run again
    /// (a retry, E8); one that succeeded is collected, one still running is waited for.
    public func runRetryingEarlierFailure(_ step: RemoteStep) async throws(QuickupError) -> RemoteStepOutcome {
        let outcome = try await run(step)
        guard !outcome.startedByThisCall, !outcome.succeeded else { return outcome }
        connection.context.log("\(connection.host.name): step \(step.stepID) had failed in an earlier attempt (status \(outcome.exitCode)); running it again")
        try await forget(step)
        return try await run(step)
    }

    /// Removes the step's marker so the next `run` starts it afresh: only for a step known to
    /// have finished (a failed attempt being retried), never for one that may still run.
    public func forget(_ step: RemoteStep) async throws(QuickupError) {
        let directory = step.markerDirectory(on: connection.host)
        let result = try await connection.run("d=\(ShellQuoting.quote(directory))\n[ -f \"$d/exit\" ] && rm -rf \"$d\"\n[ ! -d \"$d\" ]\n", retryOnDrop: true)
        guard result.succeeded else {
            throw QuickupError(.remoteCommandFailed, "cannot clear the marker of step \(step.stepID) on \(connection.host.name) (\(directory)): it has not finished or cannot be removed",
                               at: connection.host.location, hint: "look at \(directory) on \(connection.host.name)")
        }
    }

    /// The outcome `wait` printed in `data` (of `result`, for its stderr), and the bytes after it
    /// (a follow-up's answer).
    static func outcome(of data: Data, result: CommandProcess.Result, step: RemoteStep, host: HostConfig, startedByThisCall: Bool,
                        directory: String, end: String) throws(QuickupError) -> (outcome: RemoteStepOutcome, rest: Data) {
        guard let newline = data.firstIndex(of: 0x0A) else {
            throw QuickupError(.remoteCommandFailed, "no answer about step \(step.stepID) from \(host.name): \(SSHConnection.firstLine(result.stderr) ?? "status \(result.status)")",
                               at: host.location)
        }
        let header = String(decoding: data[data.startIndex..<newline], as: UTF8.self).split(separator: " ")
        switch header.first {
        case "finished":
            let separator = Data("\n\(end)\n".utf8)
            let body = data[(newline + 1)...]
            guard header.count == 2, let code = Int32(header[1]),
                  let outEnd = body.firstRange(of: separator), let errEnd = body[outEnd.upperBound...].firstRange(of: separator) else { break }
            let out = body[..<outEnd.lowerBound], err = body[outEnd.upperBound..<errEnd.lowerBound]
            return (RemoteStepOutcome(exitCode: code, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
                                      startedByThisCall: startedByThisCall),
                    Data(body[errEnd.upperBound...]))
        case "lost":
            throw QuickupError(.remoteStepLost, "step \(step.stepID) of run \(step.runID) was started on \(host.name) but ended without recording its exit status (host restarted or process killed)",
                               at: host.location, hint: "look at \(directory) on \(host.name); when it is safe to run it again, remove that directory and resume")
        case "never":
            throw QuickupError(.remoteCommandFailed, "step \(step.stepID) was not started on \(host.name): its marker \(directory) is missing",
                               at: host.location, hint: "check that \(host.remoteStateDir) on \(host.name) is writable and not cleaned while quickup runs")
        default:
            break
        }
        throw QuickupError(.remoteCommandFailed, "unexpected answer about step \(step.stepID) from \(host.name): \(header.joined(separator: " "))",
                           at: host.location)
    }
}
