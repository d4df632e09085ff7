import ArgumentParser
import QuickupCore

@main
struct Quickup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quickup",
        abstract: "Plan, assess and run upgrades of a multi-component platform.",
        version: QuickupInfo.version,
        subcommands: [ValidateCommand.self, PlanCommand.self, AssessCommand.self, RunCommand.self, StatusCommand.self, ResumeCommand.self, RollbackCommand.self, HistoryCommand.self, DoctorCommand.self, HostsCommand.self, DemoCommand.self,
                      PackCommand.self, BundleCommand.self, UnlockCommand.self]
    )
}
