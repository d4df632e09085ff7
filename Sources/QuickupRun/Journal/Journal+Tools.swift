import GRDB
import QuickupCore
import QuickupTools

/// The tools that run now (issue 13 item 1): a row while a tool's processes may exist, so a run
/// after a kill -9 of quickup finds and stops what the dead run left, and runs that are recorded
/// `running` but whose process is gone are shown as interrupted.
extension Journal {
    public func recordTool(_ tool: RunningTool) throws(QuickupError) {
        try write("record the tool \(tool.name)") { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO tool_process (host, pid, process_start, run_id, name, cgroups, owner_pid, owner_start, started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [tool.host, tool.process.pid, tool.process.start, tool.runID, tool.name,
                                 tool.cgroups.joined(separator: "\n"), tool.owner.pid, tool.owner.start, tool.startedAt])
        }
    }

    public func forgetTool(host: String, pid: Int32) throws(QuickupError) {
        try write("forget a finished tool") { db in
            try db.execute(sql: "DELETE FROM tool_process WHERE host = ? AND pid = ?", arguments: [host, pid])
        }
    }

    /// The tools recorded on `host`.
    public func runningTools(host: String) throws(QuickupError) -> [RunningTool] {
        try read("read the running tools") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tool_process WHERE host = ? ORDER BY started_at", arguments: [host]).map { row in
                let cgroups: String = row["cgroups"]
                return RunningTool(runID: row["run_id"], name: row["name"], host: row["host"],
                                   process: ProcessIdentity(pid: row["pid"], start: row["process_start"]),
                                   cgroups: cgroups.split(separator: "\n").map(String.init),
                                   owner: ProcessIdentity(pid: row["owner_pid"], start: row["owner_start"]), startedAt: row["started_at"])
            }
        }
    }

    /// Runs recorded `running` on `host` whose quickup no longer runs (killed, crashed) become
    /// `interrupted` (E4), so `status` and `history` do not call a dead run running. Returns them.
    @discardableResult
    public func markDeadRunsInterrupted(host: String, at time: Int64) throws(QuickupError) -> [String] {
        let candidates = try read("read the running runs") { db in
            try Row.fetchAll(db, sql: "SELECT id, pid, process_start FROM run WHERE status = 'running' AND host = ?", arguments: [host])
                .map { row -> (String, ProcessIdentity) in (row["id"], ProcessIdentity(pid: row["pid"], start: row["process_start"])) }
        }
        let dead = candidates.filter { !$0.1.liveness.isRunning }.map(\.0)
        guard !dead.isEmpty else { return [] }
        try write("mark dead runs interrupted") { db in
            for id in dead {
                try db.execute(sql: """
                    UPDATE run SET status = 'interrupted', ended_at = COALESCE(ended_at, ?),
                    message = COALESCE(message || '; ', '') || 'quickup stopped without finishing the run (killed or crashed)'
                    WHERE id = ? AND status = 'running'
                    """, arguments: [time, id])
            }
        }
        return dead
    }
}
