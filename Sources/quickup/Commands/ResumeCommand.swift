import ArgumentParser
import QuickupCore
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
            let journal = try Journal(stateDirectory: stateOption.state)
            guard let previous = try journal.run(runID) else {
                throw QuickupError(.invalidArgument, "no run '\(runID)' in \(stateOption.state)", hint: "`\(NextCommand.line(["history"] + NextCommand.stateFlag(stateOption.state)))` lists the runs")
            }
            if previous.status == .succeeded {
                if execution.json {
                    printSummary(RunSummary(command: "resume", result: RunResult(runID: runID, status: .succeeded), dryRun: false,
                                            state: stateOption.state, next: nil))
                } else {
                    Console.out("Run \(runID) succeeded; nothing to resume.")
                }
                return .success
            }
            let from = try Version(parsing: previous.from, origin: SourceLocation(file: "journal run \(runID)"))
            let to = try Version(parsing: previous.to, origin: SourceLocation(file: "journal run \(runID)"))
            let stages = previous.stage == "all" ? Stage.allCases : previous.stage.split(separator: ",").compactMap { Stage(rawValue: String($0)) }
            let workspace = try Workspace.open(release: releaseOptions.release, environment: env, cache: .inState(stateOption.state))
            let plan = try workspace.plan(from: from, to: to, site: previous.site)
            let launcher = RunLauncher(state: stateOption.state, quiet: execution.quiet, json: execution.json,
                                       release: releaseOptions.release, env: env)
            return try await launcher.launch(
                workspace: workspace, plan: plan, stages: stages, dryRun: false, execution: execution, resumes: runID)
        }
    }
}
