import ArgumentParser
import Foundation
import QuickupCore
import QuickupOperations
import QuickupRun

/// `quickup history [--json]`: the runs recorded in the state directory, newest first.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List past runs, newest first.")

    @OptionGroup var stateOption: StateOption
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "How many runs to show.")
    var limit = 50

    func run() async throws {
        try await runReporting {
            let runs = try RunQueries(state: stateOption.state).history(limit: limit)
            if output.json {
                try printJSON(runs)
                return .success
            }
            Console.out(Self.text(runs, state: stateOption.state))
            return .success
        }
    }

    /// The text form, shared with `demo` so that what it shows is what `quickup history` prints.
    static func text(_ runs: [RunRecord], state: String) -> String {
        var table = TextTable(headers: ["RUN", "STATUS", "RELEASE", "FROM", "TO", "SITE", "STAGE", "STARTED"])
        for run in runs {
            table.add([run.id, run.status.rawValue, run.release, run.from, run.to, run.site ?? "-", run.stage, Timestamps.text(run.startedAt)])
        }
        return runs.isEmpty ? "No runs recorded in \(state)." : table.render()
    }
}
