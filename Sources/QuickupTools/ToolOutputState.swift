import Glibc
import QuickupCore
import Synchronization

/// What the readers of a tool's stdout/stderr collect while it runs: bounded whatever the tool
/// prints (T1: a tool printing 1 GB must not grow quickup's memory).
final class ToolOutputState: Sendable {
    private struct Storage {
        var result: String?
        var stderrLines: [String] = []
        var stdoutBytes: Int64 = 0
        var stdoutLines = 0
        var loggedBytes: Int64 = 0
        var truncated = false
        var readersDone = false
        var leader: pid_t = 0
        var stoppedBy: PluginLimitKind?
        /// Leftovers the watchdog killed while they held the output open after the tool ended.
        var leftoversKilled = 0
    }
    private let storage = Mutex(Storage())
    private let budget: Int64
    private let onEvent: @Sendable (ToolEvent) -> Void
    static let stderrTailLines = 20

    init(budget: Int64, onEvent: @escaping @Sendable (ToolEvent) -> Void) {
        self.budget = budget
        self.onEvent = onEvent
    }

    func countStdout(bytes: Int) {
        storage.withLock { $0.stdoutBytes += Int64(bytes) }
    }

    func stdoutLine(_ line: String, truncated: Bool) {
        let message = truncated ? ToolMessage.text(line + " …(line cut)") : ToolMessage.parse(line)
        let events: [ToolEvent] = storage.withLock { state in
            state.stdoutLines += 1
            switch message {
            case .result(let json):
                state.result = json.count <= 1 << 20 ? json : nil
                return [.message(message)]
            case .progress:
                return [.message(message)]
            case .log, .text:
                return admit(&state, bytes: line.utf8.count, .message(message))
            }
        }
        events.forEach(onEvent)
    }

    func stderrLine(_ line: String, truncated: Bool) {
        let text = truncated ? line + " …(line cut)" : line
        let events = storage.withLock { state -> [ToolEvent] in
            state.stderrLines.append(String(text.prefix(1000)))
            if state.stderrLines.count > Self.stderrTailLines { state.stderrLines.removeFirst() }
            return admit(&state, bytes: text.utf8.count, .stderr(text))
        }
        events.forEach(onEvent)
    }

    /// The event if the line still fits the budget; the cut is announced once (events are sent
    /// after the lock is released).
    private func admit(_ state: inout Storage, bytes: Int, _ event: ToolEvent) -> [ToolEvent] {
        guard !state.truncated else { return [] }
        state.loggedBytes += Int64(bytes)
        guard state.loggedBytes <= budget else {
            state.truncated = true
            return [.outputTruncated(afterBytes: state.loggedBytes - Int64(bytes))]
        }
        return [event]
    }

    /// The tool's main process, once started.
    var leader: pid_t {
        get { storage.withLock { $0.leader } }
        set { storage.withLock { $0.leader = newValue } }
    }

    /// The first limit the watchdog stopped the tool for.
    var stoppedBy: PluginLimitKind? { storage.withLock { $0.stoppedBy } }
    func stop(for limit: PluginLimitKind) { storage.withLock { $0.stoppedBy = $0.stoppedBy ?? limit } }

    func countLeftovers(_ killed: Int) { storage.withLock { $0.leftoversKilled += killed } }
    var leftoversKilled: Int { storage.withLock { $0.leftoversKilled } }

    func markReadersDone() { storage.withLock { $0.readersDone = true } }
    var readersDone: Bool { storage.withLock { $0.readersDone } }

    func fill(_ outcome: inout ToolOutcome) {
        storage.withLock { state in
            outcome.result = state.result
            outcome.stderrTail = state.stderrLines.joined(separator: "\n")
            outcome.stdoutBytes = state.stdoutBytes
            outcome.stdoutLines = state.stdoutLines
        }
    }
}
