import ArgumentParser
import QuickupCore
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
            let plan = try workspace.plan(from: from, to: to, site: upgrade.site)
            return try await RunLauncher(state: stateOption.state, quiet: execution.quiet).launch(
                workspace: workspace, plan: plan, stages: stages, dryRun: dryRun, execution: execution, resumes: nil)
        }
    }
}

enum StageSelection {
    static func parse(_ text: String) throws(QuickupError) -> [Stage] {
        if text == "all" { return Stage.allCases }
        guard let stage = Stage(rawValue: text) else {
            throw QuickupError(.invalidArgument, "invalid value '\(text)' for --stage", hint: "expected \(Stage.expectedList) or all")
        }
        return [stage]
    }
}

/// Shared by `run`, `resume` and `demo`: opens the journal and runs the executor.
struct RunLauncher {
    var state: String
    var quiet: Bool

    func launch(workspace: Workspace, plan: Plan, stages: [Stage], dryRun: Bool, execution: ExecutionOptions?,
                resumes: String?) async throws(QuickupError) -> ExitStatus {
        guard let environment = workspace.environment else {
            throw QuickupError(.invalidArgument, "running needs --env with the site's datasources")
        }
        let journal = try Journal(stateDirectory: state)
        let display = RunOutcome.display(quiet: quiet)
        let context = RunContext(stateDirectory: state, clock: ContinuousClock(), output: RunOutcome.output(quiet: quiet, display: display))
        let request = RunRequest(plan: plan, releaseRoot: workspace.releaseRoot, environment: environment, stages: stages,
                                 dryRun: dryRun, confirmRerun: Set(execution?.confirmRerun ?? []),
                                 acceptChanged: Set(execution?.acceptChanged ?? []), resumes: resumes,
                                 plugins: workspace.plugins)
        let result = await RunOutcome.run(Executor(journal: journal, context: context), request, display: display)
        // A refused run (E6) was never recorded: its error alone says why.
        if quiet, result.error?.code != .locked {
            print("Run \(result.runID): \(result.status.rawValue), \(result.succeeded) succeeded, \(result.skipped) skipped, \(result.failed) failed (\(result.total.description)).")
        }
        return RunOutcome.status(result)
    }
}
