import Foundation
import QuickupCore
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// One started process of a tool (T1), whether started for this tool (`ToolProcess`) or started
/// earlier as a pre-joined launcher that waits for its tool (`PreparedLauncher`, issue 20.2):
/// its own session, the context on stdin, stdout and stderr streamed line by line, the watchdog.
enum ToolSupervisor {
    /// The process to start: what runs, with which environment, where, and how it is stopped.
    struct Launch: Sendable {
        var command: [String]
        var environment: [String: String]
        var workDirectory: String
        /// Between SIGTERM and SIGKILL to the process group on cancellation.
        var grace: Duration
    }

    /// What the started process becomes the tool for.
    struct Job: Sendable {
        let invocation: ToolInvocation
        let sandbox: ToolSandbox
        let state: ToolOutputState
        let watch: ToolProcess.ToolWatch?
    }

    /// Starts `launch`, waits for its job (`job` returns nil when there will be none: stdin is
    /// closed, and a launcher waiting on it exits), then supervises it until its output ends.
    /// `started` is told the pid and the writer of its stdin as soon as the process exists.
    static func spawn(_ launch: Launch, started: @escaping @Sendable (pid_t, StandardInputWriter) -> Void = { _, _ in },
                      job: @escaping @Sendable () async -> Job?) async throws -> TerminationStatus {
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.send(signal: .terminate, toProcessGroup: true, allowedDurationToNextStep: launch.grace),
                                    .send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .seconds(1))]
        let environment = Environment.custom(Dictionary(uniqueKeysWithValues: launch.environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) }))
        let executable = launch.command[0]
        let result = try await Subprocess.run(
            executable.contains("/") ? .path(FilePath(executable)) : .name(executable), arguments: Arguments(Array(launch.command.dropFirst())),
            environment: environment, workingDirectory: FilePath(launch.workDirectory), platformOptions: options,
            input: .inputWriter, output: .sequence, error: .sequence
        ) { execution in
            let pid = execution.processIdentifier.value
            started(pid, execution.standardInputWriter)
            guard let job = await job() else {
                try? await execution.standardInputWriter.finish()
                return
            }
            job.state.leader = pid
            job.watch?.started(ProcessIdentity.of(pid) ?? ProcessIdentity(pid: pid, start: nil), job.sandbox.groups)
            try await withThrowingTaskGroup(of: Void.self) { watch in
                watch.addTask {
                    try await watchdog(pid: pid, sandbox: job.sandbox, state: job.state)
                }
                try await withThrowingTaskGroup(of: Void.self) { streams in
                    streams.addTask {
                        // A tool that exits without reading its stdin makes these fail (EPIPE): not an error.
                        _ = try? await execution.standardInputWriter.write(Array(job.invocation.context))
                        try? await execution.standardInputWriter.finish()
                    }
                    streams.addTask {
                        var lines = LineAssembler()
                        for try await buffer in execution.standardOutput {
                            job.state.countStdout(bytes: buffer.count)
                            buffer.withUnsafeBytes { lines.append($0, job.state.stdoutLine) }
                        }
                        lines.finish(job.state.stdoutLine)
                    }
                    streams.addTask {
                        var lines = LineAssembler()
                        for try await buffer in execution.standardError {
                            buffer.withUnsafeBytes { lines.append($0, job.state.stderrLine) }
                        }
                        lines.finish(job.state.stderrLine)
                    }
                    try await streams.waitForAll()
                }
                job.state.markReadersDone()
                watch.cancelAll()
            }
        }
        return result.terminationStatus
    }

    /// While the tool runs: stops it as soon as a cgroup counter shows a limit was hit (the OOM
    /// killer may have killed only a child; a fork bomb at pids.max would spin forever), and
    /// kills leftovers holding the output pipes open after the main process ended.
    private static func watchdog(pid: pid_t, sandbox: ToolSandbox, state: ToolOutputState) async throws {
        var endedSince: ContinuousClock.Instant?
        while !Task.isCancelled {
            try await Task.sleep(for: .milliseconds(50))
            let usage = sandbox.usage()
            let hit: PluginLimitKind? = usage.oomKills > 0 ? .memory : usage.processLimitHits > 0 ? .processes : nil
            if let hit {
                state.stop(for: hit)
                sandbox.killAll()
                _ = ProcessGroup.killAll(pid)
                continue
            }
            if ProcessGroup.hasEnded(pid), !state.readersDone {
                let since = endedSince ?? .now
                endedSince = since
                if since.duration(to: .now) > .milliseconds(300) {
                    // Counted: these are leftovers too, whether this or the final clean-up finds them.
                    state.countLeftovers(sandbox.killAll() + ProcessGroup.killAll(pid))
                }
            }
        }
    }
}
