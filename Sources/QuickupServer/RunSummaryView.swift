import Hummingbird
import NIOCore
import QuickupCore
import QuickupRun

/// The answer to `GET /v1/runs/{id}?view=summary` for a run this server runs, kept in memory
/// as the bytes sent: CI pipelines poll it, 100 at a time in the benchmark (issue 17), and each
/// poll used to read the whole run row (plan_json included) and encode it with JSONEncoder, all
/// on the two cores the run needs.
struct SummarySnapshot: Sendable {
    /// `Journal.committedWrites` read before the row was: the row is unchanged while it stays.
    let writes: Int
    /// When the row was read: another process's write (`quickup unlock` breaking the lock of
    /// this server's run) does not move `writes`, so a snapshot is also bounded in age.
    let taken: ContinuousClock.Instant
    let body: ByteBuffer

    /// How stale a summary may be to a write from another process — about the lag the journal's
    /// mirror lane already gives `quickup status` (20 ms).
    static let maxAge: Duration = .milliseconds(50)

    func isCurrent(writes now: Int, at instant: ContinuousClock.Instant) -> Bool {
        writes == now && taken.duration(to: instant) < Self.maxAge
    }
}

extension QuickupAPI {
    /// The summary view: the run's record without its plan, and whether this server runs it —
    /// the same JSON as `RunView(run:active:)` always gave (docs/API.md, /openapi.json).
    ///
    /// A run this server runs is answered from its snapshot until one of this process's journal
    /// writes (any: the run's status, message or pid may have changed) or the age bound makes it
    /// old; the run's own writes stay current at once (its end, its pause at the gate). Other
    /// runs are read each time, without the plan and without waiting for the write queue.
    func summaryBody(_ id: String) throws -> ByteBuffer {
        let writes = journal.committedWrites
        let now = ContinuousClock.now
        if let kept = runs.summary(of: id), kept.isCurrent(writes: writes, at: now) {
            return kept.body
        }
        guard let record = try journal.runSummary(id) else { throw Self.noRun(id) }
        // Read after the row, as before: a run that ended between the two shows its end state
        // with active false, never a finished row that claims to be active for long.
        let active = runs.isActive(id)
        let body = try JSONBody.encode(RunView(run: record, active: active))
        if active { runs.keep(SummarySnapshot(writes: writes, taken: now, body: body), for: id) }
        return body
    }

    static func noRun(_ id: String) -> APIError {
        APIError(.notFound, QuickupError.Code.invalidArgument.rawValue, "no run '\(id)' in the state journal",
                 hint: "`GET /v1/runs` lists the runs")
    }
}
