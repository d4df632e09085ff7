import ArgumentParser
import Foundation
import QuickupCore
import QuickupOperations
import QuickupRelease
import QuickupRun
import QuickupUpgrade

/// `quickup upgrade --release R --env E --from V --to V [--site S] [--yes] [--mode …]` and
/// `quickup upgrade --resume RUN --release R --env E [--verified]` (F1, F2, F5; issue 15).
struct UpgradeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade",
        abstract: "Upgrade the whole site: precheck, backup, transfer, formal upgrade (stop, install, start around the task stages), post-checks.",
        discussion: "Every step is a checkpoint: after a failure or crash, --resume RUN continues. Exit 5: paused at the manual verification gate.")

    @OptionGroup var releaseOptions: ReleaseOptions
    @Option(name: .long, help: "The site's env.yaml (hosts, services, datasources, Nacos).")
    var env: String
    @Option(name: .long, help: "Version installed now (not needed with --resume).")
    var from: String?
    @Option(name: .long, help: "Version to upgrade to (not needed with --resume).")
    var to: String?
    @Option(name: .long, help: "Site id (default: env.yaml's site).")
    var site: String?
    @Option(name: .long, help: "auto (rolling when the assessment says compatible), rolling or stop-the-world.")
    var mode: String = "auto"
    @Flag(name: .long, help: "Accept assessment warnings and skip the manual verification gate.")
    var yes = false
    @Option(name: .long, help: "Continue this upgrade run where it stopped.")
    var resume: String?
    @Flag(name: .long, help: "With --resume: the upgraded services were verified; pass the gate.")
    var verified = false
    @OptionGroup var stateOption: StateOption

    func run() async throws {
        try await runReporting {
            guard let mode = UpgradeStrategy(rawValue: mode) else {
                throw QuickupError(.invalidArgument, "invalid value '\(mode)' for --mode", hint: "expected auto, rolling or stop-the-world")
            }
            return try await UpgradeLauncher(state: stateOption.state, release: releaseOptions.release, env: env)
                .launch(from: from, to: to, site: site, mode: mode, yes: yes, resume: resume, verified: verified)
        }
    }
}

/// Shared by `upgrade` and `demo`: builds the request and context and calls the library operation.
struct UpgradeLauncher {
    var state: String
    var release: String
    var env: String
    var quiet = false

    func launch(from: String?, to: String?, site: String?, mode: UpgradeStrategy, yes: Bool, resume: String?,
                verified: Bool) async throws -> ExitStatus {
        var input = UpgradeOperation.Input(release: release, env: env)
        (input.from, input.to, input.site, input.mode, input.yes, input.resume, input.verified) = (from, to, site, mode, yes, resume, verified)
        let siteFlags = NextCommand.site(release: release, env: env, state: state)
        let display = RunOutcome.display(quiet: quiet)
        let output = RunOutcome.output(quiet: quiet, display: display)
        let taskConsole: @Sendable (String) -> Void = { line in output.progress("    \(line)") }
        var context = UpgradeContext(stateDirectory: state, output: output, taskOutput: { RunOutput(console: taskConsole, board: display?.board) },
                                     crashPoints: CrashPoints(ProcessInfo.processInfo.environment["QUICKUP_CRASH_AT"]))
        if isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 {
            context.confirm = { question in
                Console.write("\(question)? [yes/no] ", to: .standardOutput)
                return readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes"
            }
        }
        // The hint keeps --yes: an upgrade started with it passes the gate when resumed too.
        let prepared = try UpgradeOperation(state: state).prepare(
            input, context: context, historyHint: "`\(NextCommand.line(["history"] + NextCommand.stateFlag(state)))` lists the runs",
            resumeCommand: { NextCommand.line(["upgrade", "--resume", $0] + siteFlags + (yes ? ["--yes"] : [])) },
            rollbackCommand: { NextCommand.line(["rollback", $0] + siteFlags) },
            pausedWays: NextCommand.pausedWays(release: release, env: env, state: state))
        let result = await RunOutcome.run(display: display, cancelled: UpgradeResult(runID: "-", status: .cancelled,
                                                                                     error: QuickupError(.cancelled, "the upgrade was cancelled"))) {
            await prepared.run()
        }
        if !result.started, let message = result.message { Console.error(message) }
        if result.status == .awaitingVerification { return .awaitingVerification }
        guard let error = result.error else { return .success }
        return ExitStatus.of(error)
    }
}

