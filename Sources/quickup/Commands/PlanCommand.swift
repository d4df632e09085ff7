import ArgumentParser
import QuickupCore
import QuickupRelease

/// `quickup plan --release DIR --from V --to V [--site S] [--json]` (P1–P4, P6).
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show which tasks an upgrade runs, in which stage and order, and whether it can be rolling.")

    @OptionGroup var releaseOptions: ReleaseOptions
    @OptionGroup var upgrade: UpgradeOptions
    @OptionGroup var envOption: EnvironmentOption
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runReporting {
            let (from, to) = try upgrade.versions()
            let workspace = try Workspace.open(release: releaseOptions.release, environment: envOption.env)
            upgrade.warnIfBeyondNewest(workspace.release, to: to)
            let plan = try workspace.plan(from: from, to: to, site: upgrade.site)
            // Streamed: the same bytes as printJSON(PlanDocument(plan)) / Console.out(render(plan)),
            // without the whole document in memory (issue 20 item 1).
            if output.json {
                try Console.stream { try PlanJSON.write(plan, to: &$0) }
            } else {
                Console.stream { PlanRenderer().render(plan, to: &$0) }
            }
            return .success
        }
    }
}
