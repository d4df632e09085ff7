import GRDB
import QuickupCore

/// The cheap read of a run that pollers make many times a second (H1: CI pipelines poll
/// `GET /v1/runs/{id}?view=summary` while the run goes on; issue 17 asks for p99 ≤ 10 ms under
/// 100 concurrent pollers without slowing the run by more than 5 %).
extension Journal {
    /// Every column of `run` but `plan_json`, which can be megabytes for a large release and
    /// which a summary never shows.
    private static let summaryColumns = """
        id, release, version_from, version_to, site, stage, status, started_at, ended_at, host, pid, message, parent, process_start
        """

    /// Run `id` without its plan, read without waiting for the mirror lane (`settle`).
    ///
    /// Why skipping `settle` is safe: the lane queues only attempt rows (`recordSoon`); every
    /// write of the `run` table goes through `write`, which is synchronous, so a reader never
    /// misses a committed run row by not settling. `settle` exists for the writer's own order
    /// (a later row never lands before an earlier one) and for read-your-writes of the process
    /// that queued the rows; a poller in another request asked for neither. Skipping it also
    /// keeps the poller out of the run's way twice over: it no longer drains the lane ahead of
    /// its coalescing delay (one small SQLite commit per poll instead of one per 20 ms), and it
    /// no longer takes a failed mirror write's error, which `settle` hands to the next caller
    /// only — that error belongs to the run, which must stop on it.
    ///
    /// WAL lets this read run beside a writer holding the database's write lock.
    public func runSummary(_ id: String) throws(QuickupError) -> RunRecord? {
        do {
            return try pool.read { db in
                try Row.fetchOne(db, sql: "SELECT \(Self.summaryColumns) FROM run WHERE id = ?", arguments: [id]).map(Self.run)
            }
        } catch {
            throw QuickupError(.io, "journal: cannot read run \(id): \(error)")
        }
    }

    /// How many `write`s the journals of this process have committed so far (the run's own
    /// journal included, which is another instance than the server's). Read it before a read:
    /// while it has not moved, no write of this process has changed what that read saw. Writes
    /// by other processes do not count here (a summary kept on this is also bounded in age).
    public var committedWrites: Int { Self.committed.load(ordering: .acquiring) }
}
