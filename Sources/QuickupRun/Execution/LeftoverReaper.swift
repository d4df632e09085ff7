import Foundation
import QuickupCore
import QuickupTools

/// Issue 13 item 1: a tool keeps running after quickup is killed (kill -9, OOM, power to the
/// terminal lost). Before a run starts anything, every tool a dead quickup recorded in this
/// journal is stopped — its cgroups, process group and session — and tool cgroups whose owner
/// is gone are emptied and removed. What cannot be stopped refuses the run, naming the pids:
/// running a task beside its first copy is worse than not running it.
struct LeftoverReaper {
    let journal: Journal
    let runID: String
    let host: String
    let isolation: IsolationSupport
    let now: @Sendable () -> Int64

    func reap(output: RunOutput) throws(QuickupError) {
        var survivors: [String] = []
        for tool in try journal.runningTools(host: host) {
            // Another live quickup's (another site sharing this state directory): not ours to stop.
            if tool.owner.liveness.isRunning { continue }
            let stopped = LeftoverTools.stop(tool)
            if !stopped.survivors.isEmpty {
                survivors.append("\(tool.name) of run \(tool.runID): pids \(stopped.survivors.map(String.init).joined(separator: " "))")
                continue
            }
            if !stopped.killed.isEmpty {
                try note("\(tool.name) of run \(tool.runID) (quickup pid \(tool.owner.pid), gone) was still running as pids \(stopped.killed.map(String.init).joined(separator: " ")); stopped before this run starts anything", output: output)
            }
            try journal.forgetTool(host: tool.host, pid: tool.process.pid)
        }
        let swept = LeftoverGroups.sweep(isolation)
        if !swept.killed.isEmpty {
            try note("\(swept.killed.count) process(es) left in tool cgroups of a quickup that no longer runs were stopped (pids \(swept.killed.map(String.init).joined(separator: " ")))", output: output)
        }
        if !swept.survivors.isEmpty {
            survivors.append("tool cgroups of a quickup that no longer runs: pids \(swept.survivors.map(String.init).joined(separator: " "))")
        }
        guard survivors.isEmpty else {
            throw QuickupError(.locked, "tools started by a quickup that no longer runs are still running and quickup cannot stop them: \(survivors.joined(separator: "; "))",
                               hint: "stop them (as their owner or root: kill -9 PID…), then run again; starting the tasks now would run them twice")
        }
    }

    private func note(_ message: String, output: RunOutput) throws(QuickupError) {
        output.line("Note: \(message)")
        try journal.append(EventRecord(runID: runID, at: now(), level: "warn", kind: "leftover_tool_stopped", message: message))
    }
}
