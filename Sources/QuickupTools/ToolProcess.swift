import Foundation
import QuickupCore
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs one tool under the T1 protocol: its own session (so its process group is its own), the
/// context on stdin, stdout and stderr streamed line by line, inside a `ToolSandbox` (T3).
/// Whatever happens — success, failure, limit, timeout, cancellation — every process of the
/// tool, grandchildren included, is gone when this returns.
public enum ToolProcess {
    public static func run(_ invocation: ToolInvocation, support: IsolationSupport = .current, watch: ToolWatch? = nil,
                           onEvent: @escaping @Sendable (ToolEvent) -> Void) async throws(QuickupError) -> ToolOutcome {
        ignoreBrokenPipes
        let sandbox = try ToolSandbox(support: support, limits: invocation.limits, workDirectory: invocation.workDirectory,
                                      name: invocation.name, readOnlyPaths: invocation.readOnlyPaths)
        let state = ToolOutputState(budget: invocation.logBudgetBytes, onEvent: onEvent)
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.send(signal: .terminate, toProcessGroup: true, allowedDurationToNextStep: invocation.terminationGrace),
                                    .send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .seconds(1))]
        let command = sandbox.wrap(invocation.arguments)
        let environment = Environment.custom(Dictionary(uniqueKeysWithValues: invocation.fullEnvironment.map { (Environment.Key(stringLiteral: $0.key), $0.value) }))
        let termination: TerminationStatus
        do {
            let result = try await Subprocess.run(
                command[0].contains("/") ? .path(FilePath(command[0])) : .name(command[0]), arguments: Arguments(Array(command.dropFirst())), environment: environment,
                workingDirectory: FilePath(invocation.workDirectory), platformOptions: options,
                input: .inputWriter, output: .sequence, error: .sequence
            ) { execution in
                let pid = execution.processIdentifier.value
                state.leader = pid
                watch?.started(ProcessIdentity.of(pid) ?? ProcessIdentity(pid: pid, start: nil), sandbox.groups)
                try await withThrowingTaskGroup(of: Void.self) { watch in
                    watch.addTask {
                        try await watchdog(pid: pid, sandbox: sandbox, state: state)
                    }
                    try await withThrowingTaskGroup(of: Void.self) { streams in
                        streams.addTask {
                            _ = try? await execution.standardInputWriter.write(Array(invocation.context))
                            try? await execution.standardInputWriter.finish()
                        }
                        streams.addTask {
                            var lines = LineAssembler()
                            for try await buffer in execution.standardOutput {
                                state.countStdout(bytes: buffer.count)
                                buffer.withUnsafeBytes { lines.append($0, state.stdoutLine) }
                            }
                            lines.finish(state.stdoutLine)
                        }
                        streams.addTask {
                            var lines = LineAssembler()
                            for try await buffer in execution.standardError {
                                buffer.withUnsafeBytes { lines.append($0, state.stderrLine) }
                            }
                            lines.finish(state.stderrLine)
                        }
                        try await streams.waitForAll()
                    }
                    state.markReadersDone()
                    watch.cancelAll()
                }
            }
            termination = result.terminationStatus
            // On cancellation Subprocess runs the teardown sequence and returns normally.
            if Task.isCancelled { throw CancellationError() }
        } catch {
            _ = cleanUp(sandbox: sandbox, leader: state.leader)
            if state.leader > 0 { watch?.ended(state.leader) }
            if Task.isCancelled || error is CancellationError {
                throw QuickupError(.cancelled, "\(invocation.name) was stopped (its whole process group was killed)")
            }
            throw QuickupError(.taskFailed, "cannot run \(invocation.name): \(error)",
                               hint: "check that \(invocation.arguments.first ?? "the tool") exists and is executable")
        }
        let usage = sandbox.usage()
        var outcome = ToolOutcome(ending: ending(termination, bubblewrapped: command.contains { $0.hasSuffix("/bwrap") }), stderrTail: "")
        state.fill(&outcome)
        outcome.leftoversKilled = state.leftoversKilled + cleanUp(sandbox: sandbox, leader: state.leader)
        if state.leader > 0 { watch?.ended(state.leader) }
        outcome.cpuSeconds = usage.cpuSeconds
        outcome.peakMemory = usage.peakMemory.map { ByteSize(bytes: $0) }
        outcome.limitHit = state.stoppedBy ?? limitHit(outcome, usage: usage, limits: invocation.limits, support: support)
        return outcome
    }

    /// Told when a tool's main process started and when every process of it is gone, so a
    /// record of it outlives quickup (issue 13 item 1: a later run stops what a killed one left).
    public struct ToolWatch: Sendable {
        public var started: @Sendable (ProcessIdentity, _ cgroups: [String]) -> Void
        public var ended: @Sendable (pid_t) -> Void
        public init(started: @escaping @Sendable (ProcessIdentity, [String]) -> Void, ended: @escaping @Sendable (pid_t) -> Void) {
            self.started = started
            self.ended = ended
        }
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

    /// Kills whatever is left of the tool and removes its cgroups; returns how many were left.
    private static func cleanUp(sandbox: ToolSandbox, leader: pid_t) -> Int {
        var killed = sandbox.killAll()
        if leader > 0 { killed += ProcessGroup.killAll(leader) }
        sandbox.remove()
        return killed
    }

    private static func ending(_ status: TerminationStatus, bubblewrapped: Bool) -> ToolOutcome.Ending {
        switch status {
        case .exited(let code):
            // bubblewrap reports a child killed by signal N as exit 128 + N.
            if bubblewrapped, code > 128, code < 160 { return .signalled(code - 128) }
            return .exited(code)
        case .signaled(let signal):
            return .signalled(signal)
        }
    }

    /// Which limit ended a tool that failed, from the counters and how it died.
    static func limitHit(_ outcome: ToolOutcome, usage: ToolSandbox.Usage, limits: PluginLimits, support: IsolationSupport) -> PluginLimitKind? {
        guard outcome.ending != .exited(0) else { return nil }
        if usage.oomKills > 0 { return .memory }
        if usage.processLimitHits > 0 { return .processes }
        if outcome.ending == .signalled(SIGXCPU) { return .cpuTime }
        if limits.cpuTime != nil, outcome.ending == .signalled(SIGKILL),
           let cpu = outcome.cpuSeconds, let limit = limits.cpuTime, cpu >= limit.seconds * 0.95 { return .cpuTime }
        if case .rlimits = support.mechanism {
            let text = outcome.stderrTail
            if ["MemoryError", "Cannot allocate memory", "bad_alloc", "out of memory"].contains(where: text.contains) { return .memory }
            if text.contains("Resource temporarily unavailable") { return .processes }
        }
        return nil
    }

    /// A write to a tool that already exited must fail with EPIPE, not kill quickup.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()
}
