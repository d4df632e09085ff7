import ArgumentParser
import Foundation
import QuickupCore
import QuickupRun
import QuickupTools

/// `quickup unlock RUN --state DIR [--force]` (E6): breaks a stale run lock. A holder on this
/// machine is checked by pid and process start time, so a live run's lock is never broken; a
/// holder on another host cannot be checked from here and needs `--force` after the operator
/// checked there. The holder's run is marked interrupted; `quickup resume RUN` continues it.
struct UnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock", abstract: "Break the run lock of a run that no longer runs (E6).",
        discussion: "A holder on this host is checked and its lock is broken only if its process is gone. A lock held from another host needs --force, after checking on that host that the run's process no longer runs.")

    @Argument(help: "The run holding the lock (the refused run's error names it).")
    var run: String
    @OptionGroup var stateOption: StateOption
    @Flag(name: .long, help: "The holder runs on another host and you checked there that its process is gone.")
    var force = false

    func run() async throws {
        try await runReporting {
            let journal = try Journal(stateDirectory: stateOption.state)
            let state = ShellQuoting.quote(stateOption.state)
            guard let holder = try journal.lockHolders().first(where: { $0.runID == run }) else {
                Console.out("Run \(run) holds no lock in \(stateOption.state); nothing to do.")
                return .success
            }
            let what = "run \(holder.runID) (host \(holder.host), pid \(holder.pid), started \(Timestamps.text(holder.startedAt)))"
            if holder.host == ProcessInfo.processInfo.hostName {
                let liveness = ProcessIdentity(pid: holder.pid, start: holder.processStart).liveness
                if liveness.isRunning {
                    throw QuickupError(.locked, "\(what) is still running on this host: its lock is not stale",
                                       hint: "wait for it, or stop it with `kill -INT \(holder.pid)` (it cancels cleanly and releases the lock)")
                }
            } else if !force {
                throw QuickupError(.locked, "\(what) holds the lock from another host; quickup cannot see from here whether it still runs",
                                   hint: "check on \(holder.host) that pid \(holder.pid) no longer runs, then `quickup unlock \(holder.runID) --state \(state) --force`")
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            guard try journal.breakLock(holder, reason: "its lock was broken by `quickup unlock`", at: now) else {
                Console.out("Run \(run) no longer holds the lock; nothing to do.")
                return .success
            }
            Console.out("Removed the lock of \(holder.environment) held by \(what); the run is marked interrupted.")
            Console.out("Next: a run or resume may start now; `quickup status \(holder.runID) --state \(state)` shows where it stopped.")
            return .success
        }
    }
}
