import ArgumentParser
import QuickupCore
import QuickupOperations
import QuickupRelease
import QuickupRun

/// `quickup resume RUN --release DIR --env env.yaml` (E4): runs the same upgrade again; tasks
/// already applied are skipped, so it continues at the first task not SUCCESS.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Continue a failed or interrupted run at its first task not yet successful.")

    @Argument(help: "The run to resume.")
    var runID: String
    @OptionGroup var releaseOptions: ReleaseOptions
    @Option(name: .long, help: "The site's env.yaml.")
    var env: String
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var stateOption: StateOption

    func run() async throws {
        try await runReporting {
            let target = try ResumeOperation(state: stateOption.state).target(
                runID, hint: "`\(NextCommand.line(["history"] + NextCommand.stateFlag(stateOption.state)))` lists the runs")
            guard case .resumable(let previous, let from, let to, let stages) = target else {
                if execution.json {
                    printSummary(RunSummary(command: "resume", result: RunResult(runID: runID, status: .succeeded), dryRun: false,
                                            state: stateOption.state, next: nil))
                } else {
                    Console.out("Run \(runID) succeeded; nothing to resume.")
                }
                return .success
            }
            let workspace = try Workspace.open(release: releaseOptions.release, environment: env, cache: .inState(stateOption.state))
            let plan = try workspace.plan(from: from, to: to, site: previous.site)
            let launcher = RunLauncher(state: stateOption.state, quiet: execution.quiet, json: execution.json,
                                       release: releaseOptions.release, env: env)
            return try await launcher.launch(
                workspace: workspace, plan: plan, stages: stages, dryRun: false, execution: execution, resumes: runID)
        }
    }
}
