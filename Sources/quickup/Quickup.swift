import ArgumentParser
@preconcurrency import Glibc
import QuickupCore

@main
struct Quickup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quickup",
        abstract: "Plan, assess and run upgrades of a multi-component platform.",
        version: QuickupInfo.version,
        subcommands: [ValidateCommand.self, PlanCommand.self, AssessCommand.self, RunCommand.self, StatusCommand.self, ResumeCommand.self, RollbackCommand.self, HistoryCommand.self, DoctorCommand.self, HostsCommand.self, DemoCommand.self,
                      PackCommand.self, BundleCommand.self]
    )

    /// Standard output is line-buffered even into a pipe or file, so in a `2>&1` log each error
    /// line lands between whole output lines, not in the middle of one (issue 14 item 5).
    static func main() async {
        setvbuf(stdout, nil, _IOLBF, 0)
        await main(nil)
    }
}
