import QuickupCore
import QuickupData
import Synchronization

/// A finished SQL task's records that are not written yet (E2, E12). They go to upgrade_log and
/// the journal in the same write as the next task's RUNNING row when that task runs on the same
/// datasource — one statement and one journal commit instead of two of each per task — and on
/// their own as soon as anything else is about to happen (another datasource or kind of task, a
/// failure, a stop, the end of the component).
///
/// Why this is as crash-safe as writing them at once (E3, E4; the upgrade_log stays the authority).
/// For a task N followed by N+1 on the same datasource the writes are, in order:
///   1. journal [SUCCESS N-1, RUNNING N] — queued, and written in one transaction on the
///      journal's own queue while 2 and 3 run (JournalMirrorLane; any other journal call waits);
///   2. upgrade_log [SUCCESS N-1, RUNNING N] — one statement, atomic (MariaDB: one multi-row
///      INSERT under autocommit; SQLite: one transaction); a store that cannot do that writes
///      them in this order, so a crash keeps at most SUCCESS N-1 without RUNNING N: N never ran;
///   3. N's statements (a transactional N commits its SUCCESS row with them, as before);
///   4. in memory only: N+1's file is read and split and its decision taken;
///   5. journal [SUCCESS N, RUNNING N+1]; 6. upgrade_log likewise; 7. N+1's statements.
/// Steps 1–3 (and 5–7) go to the datasource in one trip (UpgradeLogStore.runAttempt), 2 and 3 on
/// MariaDB in one packet (the server runs 3 only once 2 is committed, and not at all if 2 fails).
/// The journal goes first because nothing can run between the upgrade_log row and the
/// statements in one packet; it is a mirror, so either order keeps the analysis below.
/// - A crash between 3 and 6 leaves N RUNNING in upgrade_log although it was applied: exactly
///   what a crash between N's statements and its own SUCCESS write left before (the next run
///   re-runs a transactional or retryable N, otherwise asks for --confirm-rerun). When the
///   journal's SUCCESS N was written (5) it is proof that N finished — the journal writes it only
///   after N's statements returned — so the next run completes N's row from it instead
///   (ComponentRunner.recoverFinished, `[RECOVERED]`). What widened is 4 and 5, local work of
///   microseconds that reaches no server; a transactional N is not affected at all, its SUCCESS
///   being committed in its own transaction.
/// - A crash between 1 and 2 (or 5 and 6) leaves the journal one step ahead of upgrade_log, and
///   one before the queued rows are written leaves it behind; either way upgrade_log wins and the
///   disagreement is reported — as a crash between the two writes of one row did before.
/// - N+1's statements never start before SUCCESS N and RUNNING N+1 are committed, so no state
///   can show N+1 applied while N is not recorded.
/// - When the combined write fails, the deferred rows are written alone before the error goes up,
///   so a problem with N+1's row cannot cost N its SUCCESS; N+1's journal row is closed as FAILED
///   (not started).
/// Tasks without an upgrade_log (tools, Redis) have the journal as authority: theirs are written
/// at once, never deferred.
///
/// Sent ahead (ChainedAttempt, MariaDB; issue 20.3). When N+1 is a SQL task on the same
/// datasource that upgrade_log has never seen, the driver sends 6 and 7 — the same packet, built
/// the same way — the moment N's last result is read without error, and 4 and 5 happen while the
/// server works on it. The server's order is unchanged (rows before statements, one packet), so
/// everything above holds with the journal's step after the packet instead of before it, which
/// the analysis allows:
/// - A crash after the send and before 5 leaves upgrade_log with SUCCESS N and RUNNING N+1 (N+1
///   perhaps partly applied) and the journal behind: upgrade_log wins, as above; N+1 is the
///   interrupted task, exactly as for a crash during its statements.
/// - A journal SUCCESS N with upgrade_log still RUNNING N (the packet never ran: the link or the
///   server went down) is still proof that N finished: it is written only after N's results.
/// - A journal RUNNING N+1 without any upgrade_log row for it: N+1 never ran, and upgrade_log
///   says so; nothing is reported, as for any RUNNING row the authority lacks.
/// - Nothing is sent ahead after a failure, a timeout or a cancellation seen before the send; one
///   that comes after it finds N+1 on the server and kills it there, as it would a moment later.
/// - A retry of N+1 or anything the run does next reads the packet first; a packet sent ahead is
///   never sent twice (the driver refuses).
struct DeferredRecords: Sendable {
    let datasource: String
    let store: any UpgradeLogStore
    /// Rows upgrade_log still needs: a non-transactional task's SUCCESS (a transactional task's is
    /// already committed with its statements).
    var log: [UpgradeLogEntry]
    /// The journal's mirror of the finished attempt.
    var journal: [AttemptRecord]

    /// Writes them on their own, upgrade_log first (the authority), then the journal.
    func flush(to journal: Journal) async throws(QuickupError) {
        do {
            try await store.record(log)
        } catch {
            throw Self.notRecorded(error, taskKey: self.journal.first?.taskKey)
        }
        try journal.record(self.journal)
    }

    /// The task itself succeeded: the error says so, and what the next run will find.
    static func notRecorded(_ error: QuickupError, taskKey: String?) -> QuickupError {
        var wrapped = error
        wrapped.message = "\(taskKey ?? "a task") was applied but its SUCCESS could not be recorded in upgrade_log: \(error.message)"
        wrapped.hint = [error.hint, "upgrade_log still says RUNNING: the next run re-runs it if it is transactional or retryable, otherwise it asks for --confirm-rerun after you check it was applied"]
            .compactMap { $0 }.joined(separator: "; ")
        return wrapped
    }
}

/// An attempt's RUNNING rows (after any deferred ones) on their way to upgrade_log and the
/// journal in the same trip as the task's statements (UpgradeLogStore.runAttempt).
final class RunningRecords: Sendable {
    let log: [UpgradeLogEntry]
    let journal: [AttemptRecord]
    /// The previous task's records included above: written alone if this trip fails before them.
    let carried: DeferredRecords?
    private let recorded = Atomic<Bool>(false)
    private let mirrored = Atomic<Bool>(false)

    init(log: [UpgradeLogEntry], journal: [AttemptRecord], carried: DeferredRecords?) {
        self.log = log
        self.journal = journal
        self.carried = carried
    }

    /// The journal has the rows (written first).
    @Sendable func markMirrored() { mirrored.store(true, ordering: .releasing) }
    var isMirrored: Bool { mirrored.load(ordering: .acquiring) }
    /// upgrade_log has them too: from here on a failure is the task's own.
    @Sendable func markRecorded() { recorded.store(true, ordering: .releasing) }
    var isRecorded: Bool { recorded.load(ordering: .acquiring) }
}
