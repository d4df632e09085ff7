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

    func perform(_ step: UpgradeStep, attempt: Int) async throws(QuickupError) -> StepDetail {
        switch step.action {
        case .precheck: return try await Precheck(request: request, context: context).run()
        case .backup: return backup()
        case .transfer: return try await transfer()
        case .tasks(let stage): return try await tasks(stage)
        case .stop(let host, let component):
            let (h, service) = try target(host, component)
            let began = context.now()
            let report = try await services.stop(service, on: h)
            return StepDetail(values: ["stopBegan": "\(began)", "wasRunning": "\(report.wasRunning)", "killed": "\(report.killed)",
                                       "stopMs": "\(report.stopTime?.milliseconds ?? 0)"])
        case .install(let host, let component):
            let (h, service) = try target(host, component)
            guard let deployment = scope.deployment(component) else { throw missing(component) }
            let script = InstallLayout.install(service: service, staging: InstallLayout.staging(h, component: component, version: deployment.version),
                                               version: deployment.version, keep: deployment.keep)
            let outcome = try await services.runOnce(script, on: h, runID: runID, stepID: "\(step.key)#\(attempt)")
            guard outcome.succeeded else {
                throw QuickupError(.remoteCommandFailed, "installing \(component) \(deployment.version) on \(host) failed: \(outcome.stderr.split(separator: "\n").last.map(String.init) ?? "status \(outcome.exitCode)")",
                                   at: service.location, hint: "check free space and permissions of \(service.installDir ?? "install_dir") on \(host)")
            }
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

    func target(_ host: String, _ component: String) throws(QuickupError) -> (HostConfig, ServiceDefinition) {
        guard let h = scope.host(host), let deployment = scope.deployment(component) else { throw missing("\(component) on \(host)") }
        return (h, deployment.service(on: h))
    }

    private func missing(_ what: String) -> QuickupError {
        QuickupError(.invalidArgument, "\(what) is no longer part of this upgrade (env.yaml or the release changed since it started)",
                     hint: "resume with the same --release and --env as the upgrade was started with, or roll it back")
    }

    /// F3 is built elsewhere (issue 16): this step says what a backup would hold and that it was not made.
    private func backup() -> StepDetail {
        let tables = request.release.components.flatMap { c in c.backupTables.map { "\(c.name):\($0)" } }
        let programs = scope.deployments.flatMap { d in d.hosts.map { "\($0.name):\(d.service(on: $0).installDir ?? "?")/current" } }
        context.output.line("  backup NOT made: this quickup has no backup capability yet (issue 16). It would back up "
            + "tables [\(tables.joined(separator: ", "))] and program files [\(programs.joined(separator: ", "))]; "
            + "program files stay in <install_dir>/releases/ and `current` can be switched back.")
        return StepDetail(values: ["backedUp": "false", "tables": tables.joined(separator: ","), "programFiles": programs.joined(separator: ",")])
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
        var runRequest = RunRequest(plan: request.plan, releaseRoot: request.releaseRoot, environment: request.environment,
                                    stages: [stage], resumes: runID, plugins: request.plugins)
        guard request.plan.stage(stage) != nil || runRequest.hasHooks(in: stage) else { return StepDetail(values: ["tasks": "0"]) }
        let resume = request.resumeCommand, id = runID
        runRequest.resumeCommand = { _ in resume(id) }
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
