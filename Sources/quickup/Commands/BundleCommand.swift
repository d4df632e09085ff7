import ArgumentParser
import Foundation
import QuickupBundle
import QuickupCore
import QuickupOperations

/// `quickup bundle RUN -o file.zip` (L1): one zip with what an engineer needs about a run —
/// logs, journal extract, plan, assessment reports, doctor, version, env.yaml with secrets redacted.
struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Collect a run's logs, journal records, plan, reports and redacted env.yaml into one zip for support.",
        discussion: "Secrets are never resolved and never included: literal ones in env.yaml and credentials in URLs are redacted, and scrubbed from every other file.")

    @Argument(help: "The run id, or `latest`.")
    var run: String
    @Option(name: [.short, .customLong("output")], help: "The zip to write.")
    var output: String
    @Option(name: .long, help: "The site's env.yaml, included with its secrets redacted.")
    var env: String?
    @OptionGroup var stateOption: StateOption

    func run() async throws {
        try await runReporting {
            let result = try BundleOperation.write(state: stateOption.state, run: run, env: env, to: output)
            Console.out("Bundled run \(result.runID) into \(result.output): \(result.files.count) files (README.txt lists them).")
            return .success
        }
    }
}
