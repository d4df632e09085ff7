import Foundation
import QuickupAssess
import QuickupCore
import QuickupData
import QuickupRemote
import QuickupRun

/// What each step does (F1). Each returns the values later steps, the summary and rollback need.
struct StepActions: Sendable {
    let runID: String
    let request: UpgradeRequest
    let context: UpgradeContext
    let scope: UpgradeScope
    let journal: Journal
    let services: ServiceController
    /// The stages whose tasks the upgrade runs (its `tasks` steps): what its backup covers.
    let stages: [Stage]

    func perform(_ step: UpgradeStep, attempt: Int) async throws(QuickupError) -> StepDetail {
        switch step.action {
        case .precheck: return try await Precheck(request: request, context: context).run()
        case .backup: return try await backup()
        case .transfer: return try await transfer()
        case .tasks(let stage): return try await tasks(stage)
        case .stop(let host, let component):
            let (h, service) = try target(host, component)
            let began = context.now()
            let report = try await services.stop(service, on: h)
            return StepDetail(values: ["stopBegan": "\(began)", "wasRunning": "\(report.wasRunning)", "killed": "\(report.killed)",
                                       "stopMs": "\(report.stopTime?.milliseconds ?? 0)"])
        case .prepare(let host, let component):
            let (h, service) = try target(host, component)
            guard let deployment = scope.deployment(component) else { throw missing(component) }
            let script = InstallLayout.prepare(service: service, staging: InstallLayout.staging(h, component: component, version: deployment.version),
                                               version: deployment.version)
            _ = try await remote(script, step: step, attempt: attempt, host: h, service: service, what: "preparing \(component) \(deployment.version)")
            return StepDetail(values: ["prepared": "releases/\(deployment.version)"])
        case .install(let host, let component):
            let (h, service) = try target(host, component)
            guard let deployment = scope.deployment(component) else { throw missing(component) }
            // The switch is safe to repeat (done already, it only reports), so it runs as one plain
            // command — no marker round trips inside the outage.
            let script = InstallLayout.switchTo(service: service, version: deployment.version, keep: deployment.keep)
            let outcome = try await services.query(script, on: h)
            guard outcome.ok else { throw failure("installing \(component) \(deployment.version)", on: h, service: service, stderr: outcome.stderr, status: nil) }
            let previous = outcome.stdout.split(separator: "\n").first { $0.hasPrefix("previous") }.map { String($0.dropFirst("previous".count)).trimmingCharacters(in: .whitespaces) } ?? ""
            return StepDetail(values: ["previous": previous, "installed": "releases/\(deployment.version)"])
        case .start(let host, let component):
            let (h, service) = try target(host, component)
            let report = try await services.startOnce(service, on: h, runID: runID, stepID: "\(step.key)#\(attempt)")
            return StepDetail(values: ["readyAt": "\(context.now())", "readyAfterMs": "\(report.readyAfter.milliseconds)"])
        case .gate: return try await gate()
        case .verify: return try await Postcheck(request: request, context: context, scope: scope, services: services).run()
        }
    }

    /// A remote step with a marker (run once per attempt, S1); its failure names the last line of its stderr.
    private func remote(_ script: String, step: UpgradeStep, attempt: Int, host: HostConfig, service: ServiceDefinition,
                        what: String) async throws(QuickupError) -> RemoteStepOutcome {
        let outcome = try await services.runOnce(script, on: host, runID: runID, stepID: "\(step.key)#\(attempt)")
        guard outcome.succeeded else { throw failure(what, on: host, service: service, stderr: outcome.stderr, status: outcome.exitCode) }
        return outcome
    }

    private func failure(_ what: String, on host: HostConfig, service: ServiceDefinition, stderr: String, status: Int32?) -> QuickupError {
        QuickupError(.remoteCommandFailed, "\(what) on \(host.name) failed: \(stderr.split(separator: "\n").last.map(String.init) ?? "status \(status.map(String.init) ?? "non-zero")")",
                     at: service.location, hint: "check free space and permissions of \(service.installDir ?? "install_dir") on \(host.name)")
    }

    func target(_ host: String, _ component: String) throws(QuickupError) -> (HostConfig, ServiceDefinition) {
        guard let h = scope.host(host), let deployment = scope.deployment(component) else { throw missing("\(component) on \(host)") }
        return (h, deployment.service(on: h))
    }

    private func missing(_ what: String) -> QuickupError {
        QuickupError(.invalidArgument, "\(what) is no longer part of this upgrade (env.yaml or the release changed since it started)",
                     hint: "resume with the same --release and --env as the upgrade was started with, or roll it back")
    }

