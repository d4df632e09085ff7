import ArgumentParser
import Foundation
import QuickupCore
import QuickupRelease

/// `quickup lint --release R [--from V --to V] [--json | --sarif FILE] [--severity warn|error]` (N1):
/// the traps in upgrade scripts, as `file:line:column: severity rule-id: what — why — how to fix`.
struct LintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Find the traps in a release's upgrade scripts before a site does (rules: docs/LINT.md).",
        discussion: "Exit 0 when clean, 3 when there are only warnings, 1 when there are errors, 2 when the release does not load.")

    @OptionGroup var releaseOptions: ReleaseOptions

    @Option(name: .long, help: "Lint only the tasks of versions after this one (with --to).")
    var from: String?

    @Option(name: .long, help: "Lint only the tasks of versions up to this one (with --from).")
    var to: String?

    @Flag(name: .long, help: "Print the findings as JSON.")
    var json = false

    @Option(name: .long, help: "Also write the findings as SARIF 2.1.0 to this file, for CI systems.")
    var sarif: String?

    @Option(name: .long, help: "Lowest severity to report: warn (default) or error.")
    var severity: String = "warn"

    func validate() throws {
        guard LintSeverity(flag: severity) != nil else { throw ValidationError("--severity takes warn or error, not '\(severity)'") }
        if json && sarif == "-" { throw ValidationError("--json and --sarif - both write to standard output; choose one") }
    }

    func run() async throws {
        try await runReporting {
            let origin = SourceLocation(file: "--from/--to")
            let request = LintRequest(from: try from.map { s throws(QuickupError) in try Version(parsing: s, origin: origin) },
                                      to: try to.map { s throws(QuickupError) in try Version(parsing: s, origin: origin) })
            let outcome = try ReleaseLint.run(release: releaseOptions.release, request: request)
            let report = outcome.report.filtered(atLeast: LintSeverity(flag: severity) ?? .warning)
            for error in outcome.loadErrors { Console.error("error: \(error)") }
            if let sarif { try write(SARIFLog(report), to: sarif) }
            if json {
                try printJSON(report)
            } else if sarif != "-" {
                for finding in report.findings { Console.out(finding.text) }
                Console.error(report.summary)
            }
            if !outcome.loadErrors.isEmpty {
                Console.error("\(outcome.loadErrors.count) error\(outcome.loadErrors.count == 1 ? "" : "s") loading the release; "
                    + "Next: quickup validate --release \(releaseOptions.release)")
                return .invalidInput
            }
            switch report.outcome {
            case .clean: return .success
            case .warnings: return .warnings
            case .errors: return .failed
            }
        }
    }

    private func write<T: Encodable>(_ value: T, to path: String) throws(QuickupError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(value)
            if path == "-" {
                Console.out(String(decoding: data, as: UTF8.self))
            } else {
                try data.write(to: URL(fileURLWithPath: path))
            }
        } catch {
            throw QuickupError(.io, "cannot write the SARIF report: \(error.localizedDescription)", at: SourceLocation(file: path))
        }
    }
}
