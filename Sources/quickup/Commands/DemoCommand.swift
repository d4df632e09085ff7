import ArgumentParser
import Foundation
import QuickupAssess
import QuickupCore
import QuickupRelease
import QuickupRun

/// `quickup demo`: shows the whole flow on the sample release built into the binary, in a
/// folder of its own under the temp directory (removed at the end unless `--keep`), no server needed.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Walk through validate, plan, assess, run, status, rollback and run again on the built-in sample release (embedded SQLite, no server).")

    @Option(name: .long, help: "Use this release instead of the built-in sample (it must use the sample's shop_db datasource).")
    var release: String?
    @Flag(name: .long, help: "Keep the demo's folder (release, env.yaml, database, state) instead of removing it at the end.")
    var keep = false

    func run() async throws {
        try await runReporting {
            let folder = try DemoRelease.temporaryDirectory()
            Console.out("== quickup demo in \(folder) (" + (keep ? "kept: --keep" : "removed at the end; --keep keeps it") + ")\n")
            let status: ExitStatus
            do {
                let directory = try release ?? DemoRelease.write(into: "\(folder)/release")
                status = try await DemoTour(folder: folder, release: directory).run()
            } catch {
                Console.error("The demo's folder is kept for a look: \(folder)")
                throw error
            }
            guard status == .success, !keep else {
                Console.out("\nThe demo's folder is kept: \(folder) (release/, env.yaml, shop.db with its upgrade_log table, state/).")
                return status
            }
            do { try FileManager.default.removeItem(atPath: folder) } catch {
                throw QuickupError(.io, "cannot remove the demo's folder \(folder): \(error.localizedDescription)", hint: "remove it by hand")
            }
            Console.out("\nRemoved the demo's folder \(folder); `\(NextCommand.line(["demo", "--keep"]))` keeps it to look at.")
            return .success
        }
    }
}

/// The demo's steps, each printed as the command that does the same and followed by what that
/// command prints, so that every `$` line can be typed as shown (while the folder exists).
struct DemoTour {
    let folder: String
    let release: String

    func run() async throws -> ExitStatus {
        let from = Version(1, 0, 0), to = Version(1, 1, 0, p: 1)
        let envFile = "\(folder)/env.yaml", state = "\(folder)/state"
        try DemoRelease.writeFile("\(folder)/shop.db", contents: "")
        try DemoRelease.writeFile(envFile, contents: DemoRelease.environment(folder: folder))
        try DemoRelease.placeSiteSettings(release: release, component: "orders", version: from, installDir: "\(folder)/hosts/node0/orders")
        let site = NextCommand.site(release: release, env: envFile, state: state)
        let versions = ["--from", from.description, "--to", to.description]

        command(["validate", "--release", release])
        let workspace = try Workspace.open(release: release)
        let r = workspace.release
        Console.out("Release \(r.name) is valid: \(r.components.count) components, \(r.taskCount) tasks.\n")
        command(["plan", "--release", release] + versions)
        Console.out(PlanRenderer().render(try workspace.plan(from: from, to: to, site: nil)))

        // What runs uses env.yaml: its site (DEMO) is the plan's, so runs and rollbacks agree.
        let runnable = try Workspace.open(release: release, environment: envFile)
        let plan = try runnable.plan(from: from, to: to, site: nil)
        if let environment = runnable.environment {
            Console.out("")
            command(["assess", "--release", release, "--env", envFile] + versions + ["--state", state])
            let report = try await AssessmentRunner.run(workspace: runnable, environment: environment, plan: plan, state: state, html: nil)
            Console.out(TerminalRenderer(colour: false).render(report))
            Console.out("(The demo upgrades whatever the verdict; before a real upgrade, fix what FAILs and review what WARNs.)")
        }
        let launcher = RunLauncher(state: state, quiet: false, release: release, env: envFile)
        let runCommand = ["run"] + site + versions + ["--stage", "all"]
        func upgrade(_ note: String?) async throws -> ExitStatus {
            Console.out("")
            command(runCommand, note)
            return try await launcher.launch(workspace: runnable, plan: plan, stages: Stage.allCases, dryRun: false, execution: nil, resumes: nil)
        }
        let first = try await upgrade(nil)
        guard first == .success else { return first }

        let journal = try Journal(stateDirectory: state)
        guard let applied = try journal.runs(limit: 1).first else { return .success }
        Console.out("")
        command(["status", applied.id, "--state", state])
        var record = applied
        record.planJSON = nil
        Console.out(try StatusCommand.text(record, attempts: try journal.attempts(run: applied.id), journal: journal))

        let second = try await upgrade("the same command again: every task is already applied")
        guard second == .success else { return second }

        Console.out("")
        command(["rollback", applied.id] + site)
        let rolledBack = try await RollbackLauncher(state: state, quiet: false).launch(runID: applied.id, release: release, env: envFile)
        guard rolledBack == .success else { return rolledBack }

        let third = try await upgrade("once more: what was rolled back is applied again")
        guard third == .success else { return third }

        Console.out("")
        command(["history", "--state", state])
        Console.out(HistoryCommand.text(try journal.runs(limit: 50), state: state))
        Console.out("\nEvery task and rollback above is also recorded in the upgrade_log table of the demo database (shop.db).")
        return try await DemoUpgrade(folder: folder, release: release, state: "\(folder)/state-upgrade").run()
    }

    private func command(_ words: [String], _ note: String? = nil) {
        Console.out("$ \(NextCommand.line(words))" + (note.map { "    # \($0)" } ?? ""))
    }
}
