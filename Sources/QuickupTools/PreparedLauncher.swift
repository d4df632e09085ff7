import Foundation
import QuickupCore
import Subprocess
import Synchronization

/// A process already inside a tool's cgroups, waiting for its tool (issue 20.2). Moving a
/// process into a cgroup v1 hierarchy waits for an RCU grace period (~10–15 ms here), longer
/// than a short Python tool runs; a launcher pays it while nothing waits for it. When a tool
/// starts, it takes the launcher: the cgroups get the tool's limits, the launcher reads its job
/// (quickup-launch) or one line naming its launch script (the shell) and `exec`s the tool — same
/// pid, same session, still inside the
/// cgroups, so no process of the tool ever runs outside them (T3).
///
/// The cgroups are named like any tool's (`LeftoverGroups.groupName`, tool "prepared"), so a
/// launcher a killed quickup left is found, killed and removed by the leftover sweep before the
/// next run starts anything. The launcher itself does not outlive quickup: it has the tools'
/// parent-death signal, and without one the `read` on its stdin ends when quickup's end of the
/// pipe closes.
final class PreparedLauncher: Sendable {
    let sandbox: ToolSandbox
    let grace: Duration
    private let handoff: Handoff
    private let task: Task<TerminationStatus, any Error>

    /// Starts a task that creates the cgroups (with `limits`, the likely next tool's) and the
    /// launcher: nothing of it runs in the caller, which is a tool's call that just ended.
    /// `recycled`: an ended tool's emptied groups to use instead of new ones (`ToolSandbox.recycled`).
    init(support: IsolationSupport, limits: PluginLimits, grace: Duration, recycled: ToolSandbox? = nil) {
        let sandbox = recycled ?? ToolSandbox(planned: support, limits: limits, workDirectory: "/", name: "prepared")
        let handoff = Handoff()
        let launch = ToolSupervisor.Launch(command: sandbox.launcher(), environment: [:], workDirectory: "/", grace: grace)
        self.sandbox = sandbox
        self.grace = grace
        self.handoff = handoff
        task = Task {
            // However the task ends before a tool came (the cgroups or the process could not be
            // made, the launcher exited), the pool sees it and discards the launcher.
            defer { handoff.over() }
            if recycled == nil { try sandbox.create() }
            return try await ToolSupervisor.spawn(launch, started: { handoff.started($0, stdin: $1) }, job: { await handoff.next() })
        }
    }

    /// Whether a tool can take it now: started, alive and inside all its cgroups. A tool never
    /// waits for a launcher still being prepared — on a busy machine that can take long (once
    /// seen in the whole suite: no member after 30 s) — it starts the usual way instead.
    var isReady: Bool {
        guard !isLost, let pid = handoff.pid else { return false }
        return sandbox.hasJoined(pid)
    }

    /// True once it can never be used: its task ended (nothing could be prepared, or the
    /// launcher exited) or its process died (an outside kill). Such a launcher is discarded.
    var isLost: Bool {
        if handoff.isOver { return true }
        guard let pid = handoff.pid else { return false }
        return ProcessGroup.hasEnded(pid)
    }

    /// Hands the launcher its tool: `preamble` (its job, or the line naming its script) goes to the
    /// launcher's stdin from this call, so the tool starts now, while its supervisor wakes up to
    /// read its output. Written by the supervisor instead, it waited behind whatever the pool
    /// ran first — in a stream of tools, the replacement launcher's preparation, queued when the
    /// previous tool ended (issue 20.2, measured: ~0.8 ms on every tool's path).
    func start(_ job: ToolSupervisor.Job, preamble: [UInt8]) async {
        // A launcher that died cannot take it: its supervisor reports how it ended.
        if let stdin = handoff.stdin { _ = try? await stdin.write(preamble) }
        handoff.give(job)
    }

    /// Waits for the end of the tool `start` gave it. Cancelling the caller stops the tool's
    /// whole process group, as for a tool started the usual way.
    func finish() async throws -> TerminationStatus {
        try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Ends an unused launcher (stdin closed: its `read` fails and it exits), kills whatever
    /// might remain in its cgroups and removes them.
    func discard() async {
        handoff.give(nil)
        task.cancel()
        // Its status says nothing here: the launcher was never used.
        _ = try? await task.value
        sandbox.killAll()
        sandbox.remove()
    }

    /// The one-shot meeting point of the launcher's supervisor (waiting) and the tool (giving).
    private final class Handoff: Sendable {
        private struct State {
            var pid: pid_t?
            var stdin: StandardInputWriter?
            var given: ToolSupervisor.Job??
            var waiter: CheckedContinuation<ToolSupervisor.Job?, Never>?
            var over = false
        }
        private let state = Mutex(State())

        var pid: pid_t? { state.withLock { $0.pid } }
        var stdin: StandardInputWriter? { state.withLock { $0.stdin } }
        var isOver: Bool { state.withLock { $0.over } }

        func started(_ pid: pid_t, stdin: StandardInputWriter) {
            state.withLock { state in
                state.pid = pid
                state.stdin = stdin
            }
        }
        func over() { state.withLock { $0.over = true } }

        /// `nil` means no tool will come; only the first call counts.
        func give(_ job: ToolSupervisor.Job?) {
            let waiter = state.withLock { state -> CheckedContinuation<ToolSupervisor.Job?, Never>? in
                guard state.given == nil else { return nil }
                state.given = .some(job)
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: job)
        }

        func next() async -> ToolSupervisor.Job? {
            await withCheckedContinuation { continuation in
                let given = state.withLock { state -> ToolSupervisor.Job?? in
                    if state.given == nil { state.waiter = continuation }
                    return state.given
                }
                if let given { continuation.resume(returning: given) }
            }
        }
    }
}

/// The script a launcher sources, in a file only quickup and its launcher can reach: created
/// and unlinked at once (nothing left on disk, whatever happens to quickup), read by the
/// launcher through `/proc/<quickup>/fd/<n>`, closed once the tool ended.
struct LaunchScriptFile: ~Copyable {
    let descriptor: Int32

    init(_ script: String) throws(QuickupError) {
        var template = Array((NSTemporaryDirectory() + "/quickup-launch-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard descriptor >= 0 else {
            throw QuickupError(.io, "cannot create a tool's launch script: \(String(cString: strerror(errno)))",
                               hint: "check that \(NSTemporaryDirectory()) is writable")
        }
        template.withUnsafeBufferPointer { if let path = $0.baseAddress { _ = unlink(path) } }
        // Not inherited by other processes (swift-subprocess also closes every descriptor above stderr).
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        let bytes = Array(script.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            close(descriptor)
            throw QuickupError(.io, "cannot write a tool's launch script (\(bytes.count) bytes)", hint: "check the free space of \(NSTemporaryDirectory())")
        }
        self.descriptor = descriptor
    }

    /// The line the launcher reads: where to source the script from.
    var line: [UInt8] { Array("/proc/\(getpid())/fd/\(descriptor)\n".utf8) }

    deinit { close(descriptor) }
}
