import Dispatch
import QuickupCore
import Synchronization

/// Writes the journal's mirror of upgrade_log rows behind the run instead of in its way (E12).
///
/// A SQL task's attempt rows have their authority in the datasource's upgrade_log (E2); the
/// journal only mirrors them. Writing the mirror synchronously put a SQLite transaction (about a
/// dozen system calls) in series with every task; here it is queued and written on a queue of
/// its own while the task's statements run, several tasks' rows in one transaction when the
/// writer falls behind. Order is kept: every other journal write or read waits for the queued
/// rows first (`settle`), so a later row never lands before an earlier one.
///
/// What a crash can lose: rows queued and not yet written, a few milliseconds' worth. The journal
/// is then behind upgrade_log, which wins; the next run reports the disagreement — the same
/// outcome as a crash between the two writes when both were synchronous (DeferredRecords).
final class JournalMirrorLane: Sendable {
    private struct State {
        var pending: [AttemptRecord] = []
        var scheduled = false
        var failure: QuickupError?
    }

    private let queue = DispatchQueue(label: "quickup.journal.mirror")
    private let state = Mutex(State())
    private let write: @Sendable ([AttemptRecord]) throws(QuickupError) -> Void
    /// How long queued rows wait for more to join them: one SQLite commit for the rows of many
    /// short tasks instead of one each, while `quickup status` lags by no more than this.
    private let coalescing: DispatchTimeInterval

    init(coalescing: DispatchTimeInterval = .milliseconds(20),
         write: @escaping @Sendable ([AttemptRecord]) throws(QuickupError) -> Void) {
        self.coalescing = coalescing
        self.write = write
    }

    /// Queues `records`; a write that failed earlier is thrown here instead (the run must stop).
    /// A failure is reported once: the run's closing writes (its status, the lock) still go.
    func enqueue(_ records: [AttemptRecord]) throws(QuickupError) {
        let (failure, schedule) = state.withLock { state -> (QuickupError?, Bool) in
            if let failure = state.failure {
                state.failure = nil
                return (failure, false)
            }
            state.pending += records
            defer { state.scheduled = true }
            return (nil, !state.scheduled)
        }
        if let failure { throw failure }
        guard schedule else { return }
        queue.asyncAfter(deadline: .now() + coalescing) { self.drain() }
    }

    /// Waits until every queued row is written; throws (once) if a write failed.
    func settle() throws(QuickupError) {
        let idle = state.withLock { !$0.scheduled && $0.failure == nil }
        if idle { return }
        queue.sync { drain() }
        let failure = state.withLock { state -> QuickupError? in
            defer { state.failure = nil }
            return state.failure
        }
        if let failure { throw failure }
    }

    /// On the queue: writes what is pending, in one transaction. `scheduled` stays set until the
    /// write is done, so `settle` never takes a write in progress for an idle lane.
    private func drain() {
        let batch = state.withLock { state -> [AttemptRecord] in
            defer { state.pending = [] }
            return state.pending
        }
        if !batch.isEmpty {
            do throws(QuickupError) { try write(batch) } catch {
                state.withLock { $0.failure = $0.failure ?? error }
            }
        }
        let more = state.withLock { state -> Bool in
            if state.pending.isEmpty { state.scheduled = false }
            return state.scheduled
        }
        if more { queue.asyncAfter(deadline: .now() + coalescing) { self.drain() } }
    }
}
