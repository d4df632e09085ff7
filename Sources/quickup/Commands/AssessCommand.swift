import ArgumentParser
import Foundation
import QuickupAssess
import QuickupCore
import QuickupOperations
import QuickupRun
import QuickupRelease
import QuickupRemote

/// `quickup assess --release DIR --env env.yaml --from V --to V [--site S] [--json] [--html FILE]`
/// (A1–A4): resources, data quality, compatibility and duration, checked concurrently.
struct AssessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assess",
        abstract: "Check before upgrading: resources, data quality, compatibility and how long the outage will be.",
        discussion: "Exit 0 when every check passes, 3 when there are warnings only, 1 when any check fails, 2 for invalid input.")

    @OptionGroup var releaseOptions: ReleaseOptions
    @OptionGroup var upgrade: UpgradeOptions
    @OptionGroup var envOption: EnvironmentOption
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "Also write the report as one self-contained HTML page to this file.")
    var html: String?
    @Flag(name: .customLong("dry-run"), help: "Print the queries the assessment would send (rules' counting SQL included); connect to nothing.")
    var dryRun = false
    @OptionGroup var stateOption: StateOption

    func run() async throws {
        try await runReporting {
            let (from, to) = try upgrade.versions()
            guard let envFile = envOption.env else {
                throw QuickupError(.invalidArgument, "assess needs --env with the site's env.yaml",
                                   hint: "the datasources and thresholds to check come from it")
            }
            let workspace = try Workspace.open(release: releaseOptions.release, environment: envFile,
                                               cache: .inState(stateOption.state))
            guard let environment = workspace.environment else {
                throw QuickupError(.invalidArgument, "assess needs --env with the site's env.yaml")
            }
            upgrade.warnIfBeyondNewest(workspace.release, to: to)
            let plan = try workspace.plan(from: from, to: to, site: upgrade.site)
            if dryRun {
                Console.out(AssessmentPreview.render(AssessmentRequest(plan: plan, release: workspace.release, releaseRoot: workspace.releaseRoot,
                                                                       environment: environment, stateDirectory: stateOption.state)))
                return .success
            }
            let report = try await AssessmentRunner.run(workspace: workspace, environment: environment, plan: plan,
                                                        state: stateOption.state, html: html)
            if output.json {
                try printJSON(report)
            } else {
                let colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
                Console.outFormatted(TerminalRenderer(colour: colour).render(report))
                if let html { Console.out("\nHTML report written to \(html)") }
            }
            for line in report.log { Console.error("assess: \(line)") }
            return AssessmentRunner.status(report)
        }
    }
}

/// Shared by `assess` and `demo`: the library operation, with its warnings on stderr.
enum AssessmentRunner {
    static func run(workspace: Workspace, environment: Environment, plan: Plan, state: String,
                    html: String?) async throws(QuickupError) -> AssessmentReport {
        try await AssessOperation.run(workspace: workspace, environment: environment, plan: plan, state: state, html: html,
                                      warn: { Console.error($0) })
    }

    static func status(_ report: AssessmentReport) -> ExitStatus {
        switch report.status {
        case .fail: return .failed
        case .warn: return .warnings
        case .pass, .skipped: return .success
        }
    }
}
