import ArgumentParser
import Foundation
import QuickupCore
import QuickupOperations
import QuickupTools

/// `quickup doctor`: what this machine offers quickup — which isolation mechanism contains tools
/// (T3), whether third_party tools can run, and the tools quickup relies on.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Show how this machine will contain tools (cgroups, rlimits, bubblewrap) and what is missing.")

    @OptionGroup var output: OutputOptions

    typealias Report = DoctorReport

    func run() async throws {
        try await runReporting {
            let report = Self.makeReport()
            if output.json {
                try printJSON(report)
            } else {
                Console.out(Self.render(report))
            }
            return report.notes.isEmpty ? .success : .warnings
        }
    }

    /// What this machine offers; `bundle` includes it too (L1).
    static func makeReport() -> Report { DoctorReport.make() }

    static func render(_ report: Report) -> String { report.render() }
}
