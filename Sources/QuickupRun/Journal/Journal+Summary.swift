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
    /// and for read-your-writes of the code that queued the rows; a poller asked for neither.
    /// (A run this server executes writes through a journal instance of its own, whose lane the
    /// server's reads never touched; skipping `settle` keeps a reader sharing an instance with a
    /// writer from draining its lane early or taking its failed write's error, which `settle`
    /// hands to the next caller only.)
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