    /// Flow 2 (F3, issue 16): the backups `quickup run` takes before its first change, for every
    /// stage of the upgrade at once and before the outage: the tables its scripts change plus
    /// `backup_tables` (and Redis keys), the space checked first. Backups any run of this upgrade
    /// took already are kept, never taken again (a resume, a step redone after a crash), and the
    /// upgrade's stage runs find them taken. Program files need no copy: the previous version
    /// stays in `<install_dir>/releases/` and `current` is switched back (F4).
    private func backup() async throws(QuickupError) -> StepDetail {
        let runContext = RunContext(stateDirectory: context.stateDirectory, clock: ContinuousClock(), output: context.output, now: context.now)
        let backups = try await BackupBeforeChange.take(runID: runID, request: engineRequest(stages), journal: journal, context: runContext)
        let tables = backups.map { "\($0.datasource):\($0.object)" }
        let programs = scope.deployments.flatMap { d in d.hosts.map { "\($0.name):\(d.service(on: $0).installDir ?? "?")/releases" } }
        context.output.line("  tables backed up before change: " + (tables.isEmpty ? "none (no table the scripts change exists yet, or all were backed up before)" : tables.joined(separator: ", "))
            + "; program files are kept in " + (programs.isEmpty ? "no host" : programs.joined(separator: ", ")))
        return StepDetail(values: ["backups": "\(backups.count)", "tables": tables.joined(separator: ","), "programFiles": programs.joined(separator: ",")])
    }

    /// A run of the engine inside this upgrade: its stage runs and its backup (F3). It works under
    /// the upgrade's site lock and counts as one of the upgrade's runs (rollback, cleanup).
    private func engineRequest(_ stages: [Stage]) -> RunRequest {
        var runRequest = RunRequest(plan: request.plan, releaseRoot: request.releaseRoot, environment: request.environment,
                                    stages: stages, resumes: runID, plugins: request.plugins)
        runRequest.backupTables = request.release.backupTablesByComponent
        runRequest.siteLockHeldBy = runID
        let resume = request.resumeCommand, id = runID
        runRequest.resumeCommand = { _ in resume(id) }
        return runRequest
    }

    private func transfer() async throws(QuickupError) -> StepDetail {
        var transfers: [HostTransfer] = []
        for host in scope.hosts {
            var files: [TransferFile] = []
            for deployment in scope.deployments where deployment.hosts.contains(where: { $0.name == host.name }) {
                let staging = InstallLayout.staging(host, component: deployment.component, version: deployment.version)
                for relative in try PackageFiles.list(deployment.packageFolder) {
                    files.append(TransferFile(local: "\(deployment.packageFolder)/\(relative)", remote: "\(staging)/\(relative)"))
                }
            }
            transfers.append(HostTransfer(host: host, files: files))
        }
        let report = try await PackageTransfer(connections: services.connections).send(transfers)
        for line in report.summary { context.output.line("  \(line)") }
        return StepDetail(values: ["filesSent": "\(report.filesSent)", "filesSkipped": "\(report.filesSkipped)", "bytesSent": "\(report.bytesSent)"])
    }

    /// A stage's tasks and hooks through the run engine, as a run of its own whose parent is the
    /// upgrade; tasks already applied are skipped (E3), so this is safe to repeat.
    private func tasks(_ stage: Stage) async throws(QuickupError) -> StepDetail {
        let runRequest = engineRequest([stage])
        guard request.plan.stage(stage) != nil || runRequest.hasHooks(in: stage) else { return StepDetail(values: ["tasks": "0"]) }
        let runContext = RunContext(stateDirectory: context.stateDirectory, clock: ContinuousClock(), output: context.taskOutput())
        let result = await Executor(journal: journal, context: runContext).run(runRequest)
        if let error = result.error { throw error }
        return StepDetail(values: ["run": result.runID, "succeeded": "\(result.succeeded)", "skipped": "\(result.skipped)"])
    }

    /// F1's manual verification gate: `--yes` or `--verified` pass it; a terminal is asked;
    /// otherwise the upgrade pauses (status awaiting_verification).
    private func gate() async throws(QuickupError) -> StepDetail {
        if request.yes { return StepDetail(values: ["passed": "--yes"]) }
        if request.verified { return StepDetail(values: ["passed": "--verified"]) }
        if let confirm = context.confirm {
            if await confirm("The new services are running. Verify them, then answer yes to open southbound traffic and finish") {
                return StepDetail(values: ["passed": "terminal"])
            }
        }
        throw QuickupError.awaitingVerification(runID: runID, resume: request.resumeCommand(runID))
    }
}

extension QuickupError.Code {
    /// The upgrade waits at the manual verification gate (not a failure).
    public static let awaitingVerification = Self(rawValue: "awaiting_verification")
}

extension QuickupError {
    static func awaitingVerification(runID: String, resume: String) -> QuickupError {
        QuickupError(.awaitingVerification, "upgrade \(runID) waits for manual verification of the upgraded services",
                     hint: "check them, then `\(resume) --verified` continues")
    }
}

/// The files of a package folder, relative to it, sorted (hidden files included).
enum PackageFiles {
    static func list(_ folder: String) throws(QuickupError) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else {
            throw QuickupError(.fileNotFound, "package folder \(folder) cannot be read", hint: "check the release")
        }
        var files: [String] = []
        while let next = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(folder)/\(next)", isDirectory: &isDirectory), !isDirectory.boolValue { files.append(next) }
        }
        return files.sorted()
    }
}
