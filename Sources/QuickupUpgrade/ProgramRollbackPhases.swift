import QuickupCore
import QuickupData
import QuickupRemote
import QuickupRun

/// The host phases of `quickup rollback` of a whole upgrade (F4, §4.3.1), one per slot so each
/// is a checkpoint of its own: stop the new services, switch the program files back, start the
/// old services, and — in verify — every host healthy and reporting the previous version. Each
/// phase goes host by host and may run again after a kill: a host already switched back is not
/// stopped again, a switch says `unchanged`, and a start is a remote step keyed by the rollback
/// series (a start launched before a kill is waited for, never launched a second time) that is
/// not launched at all where the old version already answers.
public struct ProgramRollbackPhases: Sendable {
    let release: Release
    let releaseRoot: String
    let environment: Environment
    /// The version rolled back to and the one rolled back from.
    let from: Version
    let to: Version
    let stateDirectory: String

    public init(release: Release, releaseRoot: String, environment: Environment, from: Version, to: Version, stateDirectory: String) {
        self.release = release
        self.releaseRoot = releaseRoot
        self.environment = environment
        self.from = from
        self.to = to
        self.stateDirectory = stateDirectory
    }

    public var phases: [HostRollbackPhase] {
        let hosts = self
        return [
            HostRollbackPhase(slot: .stopNewServices, title: "services", hasWork: { true },
                              actions: { ["on every host of the upgrade whose program files are \(hosts.to): stop the service"] },
                              run: { step throws(QuickupError) in try await hosts.stopNew(step) }),
            HostRollbackPhase(slot: .restoreProgramFiles, title: "program files", hasWork: { true },
                              actions: { ["on every host of the upgrade: switch `current` back from releases/\(hosts.to) to the release the install recorded"] },
                              run: { step throws(QuickupError) in try await hosts.switchBack(step) }),
            HostRollbackPhase(slot: .startOldServices, title: "services", hasWork: { true },
                              actions: { ["on every host of the upgrade: start the \(hosts.from) service (once) and wait until it is ready"] },
                              run: { step throws(QuickupError) in try await hosts.startOld(step) }),
            HostRollbackPhase(slot: .verify, title: "services", hasWork: { false },
                              actions: { ["on every host of the upgrade: health URL answers, version URL reports \(hosts.from)"] },
                              run: { step throws(QuickupError) in try await hosts.verify(step) }),
        ]
    }

    func stopNew(_ step: HostRollbackStep) async throws(QuickupError) {
        try await each(step) { deployment, host, service, services throws(QuickupError) in
            let current = try await Self.current(service, host, services)
            guard current == "releases/\(deployment.version)" else {
                step.output.line("  \(deployment.component) on \(host.name): program files are \(current.isEmpty ? "absent" : current), not \(deployment.version); not stopped")
                return
            }
            let report = try await services.stop(service, on: host)
            step.output.line("  \(deployment.component) on \(host.name): \(report.wasRunning ? "\(deployment.version) stopped" : "\(deployment.version) was not running")")
        }
    }

    func switchBack(_ step: HostRollbackStep) async throws(QuickupError) {
        try await each(step) { deployment, host, service, services throws(QuickupError) in
            let switched = try await services.query(InstallLayout.switchBack(service: service, from: deployment.version), on: host)
            guard switched.ok else {
                throw QuickupError(.remoteCommandFailed, "cannot switch \(deployment.component) on \(host.name) back: \(switched.stderr.trimmingCharacters(in: .whitespacesAndNewlines))",
                                   at: service.location, hint: "look at \(service.installDir ?? "install_dir") on \(host.name)")
            }
            step.output.line("  \(deployment.component) on \(host.name): program files \(switched.stdout.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    func startOld(_ step: HostRollbackStep) async throws(QuickupError) {
        try await each(step) { deployment, host, service, services throws(QuickupError) in
            let current = try await Self.current(service, host, services)
            guard current != "releases/\(deployment.version)" else {
                throw QuickupError(.taskFailed, "\(deployment.component) on \(host.name) still runs the program files of \(deployment.version)",
                                   at: service.location, hint: "phase restore-program-files did not switch it back: look at \(service.installDir ?? "install_dir")/current")
            }
            if let running = try await Self.version(service, host, services), running == from {
                step.output.line("  \(deployment.component) on \(host.name): \(from) answers already; not started again")
                return
            }
            _ = try await services.startOnce(service, on: host, runID: step.series, stepID: "rollback.start.\(host.name).\(deployment.component)")
            step.output.line("  \(deployment.component) on \(host.name): \(from) started and ready")
        }
    }

    func verify(_ step: HostRollbackStep) async throws(QuickupError) {
        try await each(step) { deployment, host, service, services throws(QuickupError) in
            let check = ServiceCheck(component: deployment.component, host: host, service: service, services: services,
                                     when: "after the rollback (verify)")
            if try await check.run(expecting: from) == nil {
                step.output.line("[VERIFIED] \(deployment.component) on \(host.name): healthy (no version_url to read the version)")
            } else {
                step.output.line("[VERIFIED] \(deployment.component) on \(host.name): healthy, version \(from)")
            }
        }
    }

    /// Runs `body` for every host of every deployment of the upgrade, in order, then the
    /// phase's crash point `<phase>@<host>` (tests of F4's resume).
    private func each(_ step: HostRollbackStep,
                      _ body: (Deployment, HostConfig, ServiceDefinition, ServiceController) async throws(QuickupError) -> Void) async throws(QuickupError) {
        let scope: UpgradeScope
        do throws(QuickupErrors) { scope = try UpgradeScope.build(release: release, releaseRoot: releaseRoot, environment: environment, from: from, to: to) } catch {
            throw error.errors.first ?? QuickupError(.invalidArgument, "invalid input")
        }
        let connections = SSHConnections(context: RemoteContext(stateDirectory: RunContext<ContinuousClock>.absolute(stateDirectory),
                                                                keepalive: environment.keepalive))
        do throws(QuickupError) {
            let nacos = try environment.nacos.map { config throws(QuickupError) in
                NacosClient(config: config, password: try SecretResolver().secret(for: config.password, of: "nacos"))
            }
            let services = ServiceController(connections: connections, nacos: nacos)
            for deployment in scope.deployments {
                for host in deployment.hosts {
                    try await body(deployment, host, deployment.service(on: host), services)
                    step.checkpoint(host.name)
                }
            }
        } catch {
            await connections.closeAll()
            throw error
        }
        await connections.closeAll()
    }

    static func current(_ service: ServiceDefinition, _ host: HostConfig, _ services: ServiceController) async throws(QuickupError) -> String {
        try await services.query(InstallLayout.current(service: service), on: host).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The version the service answers at its version URL, read on the host; nil when it does not answer.
    static func version(_ service: ServiceDefinition, _ host: HostConfig, _ services: ServiceController) async throws(QuickupError) -> Version? {
        guard let script = InstallLayout.version(service: service) else { return nil }
        let answer = try await services.query(script, on: host)
        return answer.ok ? Version.parse(answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) : nil
    }
}
