import QuickupCore
import QuickupData
import QuickupRemote
import QuickupRun

/// Puts the previous program files back and restarts the old services (F4 "restore program
/// files, restart old services"), host by host: stop the new service, switch `current` back,
/// start the old one and wait for it to be ready. A phase of its own, so the backup branch's
/// table restore (F3/F4) composes with it; safe to repeat (a switched host says `unchanged`).
public struct ProgramRollback: Sendable {
    public let scope: UpgradeScope
    public let services: ServiceController
    public let output: RunOutput

    public init(scope: UpgradeScope, services: ServiceController, output: RunOutput) {
        self.scope = scope
        self.services = services
        self.output = output
    }

    /// `restart: false` only stops and switches back (the cleanup of §4.1.4 leaves them stopped).
    public func run(runID: String, restart: Bool, tag: String) async throws(QuickupError) {
        for deployment in scope.deployments {
            for host in deployment.hosts {
                let service = deployment.service(on: host)
                let current = try await services.query(InstallLayout.current(service: service), on: host)
                guard current.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "releases/\(deployment.version)" else {
                    output.line("  \(deployment.component) on \(host.name): program files are not \(deployment.version); left as they are")
                    continue
                }
                _ = try await services.stop(service, on: host)
                let switched = try await services.query(InstallLayout.switchBack(service: service, from: deployment.version), on: host)
                guard switched.ok else {
                    throw QuickupError(.remoteCommandFailed, "cannot switch \(deployment.component) on \(host.name) back: \(switched.stderr.trimmingCharacters(in: .whitespacesAndNewlines))",
                                       at: service.location, hint: "look at \(service.installDir ?? "install_dir") on \(host.name)")
                }
                output.line("  \(deployment.component) on \(host.name): stopped, program files \(switched.stdout.trimmingCharacters(in: .whitespacesAndNewlines))")
                if restart {
                    _ = try await services.startOnce(service, on: host, runID: runID, stepID: "\(tag).start.\(host.name).\(deployment.component)")
                    output.line("  \(deployment.component) on \(host.name): previous version started and ready")
                }
            }
        }
    }
}

/// The environment cleanup of §4.1.4 after a failed non-retryable step of the formal upgrade:
/// stop the new services, switch program files back, remove temporary files, and mark every
/// formal step undone so the formal upgrade starts again from its first step (F2). Restoring
/// replaced configuration belongs to config tasks (K1, their own rollback).
struct EnvironmentCleanup: Sendable {
    let runID: String
    let scope: UpgradeScope
    let services: ServiceController
    let journal: Journal
    let output: RunOutput
    let now: @Sendable () -> Int64

    func run(steps: [UpgradeStep], latest: [String: StepRecord]) async throws(QuickupError) {
        let round = (latest.values.filter { $0.flow == UpgradeFlow.formal.rawValue }.map(\.attempt).max() ?? 0) + 1
        try await ProgramRollback(scope: scope, services: services, output: output).run(runID: runID, restart: false, tag: "cleanup\(round)")
        for deployment in scope.deployments {
            for host in deployment.hosts {
                _ = try await services.query(InstallLayout.removeTemporary(service: deployment.service(on: host), host: host, component: deployment.component), on: host)
            }
        }
        for (seq, step) in steps.enumerated() where step.flow == .formal {
            guard let record = latest[step.key] else { continue }
            var undone = StepRecord(runID: runID, seq: seq, key: step.key, flow: step.flow.rawValue, attempt: record.attempt + 1,
                                    status: .undone, startedAt: now())
            undone.endedAt = now()
            undone.detail = "environment cleanup (§4.1.4)"
            try journal.record(undone)
        }
        output.line("  environment cleaned: new services stopped, program files switched back, temporary files removed")
    }
}
