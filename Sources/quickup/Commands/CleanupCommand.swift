import ArgumentParser
import QuickupCore
import QuickupRelease
import QuickupRun

/// `quickup cleanup RUN --env env.yaml` (F6): removes the backups of the upgrade RUN belongs to
/// (every stage run and resume), saying what it frees; the newest successful upgrade's only with
/// `--force`.
struct CleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup", abstract: "Remove the backups of an upgrade and say what it frees (F6).",
        discussion: "The backups of the newest upgrade that succeeded are its way back: they are kept unless --force is given. env.yaml's backup.retention removes old ones at the start of each run.")

    @Argument(help: "A run of the upgrade whose backups go.")
    var run: String
    @Option(name: .long, help: "The site's env.yaml (for backups kept inside a database server).")
    var env: String
    @Flag(name: .long, help: "Remove the newest successful upgrade's backups too.")
    var force = false
    @Flag(name: .customLong("dry-run"), help: "Say what would be removed and freed; remove nothing.")
    var dryRun = false
    @OptionGroup var stateOption: StateOption

    func run() async throws {
        try await runReporting {
            let journal = try Journal(stateDirectory: stateOption.state)
            let environment = try Workspace.loadEnvironment(file: env)
            let context = RunContext(stateDirectory: stateOption.state, clock: ContinuousClock(), output: RunOutput(console: nil))
            let cleanup = BackupCleanup(journal: journal, environment: environment, stateDirectory: context.stateDirectory,
                                        secrets: context.secrets, connect: context.connect)
            let selection = try cleanup.selection(upgradeOf: run, force: force)
            guard !selection.records.isEmpty else {
                Console.out("The upgrade of \(run) holds no backups; nothing to do.")
                return .success
            }
            for record in selection.records {
                let size = record.manifest.map { " (\(ByteSize(bytes: $0.bytes))\($0.inServer ? " in the server" : ""))" } ?? ""
                Console.out("\(dryRun ? "would remove" : "removes") \(record.datasource) \(record.object) of \(record.runID)\(size)")
            }
            let frees = "\(ByteSize(bytes: selection.diskBytes)) on disk in \(selection.directories.joined(separator: ", "))"
                + (selection.serverBytes > 0 ? " and \(ByteSize(bytes: selection.serverBytes)) in database servers" : "")
            if dryRun {
                Console.out("Dry run: would free \(frees).")
                return .success
            }
            try await cleanup.remove(selection, at: context.now())
            Console.out("Removed \(selection.records.count) backup\(selection.records.count == 1 ? "" : "s"); freed \(frees).")
            return .success
        }
    }
}
