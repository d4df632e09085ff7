import ArgumentParser
import Foundation
import QuickupCore
import QuickupRelease

/// `quickup demo`: shows the whole flow on the bundled SQLite sample release, no server needed.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Walk through validate and plan on the bundled sample release (embedded SQLite, no server).")

    @Option(name: .long, help: "The sample release (default: examples/demo-release next to the checkout).")
    var release: String?

    func run() async throws {
        try await runReporting {
            let directory = try release ?? DemoRelease.locate()
            let from = Version(1, 0, 0), to = Version(1, 1, 0, p: 1)
            Console.out("== quickup demo: \(directory)\n")
            Console.out("$ quickup validate --release \(directory)")
            let workspace = try Workspace.open(release: directory)
            let r = workspace.release
            Console.out("Release \(r.name) is valid: \(r.components.count) components, \(r.taskCount) tasks.\n")
            Console.out("$ quickup plan --release \(directory) --from \(from) --to \(to)")
            let plan = try workspace.plan(from: from, to: to, site: nil)
            Console.out(PlanRenderer().render(plan))
            Console.out("""

            What happens next (later commands):
              quickup assess  checks resources, data quality, compatibility and the outage estimate;
              quickup run     executes each stage (\(plan.stages.map(\.stage.rawValue).joined(separator: ", "))) against the
                              embedded SQLite database, recording every task in upgrade_log and the journal;
              a second run skips every task already applied.
            """)
            return .success
        }
    }
}

/// Finds the sample release: in the working directory's checkout, or next to the executable's.
enum DemoRelease {
    static func locate() throws(QuickupError) -> String {
        let relative = "examples/demo-release"
        var candidates = [FileManager.default.currentDirectoryPath]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.path)
            dir = dir.deletingLastPathComponent()
        }
        for base in candidates where FileManager.default.fileExists(atPath: "\(base)/\(relative)/release.yaml") {
            return base == FileManager.default.currentDirectoryPath ? relative : "\(base)/\(relative)"
        }
        throw QuickupError(.fileNotFound, "the sample release \(relative) was not found",
                           hint: "run quickup demo from the quickup checkout, or pass --release DIR")
    }
}
