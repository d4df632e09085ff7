import ArgumentParser
@preconcurrency import Glibc
import Foundation
import QuickupCore

@main
struct Quickup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quickup",
        abstract: "Plan, assess and run upgrades of a multi-component platform.",
        version: QuickupInfo.version,
        subcommands: [ValidateCommand.self, LintCommand.self, PlanCommand.self, AssessCommand.self, RunCommand.self, UpgradeCommand.self, StatusCommand.self, ResumeCommand.self, RollbackCommand.self, HistoryCommand.self, DoctorCommand.self, HostsCommand.self, DemoCommand.self,
                      PackCommand.self, BundleCommand.self, UnlockCommand.self, CleanupCommand.self, ServeCommand.self, DemoServiceCommand.self]
    )

    /// ArgumentParser's entry point with SPEC §13's exit codes: a usage error (unknown flag,
    /// missing argument, bad --state) is invalid input, 2 — not EX_USAGE (64); an unknown command
    /// is one too, even with --help, which would otherwise print the top-level help and exit 0.
    static func main() async {
        // Line-buffered even into a pipe or file, so in a `2>&1` log each error line lands
        // between whole output lines, not in the middle of one (issue 14 item 5).
        setvbuf(stdout, nil, _IOLBF, 0)
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let first = arguments.first, !first.hasPrefix("-") {
            let known = configuration.subcommands.map { $0._commandName }
            if !known.contains(first), first != "help" {
                Console.error("error: unknown command '\(first)'; the commands are: \(known.joined(separator: ", "))\n"
                    + "See '\(NextCommand.line(["--help"]))'.")
                Foundation.exit(ExitStatus.invalidInput.rawValue)
            }
        }
        do {
            var command = try await asyncParseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                Console.error(fullMessage(for: error))
                Foundation.exit(ExitStatus.invalidInput.rawValue)
            }
            exit(withError: error)
        }
    }
}
