import ArgumentParser
import QuickupCore
import QuickupRelease
import QuickupRun

/// `quickup plan --release DIR --from V --to V [--site S] [--json]` (P1–P4, P6).
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show which tasks an upgrade runs, in which stage and order, and whether it can be rolling.")

    @OptionGroup var releaseOptions: ReleaseOptions
    @OptionGroup var upgrade: UpgradeOptions
    @OptionGroup var envOption: EnvironmentOption
    @OptionGroup var output: OutputOptions
    @Flag(name: .long, help: "Also show, per host, the unified diff each config task would make (reads the current files over SSH, and Nacos; changes nothing). Needs --env.")
    var diff = false
    @OptionGroup var stateOption: StateOption

    func run() async throws {
        HeapGrowth.inLargeSteps()
        try await runReporting {
            let (from, to) = try upgrade.versions()
            // The text plan shows no checksum (M7): only --json and --diff need them.
            let workspace = try Workspace.open(release: releaseOptions.release, environment: envOption.env, checksums: output.json || diff)
            upgrade.warnIfBeyondNewest(workspace.release, to: to)
            let plan = try workspace.plan(from: from, to: to, site: upgrade.site)
            // Streamed: the same bytes as printJSON(PlanDocument(plan)) / Console.out(render(plan)),
            // without the whole document in memory (issue 20 item 1).
            if output.json {
                try Console.stream { try PlanJSON.write(plan, to: &$0) }
            } else {
                Console.stream { PlanRenderer().render(plan, to: &$0) }
            }
            if diff { return try await ConfigDiffs.show(plan, workspace: workspace, state: stateOption.state) }
            // The plan is written and nothing follows: end here, before the release and the plan
            // are freed value by value — ~3 % of `plan` of 100,000 tasks, on one core while the
            // other idles (P5, issue 20.1). The kernel takes the memory back at once.
            withExtendedLifetime((workspace, plan)) { ExitStatus.success.endProcess() }
        }
    }
}

/// `plan --diff` (K1): what each config task of the plan would change, per host.
enum ConfigDiffs {
    static func show(_ plan: Plan, workspace: Workspace, state: String) async throws(QuickupError) -> ExitStatus {
        guard let environment = workspace.environment else {
            throw QuickupError(.invalidArgument, "plan --diff needs --env: the hosts and Nacos hold the current configuration")
        }
        let context = RunContext(stateDirectory: state, clock: ContinuousClock(), output: RunOutput(console: { Console.out($0) }))
        let work = context.configWork(releaseRoot: workspace.releaseRoot, environment: environment)
        var status = ExitStatus.success
        for planned in plan.tasks where planned.task.kind == .config {
            let task = planned.task
            Console.out("-- \(task.component) \(task.version) \(task.qualifiedUID) (\(task.configFormat?.rawValue ?? "?") → \(task.target ?? "?")):")
            do {
                for line in try await work.preview(task) { Console.out(line) }
            } catch {
                Console.out("   cannot show what it would change: \(error)")
                status = .failed
            }
        }
        await context.hosts.closeAll()
        return status
    }
}
