import ArgumentParser
import QuickupCore
import QuickupOperations
import QuickupRelease
import QuickupRun

/// `quickup run --release DIR --env env.yaml --from V --to V --stage S|all` (E1–E11).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the plan's tasks of one stage (or all), recording each in upgrade_log and the journal.",
        discussion: "Tasks already applied are skipped; after a failure or crash, running again continues where it stopped.")

    @OptionGroup var releaseOptions: ReleaseOptions
    @OptionGroup var upgrade: UpgradeOptions
    @Option(name: .long, help: "The site's env.yaml (datasources).")
    var env: String
    @Option(name: .long, help: "pre_stop, in_stop, post_start, post_upgrade or all.")
    var stage: String = "all"
    @Flag(name: .customLong("dry-run"), help: "Print every statement that would run; change nothing.")
    var dryRun = false
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var stateOption: StateOption

    func run() async throws {
        try await runReporting {
            let stages = try StageSelection.parse(stage)
            let (from, to) = try upgrade.versions()
            let workspace = try Workspace.open(release: releaseOptions.release, environment: env, cache: .inState(stateOption.state))
            upgrade.warnIfBeyondNewest(workspace.release, to: to)
            let plan = try workspace.plan(from: from, to: to, site: upgrade.site)
            let launcher = RunLauncher(state: stateOption.state, quiet: execution.quiet, json: execution.json,
                                       release: releaseOptions.release, env: env)
            return try await launcher.launch(workspace: workspace, plan: plan, stages: stages, dryRun: dryRun, execution: execution, resumes: nil)
        }
    }
}

/// Shared by `run`, `resume` and `demo`: opens the journal and runs the executor.
struct RunLauncher {
    var state: String
    var quiet: Bool
    var json = false
    /// `--release` and `--env` as given: the resume command printed on failure repeats them.
    var release: String
    var env: String

    func launch(workspace: Workspace, plan: Plan, stages: [Stage], dryRun: Bool, execution: ExecutionOptions?,
                resumes: String?) async throws(QuickupError) -> ExitStatus {
        let display = RunOutcome.display(quiet: quiet, json: json)
        let (releaseFlag, envFlag, stateFlag) = (self.release, self.env, self.state)
        let prepared = try RunOperation(state: state).prepare(
            workspace: workspace, plan: plan, stages: stages, dryRun: dryRun,
            confirmRerun: Set(execution?.confirmRerun ?? []), acceptChanged: Set(execution?.acceptChanged ?? []), resumes: resumes,
            output: RunOutcome.output(quiet: quiet, json: json, display: display),
            resumeCommand: { runID in NextCommand.resume(runID, release: releaseFlag, env: envFlag, state: stateFlag) },
            pausedWays: NextCommand.pausedWays(release: releaseFlag, env: envFlag, state: stateFlag))
        let request = prepared.request
        let result = await RunOutcome.run(display: display) { await prepared.run() }
        if json {
            printSummary(RunSummary(command: resumes == nil ? "run" : "resume", result: result, dryRun: dryRun, state: state,
                                    next: request.resumeCommand(result.runID)))
        } else if quiet, result.error?.code != .locked {
            // A refused run (E6) was never recorded: its error alone says why.
            print("Run \(result.runID): \(result.status.rawValue), \(result.succeeded) succeeded, \(result.skipped) skipped, \(result.failed) failed (\(TimeSpan(seconds: Double(result.total.components.seconds) + Double(result.total.components.attoseconds) / 1e18))).")
            if let warning = RecordWrites.summary(result.failedRecordWrites) { print("Warning: \(warning).") }
        }
        return RunOutcome.status(result, shown: !quiet || json)
    }
}
