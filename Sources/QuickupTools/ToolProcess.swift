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
    /// `launchers`: pre-joined launchers to take one from (issue 20.2); nil starts the tool the
    /// usual way, a shell that joins the cgroups and then execs the tool.
    public static func run(_ invocation: ToolInvocation, support: IsolationSupport = .current, watch: ToolWatch? = nil,
                           launchers: PreparedLaunchers? = nil,
                           onEvent: @escaping @Sendable (ToolEvent) -> Void) async throws(QuickupError) -> ToolOutcome {
        ignoreBrokenPipes
        // An invocation a launcher cannot be handed starts the usual way.
        let usable = launchers?.applies(to: support) == true && ToolSandbox.canLaunch(invocation, support: support)
        let prepared = usable ? try await launchers?.take(for: invocation, support: support) : nil
        let sandbox: ToolSandbox
        if let (_, adopted) = prepared {
            sandbox = adopted
        } else {
            sandbox = try ToolSandbox(support: support, limits: invocation.limits, workDirectory: invocation.workDirectory,
                                      name: invocation.name, readOnlyPaths: invocation.readOnlyPaths)
        }
        let state = ToolOutputState(budget: invocation.logBudgetBytes, onEvent: onEvent)
        let command = sandbox.wrap(invocation.arguments)
        let job = ToolSupervisor.Job(invocation: invocation, sandbox: sandbox, state: state, watch: watch)
        let termination: TerminationStatus
        do {
            if let (launcher, _) = prepared {
                // quickup-launch reads its job from stdin; a launcher shell sources a script from
                // a file held open until the tool ended.
                var file: LaunchScriptFile?
                let preamble: [UInt8]
                if support.launcher == nil {
                    let script = try LaunchScriptFile(sandbox.launchScript(invocation))
                    preamble = script.line
                    file = consume script
                } else {
                    preamble = sandbox.launchJob(invocation)
                }
                await launcher.start(job, preamble: preamble)
                termination = try await launcher.finish()
                _ = consume file
            } else {
                // The first tool of its kind: launchers for the next ones are prepared now.
                await launchers?.refill(for: invocation, support: support)
                let launch = ToolSupervisor.Launch(command: command, environment: invocation.fullEnvironment,
                                                   workDirectory: invocation.workDirectory, grace: invocation.terminationGrace)
                let fresh = job
                termination = try await ToolSupervisor.spawn(launch) { fresh }
            }
            // On cancellation Subprocess runs the teardown sequence and returns normally.
            if Task.isCancelled { throw CancellationError() }
        } catch {
            // A launcher taken but never given its tool would wait forever.
            if let (launcher, _) = prepared { await launcher.discard() }
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
        outcome.leftoversKilled = state.leftoversKilled + killLeftovers(sandbox: sandbox, leader: state.leader)
        if state.leader > 0 { watch?.ended(state.leader) }
        outcome.cpuSeconds = usage.cpuSeconds
        outcome.peakMemory = usage.peakMemory.map { ByteSize(bytes: $0) }
        outcome.limitHit = state.stoppedBy ?? limitHit(outcome, usage: usage, limits: invocation.limits, support: support)
        // A taken launcher is replaced once its tool ended and its groups are empty: started while
        // the tool runs, the replacement would compete with it for the CPU (measured: most of what
        // pre-joining saves), and started before the clean-up, with the clean-up (issue 20.2).
        // The replacement gets the groups themselves when nothing was left in them and no limit
        // was hit (`ToolSandbox.recycled`); otherwise they are removed.
        let recycled = prepared != nil && launchers != nil && outcome.leftoversKilled == 0 && outcome.limitHit == nil ? sandbox.recycled() : nil
        if recycled == nil { sandbox.remove() }
        if prepared != nil { await launchers?.refill(for: invocation, support: support, recycled: recycled) }
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

    /// Kills whatever is left of the tool and removes its cgroups; returns how many were left.
    private static func cleanUp(sandbox: ToolSandbox, leader: pid_t) -> Int {
        let killed = killLeftovers(sandbox: sandbox, leader: leader)
        sandbox.remove()
        return killed
    }

    /// Kills whatever is left of the tool, in its cgroups and its process group; returns how many.
    private static func killLeftovers(sandbox: ToolSandbox, leader: pid_t) -> Int {
        var killed = sandbox.killAll()
        if leader > 0 { killed += ProcessGroup.killAll(leader) }
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
