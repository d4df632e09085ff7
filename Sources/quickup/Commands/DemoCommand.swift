import ArgumentParser
import Foundation
import QuickupAssess
import QuickupCore
import QuickupRelease
import QuickupRun

/// `quickup demo`: shows the whole flow on the bundled SQLite sample release, no server needed.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Walk through validate, plan, assess, run, rollback and run again on the bundled sample release (embedded SQLite, no server).")

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
            let workspaceDir = try DemoRelease.temporaryDirectory()
            let envFile = "\(workspaceDir)/env.yaml"
            FileManager.default.createFile(atPath: "\(workspaceDir)/shop.db", contents: nil)
            FileManager.default.createFile(atPath: envFile, contents: Data(DemoRelease.environment.utf8))
            let state = "\(workspaceDir)/state"
            let runnable = try Workspace.open(release: directory, environment: envFile)
            if let environment = runnable.environment {
                Console.out("\n$ quickup assess --release \(directory) --env \(envFile) --from \(from) --to \(to) --state \(state)")
                let report = try await AssessmentRunner.run(workspace: runnable, environment: environment, plan: plan, state: state, html: nil)
                Console.out(TerminalRenderer(colour: false).render(report))
                Console.out("(The demo upgrades whatever the verdict; before a real upgrade, fix what FAILs and review what WARNs.)")
            }
            let launcher = RunLauncher(state: state, quiet: false)
            Console.out("\n$ quickup run --release \(directory) --env \(envFile) --from \(from) --to \(to) --stage all --state \(state)")
            let first = try await launcher.launch(workspace: runnable, plan: plan, stages: Stage.allCases, dryRun: false, execution: nil, resumes: nil)
            guard first == .success else { return first }
            Console.out("\n$ quickup run … (the same command again: every task is already applied)")
            let second = try await launcher.launch(workspace: runnable, plan: plan, stages: Stage.allCases, dryRun: false, execution: nil, resumes: nil)
            guard second == .success else { return second }
            Console.out("\n$ quickup status --state \(state)")
            let journal = try Journal(stateDirectory: state)
            guard let upgrade = try journal.runs(limit: 2).last else { return .success }
            Console.out("Run \(upgrade.id): \(upgrade.status.rawValue), \(try journal.attempts(run: upgrade.id).filter { $0.status == "SUCCESS" }.count) tasks applied")
            Console.out("\n$ quickup rollback \(upgrade.id) --release \(directory) --env \(envFile) --state \(state)")
            let rolledBack = try await RollbackLauncher(state: state, quiet: false).launch(runID: upgrade.id, release: directory, env: envFile)
            guard rolledBack == .success else { return rolledBack }
            Console.out("\n$ quickup run … (once more: what was rolled back is applied again)")
            let third = try await launcher.launch(workspace: runnable, plan: plan, stages: Stage.allCases, dryRun: false, execution: nil, resumes: nil)
            guard third == .success else { return third }
            Console.out("\nThe demo database is \(workspaceDir)/shop.db; its upgrade_log table records every task and rollback.")
            return .success
        }
    }
}

/// Finds the sample release: in the working directory's checkout, or next to the executable's.
enum DemoRelease {
    static let environment = """
        # Written by quickup demo: one embedded SQLite database, no server.
        site: DEMO
        name: quickup demo
        datasources:
          shop_db:
            type: sqlite
            path: shop.db
        """

    static func temporaryDirectory() throws(QuickupError) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("quickup-demo-\(UUID().uuidString.prefix(8))").path
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw QuickupError(.io, "cannot create \(path): \(error.localizedDescription)")
        }
        return path
    }

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
