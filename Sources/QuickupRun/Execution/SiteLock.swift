import QuickupCore

/// The journal half of E6's lock: one run (or rollback) per site at a time. A holder whose
/// process is gone is taken over with a note; a live one makes the new run fail with its id, host
/// and start time. The run's journal record must exist already: a refused run is finished as
/// failed with the reason.
struct SiteLock {
    let journal: Journal
    let site: String

    static func name(_ site: String) -> String { "site:\(site)" }

    func take(runID: String, host: String, pid: Int32, now: @Sendable () -> Int64, output: RunOutput) throws(QuickupError) {
        let lock = LockRecord(environment: Self.name(site), runID: runID, host: host, pid: pid, startedAt: now())
        switch try journal.acquireLock(lock, isAlive: LockLiveness.isAlive) {
        case .acquired:
            return
        case .held(let holder):
            let error = QuickupError(.locked, "another run holds the lock of site \(site): run \(holder.runID) on \(holder.host) (pid \(holder.pid)), started \(Timestamps.text(holder.startedAt))",
                                     hint: "wait for it to finish, or check `quickup status \(holder.runID)`")
            try journal.finishRun(runID, status: .failed, at: now(), message: error.description)
            throw error
        case .takenOver(let holder):
            output.line("Note: run \(holder.runID) (pid \(holder.pid) on \(holder.host)) no longer runs; its lock was taken over and it is marked interrupted.")
        }
    }

    func release(runID: String, writes: RecordWrites) {
        writes.attempt("releasing the lock of site \(site)") { () throws(QuickupError) in
            try journal.releaseLock(environment: Self.name(site), runID: runID)
        }
    }
}
