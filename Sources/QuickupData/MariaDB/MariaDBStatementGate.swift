import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The life of each statement on one connection, shared by the connection's queue (which starts
/// and finishes statements) and task cancellation handlers (which run on any thread).
///
/// It answers the questions cancelling needs answered atomically: has the statement been sent
/// (then KILL it), not yet (then never send it), or is it done (then leave the connection alone).
final class MariaDBStatementGate: Sendable {
    struct Ticket: Hashable, Sendable {
        fileprivate let id: UInt64
    }

    /// How a statement's cancellation went, for the error message.
    enum Fate: Sendable, Equatable {
        case notCancelled
        /// Cancelled before it was sent: nothing reached the server.
        case cancelledBeforeStart
        /// Cancelled while the server ran it: KILL QUERY was (or was being) sent.
        case cancelledWhileRunning
        /// Cancelled while running and the server could not stop it in time or be reached: the
        /// connection's socket was shut down. The connection is unusable afterwards.
        case connectionClosed
    }

    private enum Phase { case waiting, running, finished }

    private struct Entry {
        var phase: Phase = .waiting
        var cancelledWhile: Phase?
        var socketClosed = false
    }

    private struct State {
        var nextID: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
        var running: UInt64?
    }

    private let state = Mutex(State())

    /// A new statement, not yet sent.
    func issue() -> Ticket {
        state.withLock { state in
            state.nextID += 1
            state.entries[state.nextID] = Entry()
            return Ticket(id: state.nextID)
        }
    }

    /// On the connection's queue, right before sending: false when it was cancelled already.
    func start(_ ticket: Ticket) -> Bool {
        state.withLock { state in
            guard var entry = state.entries[ticket.id], entry.cancelledWhile == nil else { return false }
            entry.phase = .running
            state.entries[ticket.id] = entry
            state.running = ticket.id
            return true
        }
    }

    /// On the connection's queue, for statements that were sent ahead (ChainedAttempt): they
    /// are on the server whatever happened since, so they run now. True when they were
    /// cancelled before this point, in which case the caller must get them killed.
    func startSent(_ ticket: Ticket) -> Bool {
        state.withLock { state in
            guard var entry = state.entries[ticket.id] else { return false }
            entry.phase = .running
            if entry.cancelledWhile != nil { entry.cancelledWhile = .running }
            state.entries[ticket.id] = entry
            state.running = ticket.id
            return entry.cancelledWhile != nil
        }
    }

    /// On the connection's queue, once every result of the statement has been read.
    func finish(_ ticket: Ticket) {
        state.withLock { state in
            state.entries[ticket.id]?.phase = .finished
            if state.running == ticket.id { state.running = nil }
        }
    }

    /// From a cancellation handler. Returns whether the statement is on the server right now, in
    /// which case the caller must get it killed.
    func cancel(_ ticket: Ticket) -> Bool {
        state.withLock { state in
            guard var entry = state.entries[ticket.id], entry.phase != .finished, entry.cancelledWhile == nil
            else { return false }
            entry.cancelledWhile = entry.phase
            state.entries[ticket.id] = entry
            return entry.phase == .running
        }
    }

    /// On the connection's queue, between the statements of one run: whether to stop.
    func isCancelled(_ ticket: Ticket) -> Bool {
        state.withLock { $0.entries[ticket.id]?.cancelledWhile != nil }
    }

    func isRunning(_ ticket: Ticket) -> Bool {
        state.withLock { $0.running == ticket.id }
    }

    /// Whether any statement is on the server now (progress is only worth asking for then).
    var isBusy: Bool {
        state.withLock { $0.running != nil }
    }

    /// Shuts down `socket` if the statement still runs. Done under the lock: while it is held the
    /// statement cannot finish, so the connection cannot be closed and its descriptor reused.
    func closeSocketIfRunning(_ ticket: Ticket, socket: Int32) {
        state.withLock { state in
            guard state.running == ticket.id else { return }
            state.entries[ticket.id]?.socketClosed = true
            _ = shutdown(socket, Int32(SHUT_RDWR))
        }
    }

    /// Forgets the statement (after its cancellation handler can no longer run) and says whether
    /// and how it was cancelled.
    func retire(_ ticket: Ticket) -> Fate {
        state.withLock { state in
            guard let entry = state.entries.removeValue(forKey: ticket.id) else { return .notCancelled }
            if entry.socketClosed { return .connectionClosed }
            switch entry.cancelledWhile {
            case nil, .finished?: return .notCancelled
            case .waiting?: return .cancelledBeforeStart
            case .running?: return .cancelledWhileRunning
            }
        }
    }
}
