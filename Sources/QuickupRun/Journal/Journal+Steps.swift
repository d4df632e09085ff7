import GRDB
import QuickupTools
import QuickupCore

/// One attempt of one step of a whole upgrade (F5): written RUNNING before the step acts and
/// SUCCESS / FAILED / UNDONE after, so a resumed upgrade knows where it stopped.
public struct StepRecord: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Codable {
        case running = "RUNNING", success = "SUCCESS", failed = "FAILED"
        /// Undone by the environment cleanup (§4.1.4) or a rollback: to be done again.
        case undone = "UNDONE"
    }

    public var runID: String
    /// Position of the step in the upgrade's list (for display order).
    public var seq: Int
    public var key: String
    public var flow: String
    public var attempt: Int
    public var status: Status
    public var startedAt: Int64
    public var endedAt: Int64?
    /// JSON or text the step keeps for later steps and rollback (previous version, timings).
    public var detail: String?
    public var error: String?

    public init(runID: String, seq: Int, key: String, flow: String, attempt: Int, status: Status, startedAt: Int64) {
        self.runID = runID
        self.seq = seq
        self.key = key
        self.flow = flow
        self.attempt = attempt
        self.status = status
        self.startedAt = startedAt
    }
}

extension Journal {
    public func record(_ step: StepRecord) throws(QuickupError) {
        try write("record step \(step.key) of run \(step.runID)") { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO upgrade_step (run_id, seq, step_key, flow, attempt, status, started_at, ended_at, detail, error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [step.runID, step.seq, step.key, step.flow, step.attempt, step.status.rawValue,
                                 step.startedAt, step.endedAt, step.detail, step.error])
        }
    }

    /// Every attempt of every step of the run, in step order then attempt order.
    public func steps(run id: String) throws(QuickupError) -> [StepRecord] {
        try read("read the steps of run \(id)") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM upgrade_step WHERE run_id = ? ORDER BY seq, attempt", arguments: [id]).map { row in
                var step = StepRecord(runID: row["run_id"], seq: row["seq"], key: row["step_key"], flow: row["flow"], attempt: row["attempt"],
                                      status: StepRecord.Status(rawValue: row["status"] ?? "") ?? .failed, startedAt: row["started_at"])
                step.endedAt = row["ended_at"]
                step.detail = row["detail"]
                step.error = row["error"]
                return step
            }
        }
    }

    /// The latest attempt of each step of the run, by key.
    public func latestSteps(run id: String) throws(QuickupError) -> [String: StepRecord] {
        var latest: [String: StepRecord] = [:]
        for step in try steps(run: id) where (latest[step.key]?.attempt ?? 0) <= step.attempt { latest[step.key] = step }
        return latest
    }

    /// Sets a run's status (an upgrade waiting at the verification gate, or resumed).
    public func setRunStatus(_ id: String, _ status: RunStatus, message: String?) throws(QuickupError) {
        try write("update run \(id)") { db in
            try db.execute(sql: "UPDATE run SET status = ?, message = ?, pid = ?, process_start = ? WHERE id = ?",
                           arguments: [status.rawValue, message, ProcessIdentity.current.pid, ProcessIdentity.current.start, id])
        }
    }
}
