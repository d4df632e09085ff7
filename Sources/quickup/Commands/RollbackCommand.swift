import Foundation
import ArgumentParser
import QuickupCore
import QuickupOperations
import QuickupRelease
import QuickupRun

/// `quickup rollback RUN --release DIR --env env.yaml` (F4): undoes the SQL tasks that run (and
/// the runs that resumed it) applied, newest first, through their `.rollback` scripts.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Undo an upgrade in phases: .rollback scripts newest first, then tables restored from backups, then verify; run it again to resume.")

    @Argument(help: "The run to roll back.")
    var runID: String
    @OptionGroup var releaseOptions: ReleaseOptions
    @Option(name: .long, help: "The site's env.yaml.")
    var env: String
    @Option(name: .customLong("undone-by-hand"), help: "A task (uid or key) you undid yourself: recorded as rolled back, its script not run; repeatable.")
    var undoneByHand: [String] = []
    @Option(name: .customLong("confirm-rerun"), help: "Run this uncertain task's rollback script anyway (uid or key); repeatable.")
    var confirmRerun: [String] = []
    @Flag(name: .customLong("restore-tables"), help: "Restore every backed-up table the upgrade changed from its backup, even where a .rollback script exists (F4).")
    var restoreTables = false
    @Flag(name: .customLong("dry-run"), help: "Print the phases and every action (scripts, restores) in order, and change nothing.")
    var dryRun = false
    @Flag(name: .long, help: "Print only the final summary.")
    var quiet = false
    @Flag(name: .long, help: "Print a JSON summary (rollback id, status, counts, each task's result, error and hint) on stdout; progress goes to stderr.")
    var json = false
    @OptionGroup var stateOption: StateOption

    func run() async throws {
        try await runReporting {
            try await RollbackLauncher(state: stateOption.state, quiet: quiet, json: json).launch(
                runID: runID, release: releaseOptions.release, env: env, dryRun: dryRun,
                undoneByHand: Set(undoneByHand), confirmRerun: Set(confirmRerun), restoreTables: restoreTables)
        }
    }
}

/// Plans the run's upgrade again from the release and rolls it back (shared with `demo`).
struct RollbackLauncher {
    var state: String
    var quiet: Bool
    var json = false

    func launch(runID: String, release: String, env: String, dryRun: Bool = false, undoneByHand: Set<String> = [],
                confirmRerun: Set<String> = [], restoreTables: Bool = false) async throws -> ExitStatus {
        let display = RunOutcome.display(quiet: quiet, json: json)
        let prepared = try RollbackOperation(state: state).prepare(
            runID: runID, release: release, env: env, dryRun: dryRun, undoneByHand: undoneByHand, confirmRerun: confirmRerun,
            restoreTables: restoreTables,
            output: RunOutcome.output(quiet: quiet, json: json, display: display),
            historyHint: "`\(NextCommand.line(["history"] + NextCommand.stateFlag(state)))` lists the runs",
            againCommand: NextCommand.rollback(runID, release: release, env: env, state: state),
            crashPoints: CrashPoints(ProcessInfo.processInfo.environment["QUICKUP_CRASH_AT"]))
        let request = prepared.request
        let result = await RunOutcome.run(display: display) { await prepared.run() }
        if json {
            printSummary(RunSummary(command: "rollback", result: result, dryRun: dryRun, state: state,
                                    next: result.stoppedAt == nil ? request.againCommand : nil))
        } else if quiet {
            print("Rollback \(result.runID): \(result.status.rawValue), \(result.succeeded) rolled back, \(result.skipped) skipped, \(result.failed) failed.")
        }
        return RunOutcome.status(result, shown: !quiet || json)
    }
}
