import Foundation
import QuickupCore
import QuickupTools

/// The journal half of E6's lock: one run (or rollback) per site at a time. A holder whose
/// process is gone — no such pid, an unreaped zombie, or a pid now naming another process — is
/// taken over with a note; a live one refuses the new run with who holds it and what to do.
/// The lock is taken before the run is recorded, so a refused attempt never shows as a run.
public struct SiteLock: Sendable {
    let journal: Journal
    let site: String
    /// For the hints: the state directory the operator passed.
    let stateDirectory: String
    /// The run whose lock this one works under (a whole upgrade's stage runs, issue 15): while
    /// that run holds the site's lock, taking it succeeds without a row of its own.
    var heldBy: String?
    /// Set for what starts work on the site (an upgrade, a stage run): an upgrade of the site
    /// paused at the verification gate refuses it, naming these ways on. Nil (a rollback): no check.
    var pausedWays: PausedUpgradeWays?

    public init(journal: Journal, site: String, stateDirectory: String, heldBy: String? = nil, pausedWays: PausedUpgradeWays? = nil) {
        self.journal = journal
        self.site = site
        self.stateDirectory = stateDirectory
        self.heldBy = heldBy
        self.pausedWays = pausedWays
    }

    static func name(_ site: String) -> String { "site:\(site)" }

    public func take(runID: String, host: String, pid: Int32, now: @Sendable () -> Int64, output: RunOutput) throws(QuickupError) {
        if let heldBy, try journal.lockHolder(environment: Self.name(site))?.runID == heldBy { return }
        if let pausedWays { try refuseIfPaused(runID: runID, ways: pausedWays) }
        let start = pid == ProcessIdentity.current.pid ? ProcessIdentity.current.start : ProcessIdentity.of(pid)?.start
        let lock = LockRecord(environment: Self.name(site), runID: runID, host: host, pid: pid, startedAt: now(), processStart: start)
        switch try journal.acquireLock(lock, isAlive: LockLiveness.isAlive) {
        case .acquired:
            return
        case .held(let holder):
            throw refusal(holder)
        case .takenOver(let holder):
            output.line("Note: run \(holder.runID) (pid \(holder.pid) on \(holder.host)) no longer runs; its lock was taken over and it is marked interrupted.")
        }
    }

    /// E6: who holds the lock, which lock, and what the operator can do about it.
    func refusal(_ holder: LockRecord) -> QuickupError {
        let state = ShellQuoting.quote(stateDirectory)
        let hint = holder.host == ProcessInfo.processInfo.hostName
            ? "wait for it to finish (`quickup status \(holder.runID) --state \(state)` shows where it is), or stop it with `kill -INT \(holder.pid)` (it cancels cleanly and releases the lock)"
            : "wait for it to finish; if that run is gone for good (host \(holder.host) crashed), check on \(holder.host) that pid \(holder.pid) no longer runs, then `quickup unlock \(holder.runID) --state \(state) --force` breaks the lock"
        return QuickupError(.locked, "site \(site) is locked by run \(holder.runID) on host \(holder.host), pid \(holder.pid), started \(Timestamps.text(holder.startedAt)) (lock: state journal \(journal.path))",
                            hint: hint)
    }

    /// Releases `runID`'s lock (nothing when another run holds it).
    public func release(runID: String) throws(QuickupError) {
        try journal.releaseLock(environment: Self.name(site), runID: runID)
    }

    func release(runID: String, writes: RecordWrites) {
        writes.attempt("releasing the lock of site \(site)") { () throws(QuickupError) in
            try journal.releaseLock(environment: Self.name(site), runID: runID)
        }
    }
}

/// Whether a lock holder still runs: same host → that very process (pid and start time) must
/// exist and not be a zombie; another host → quickup cannot tell, so it assumes yes.
enum LockLiveness {
    @Sendable static func isAlive(_ holder: LockRecord) -> Bool {
        guard holder.host == ProcessInfo.processInfo.hostName else { return true }
        return ProcessIdentity(pid: holder.pid, start: holder.processStart).liveness.isRunning
    }
}
