import ArgumentParser
import Foundation
import QuickupAssess
import QuickupCore
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

/// Shared by `assess` and `demo`.
enum AssessmentRunner {
    static func run(workspace: Workspace, environment: Environment, plan: Plan, state: String,
                    html: String?) async throws(QuickupError) -> AssessmentReport {
        let request = AssessmentRequest(plan: plan, release: workspace.release, releaseRoot: workspace.releaseRoot,
                                        environment: environment, stateDirectory: state)
        let hooks = HookProbe(releaseRoot: workspace.releaseRoot, environment: environment, plugins: workspace.plugins, stateDirectory: state)
        // A1 on every host of env.yaml: one probe script per host over its shared status connection.
        let connections = SSHConnections(context: RemoteContext(stateDirectory: state, keepalive: environment.keepalive))
        let report = await Assessor(hostProbes: SSHResourceProbe.probes(for: environment, connections: connections), hooks: hooks).assess(request)
        await connections.closeAll()
        keep(report, in: state)
        if let html {
            do {
                try Data(HTMLRenderer().render(report).utf8).write(to: URL(fileURLWithPath: html))
            } catch {
                throw QuickupError(.io, "cannot write the HTML report to \(html): \(error.localizedDescription)",
                                   hint: "pass --html with a writable path")
            }
        }
        return report
    }

    /// An assessment is kept as JSON under `<state>/assessments/` when the state directory exists
    /// (assess alone never creates one), so `quickup bundle` can ship the reports behind a
    /// support case (L1). Best effort: a read-only state directory only warns.
    static func keep(_ report: AssessmentReport, in state: String) {
        guard FileManager.default.fileExists(atPath: state) else { return }
        let directory = "\(state)/assessments"
        let stamp = report.assessedAt.filter { $0.isNumber || $0 == "T" }
        let file = "\(directory)/assessment-\(stamp)-\(report.from)-\(report.to).json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try encoder.encode(report).write(to: URL(fileURLWithPath: file))
        } catch {
            Console.error("assess: warning: the report was not kept in \(directory): \(error.localizedDescription)")
        }
    }

    static func status(_ report: AssessmentReport) -> ExitStatus {
        switch report.status {
        case .fail: return .failed
        case .warn: return .warnings
        case .pass, .skipped: return .success
        }
    }
}
