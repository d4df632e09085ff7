import ArgumentParser
import Foundation
import QuickupCore
import QuickupOperations
import QuickupRun

/// `quickup status [RUN] [--json]`: a run's state and its task attempts (default: the latest run).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a run's state and its tasks.")

    @Argument(help: "Run id (default: the most recent run).")
    var run: String?
    @OptionGroup var stateOption: StateOption
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runReporting {
            let queries = RunQueries(state: stateOption.state)
            let report = try queries.status(run, hint: "`quickup history --state \(stateOption.state)` lists the runs")
            if output.json {
                try printJSON(report)
                return .success
            }
            Console.out(try Self.text(report.run, attempts: report.attempts, journal: try Journal(stateDirectory: stateOption.state)))
            return .success
        }
    }

    /// The text form, shared with `demo` so that what it shows is what `quickup status` prints.
    static func text(_ record: RunRecord, attempts: [AttemptRecord], journal: Journal) throws -> String {
        var lines = ["Run \(record.id): \(record.status.rawValue) — \(record.release) \(record.from) → \(record.to)"
            + (record.site.map { " at \($0)" } ?? "") + ", stage \(record.stage), on \(record.host) (pid \(record.pid))"]
        if let message = record.message { lines.append("  \(message)") }
        var table = TextTable(headers: ["TASK", "STAGE", "ATTEMPT", "STATUS", "DURATION", "ERROR"])
        for a in attempts {
            table.add([a.taskKey, a.stage, "\(a.attempt)", a.status, a.durationMs.map { "\($0) ms" } ?? "-",
                       a.error.map { String($0.prefix(80)) } ?? ""])
        }
        // A task refused before it started has no attempt; its event says why (issue 14 item 4).
        let refused = try journal.events(run: record.id).filter { $0.kind == EventRecord.taskRefused }
        for event in refused {
            table.add([event.taskKey ?? "-", "-", "-", "REFUSED", "-", String(event.message.prefix(80))])
        }
        lines.append(attempts.isEmpty && refused.isEmpty ? "  no task attempted" : table.render())
        return lines.joined(separator: "\n")
    }
}
