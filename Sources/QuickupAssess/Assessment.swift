import Foundation
import QuickupCore
import QuickupData
import QuickupRun

/// What to assess: the plan and everything it was made from.
public struct AssessmentRequest: Sendable {
    public var plan: Plan
    public var release: Release
    public var releaseRoot: String
    public var environment: Environment
    /// quickup's state directory: its journal gives past durations, its disk holds logs.
    public var stateDirectory: String
    /// More that must fit on a host of env.yaml, by host name: the upgrade adds each component's
    /// install directory with its package size (A1 on every host).
    public var hostDisks: [String: [ResourceAssessment.DiskNeed]]

    public init(plan: Plan, release: Release, releaseRoot: String, environment: Environment, stateDirectory: String,
                hostDisks: [String: [ResourceAssessment.DiskNeed]] = [:]) {
        self.plan = plan
        self.release = release
        self.releaseRoot = releaseRoot
        self.environment = environment
        self.stateDirectory = stateDirectory
        self.hostDisks = hostDisks
    }

    /// The needs of the host of env.yaml named `name` (none for a name env.yaml lacks).
    func diskNeeds(ofHost name: String, footprints: [DatasourceFootprint] = []) -> [ResourceAssessment.DiskNeed] {
        HostDiskNeeds.needs(ofHost: name, environment: environment, footprints: footprints, extra: hostDisks)
    }
}

/// Runs the four checks of `quickup assess` concurrently (A1–A4) and builds the report.
/// Resources are sampled while the datasources answer; each datasource is worked on by up to
/// `connectionsPerDatasource` connections, all datasources at once.
public struct Assessor: Sendable {
    /// The machine running quickup: backups and state go to its disks.
    public var probe: any ResourceProbe
    /// The hosts of env.yaml (over SSH: `SSHResourceProbe.probes`): checked for CPU and memory,
    /// and the file systems of `HostDiskNeeds` — the data directory of each datasource whose
    /// `host` is theirs (double-write need), the backup, state and install directories.
    public var hostProbes: [any ResourceProbe]
    public var connector: DatasourceConnector
    public var connectionsPerDatasource: Int
    public var longTask: TimeSpan
    public var clock: @Sendable () -> Date
    /// Asks the components' `resource_check` hooks what they need (T5); nil = declared needs only.
    public var hooks: HookProbe?

    public init(probe: any ResourceProbe = LocalResourceProbe(), hostProbes: [any ResourceProbe] = [], connector: DatasourceConnector? = nil,
                connectionsPerDatasource: Int = 3, longTask: TimeSpan = .minutes(5), clock: @escaping @Sendable () -> Date = Date.init,
                hooks: HookProbe? = nil) {
        self.hooks = hooks
        self.probe = probe
        self.hostProbes = hostProbes
        self.connector = connector ?? Self.standardConnector(secrets: SecretResolver())
        self.connectionsPerDatasource = max(1, connectionsPerDatasource)
        self.longTask = longTask
        self.clock = clock
    }

    /// `Datasources.connect` with the standard 3 tries (D3).
    public static func standardConnector(secrets: SecretResolver) -> DatasourceConnector {
        { (config: DatasourceConfig) async throws(QuickupError) -> any DatasourceConnection in
            try await Datasources.connect(config, secrets: secrets)
        }
    }

    public func assess(_ request: AssessmentRequest) async -> AssessmentReport {
        let started = clock()
        let env = request.environment
        var log: [String] = []
        let scope = AssessmentScope.build(request, log: &log)
        let statePath = request.stateDirectory
        let backupPath = env.backupDir ?? statePath
        let probe = self.probe
        async let sampled = Self.sample(probe, paths: Array(Set([backupPath, statePath])).sorted())
        async let remote = HostSurvey.measure(hostProbes) { HostDiskNeeds.paths(request.diskNeeds(ofHost: $0)) }
        let hooks = self.hooks, plan = request.plan
        async let answers = hooks?.run(.resourceCheck, plan: plan) ?? [:]
        let history = JournalHistory.durations(stateDirectory: statePath, keys: request.plan.tasks.map(\.task.key), site: request.plan.site)
        let outcomes = await run(scope.work)
        var checks: [CheckResult] = []
        // A1: datasources' touched tables, then the host.
        var footprints: [DatasourceFootprint] = []
        for (name, tables) in scope.touched {
            guard let config = env.datasource(named: name) else { continue }
            footprints.append(Self.footprint(config, tables: tables, outcome: outcomes[name], log: &log))
        }
        let backup = footprints.reduce(Int64(0)) { $0 + $1.backupBytes }
        var toolMemory = scope.toolMemory, toolDisk = scope.toolDisk
        for (component, answer) in await answers.sorted(by: { $0.key < $1.key }) {
            let declared = request.release.components.first { $0.name == component }
            let check = Self.resourceHookCheck(component, answer)
            checks.append(check.result)
            guard let needs = check.needs, Set(request.plan.tasks.map(\.task.component)).contains(component) else { continue }
            // The hook's live answer replaces what component.yaml declares.
            if let memory = needs.memory { toolMemory += memory.bytes - (declared?.needsMemory?.bytes ?? 0) }
            if let disk = needs.disk { toolDisk += disk.bytes - (declared?.needsDisk?.bytes ?? 0) }
        }
        let needs = ResourceNeeds(backupBytes: backup, toolMemoryBytes: toolMemory, toolDiskBytes: toolDisk)
        var hosts: [HostResources] = []
        switch await sampled {
        case .success(let host):
            hosts.append(host)
            checks += ResourceAssessment.evaluate(host, needs: needs, thresholds: env.thresholds, backupPath: backupPath, statePath: statePath)
            checks.append(OldBackupsCheck.check(backupDirectory: env.backupDir ?? "\(statePath)/backups"))
        case .failure(let error):
            checks.append(CheckResult(category: .resources, id: "resources.\(probe.host)", title: "Resources of \(probe.host)",
                                      status: .fail, summary: "cannot read the figures: \(error.message)", suggestion: error.hint))
        }
        let survey = HostSurvey.evaluate(await remote, thresholds: env.thresholds) { request.diskNeeds(ofHost: $0, footprints: footprints) }
        hosts += survey.hosts
        checks += survey.checks
        checks += footprints.map(ResourceAssessment.check)
        // A2
        checks += Self.quality(scope, outcomes: outcomes, log: &log)
        // A3
        let (compatibility, compatibilityCheck) = CompatibilityAssessment.assess(request.plan)
        checks.append(compatibilityCheck)
        checks.append(await ChecksumAssessment.check(request, connector: connector))
        // A4
        var measured: [String: Result<Double, QuickupError>] = [:]
        for outcome in outcomes.values {
            measured.merge(outcome.volumes) { a, _ in a }
            if let error = outcome.connectError {
                for (key, datasource) in scope.volumeSources where datasource == outcome.name { measured[key] = .failure(error) }
            }
        }
        // F3: the backups before the first change, sized by A1, timed at this journal's past backups' rate.
        let backupTime = footprints.isEmpty ? nil
            : BackupDuration.estimate(bytes: footprints.reduce(0) { $0 + $1.touchedBytes }, past: BackupDuration.past(stateDirectory: statePath))
        let (duration, durationChecks) = DurationAssessment.assess(request.plan, history: history, measured: measured, longTask: longTask,
                                                                   backup: backupTime)
        checks += durationChecks
        let elapsed = Int64((clock().timeIntervalSince(started) * 1000).rounded())
        return AssessmentReport(
            release: request.plan.release, from: request.plan.from.description, to: request.plan.to.description, site: request.plan.site,
            status: CheckStatus.worst(checks.map(\.status)), assessedAt: ISO8601DateFormatter().string(from: started),
            elapsedMilliseconds: elapsed, outageSeconds: duration.outageSeconds, totalSeconds: duration.totalSeconds, checks: checks,
            hosts: hosts, datasources: footprints.sorted { $0.name < $1.name }, needs: needs, compatibility: compatibility,
            duration: duration, log: log)
    }

    static func sample(_ probe: any ResourceProbe, paths: [String]) async -> Result<HostResources, QuickupError> {
        do { return .success(try await probe.sample(paths: paths)) } catch { return .failure(error) }
    }

    static func footprint(_ config: DatasourceConfig, tables: [String], outcome: DatasourceWork.Outcome?, log: inout [String]) -> DatasourceFootprint {
        var footprint = DatasourceFootprint(name: config.name, type: config.type, status: .pass, tables: tables.map { .init(name: $0, bytes: nil) },
                                            touchedBytes: 0, backupBytes: 0, doubleWriteBytes: 0)
        guard !tables.isEmpty else { return footprint }
        if let outcome, let error = outcome.connectError {
            footprint.status = outcome.missingDatabase ? .skipped : .fail
            footprint.message = (outcome.missingDatabase ? "database missing: " : "") + error.message
            if outcome.missingDatabase { log.append("datasource \(config.name) SKIPPED: \(error.message)") }
            return footprint
        }
        switch outcome?.sizes {
        case .success(let sizes)?:
            footprint.tables = tables.map { .init(name: $0, bytes: sizes[$0]) }
            footprint.touchedBytes = sizes.values.reduce(0, +)
            footprint.backupBytes = DatasourceFootprint.backupNeed(footprint.touchedBytes)
            footprint.doubleWriteBytes = DatasourceFootprint.doubleWriteNeed(footprint.touchedBytes)
        case .failure(let error)?:
            footprint.status = .fail
            footprint.message = "cannot measure table sizes: \(error.message)"
        case nil:
            footprint.status = .skipped
            footprint.message = "not measured"
        }
        return footprint
    }
}

extension Assessor {
    /// One report line per `resource_check` hook: what it answered, or why it could not.
    static func resourceHookCheck(_ component: String, _ answer: Result<String?, QuickupError>) -> (result: CheckResult, needs: ResourceHookAnswer?) {
        let id = "resources.hook.\(component)", title = "resource_check hook of \(component)"
        switch answer {
        case .success(let json?):
            do {
                let needs = try ResourceHookAnswer.parse(json, hook: "\(component)/hook.resource_check")
                let parts = [needs.memory.map { "memory \($0)" }, needs.disk.map { "disk \($0)" }].compactMap { $0 }
                return (CheckResult(category: .resources, id: id, title: title, status: .pass,
                                    summary: parts.isEmpty ? "needs nothing extra" : "needs " + parts.joined(separator: ", ")), needs)
            } catch {
                return (CheckResult(category: .resources, id: id, title: title, status: .fail, summary: error.message, suggestion: error.hint), nil)
            }
        case .success(nil):
            return (CheckResult(category: .resources, id: id, title: title, status: .warn, summary: "the hook printed no result",
                                suggestion: "it should print {\"result\": {\"memory\": \"256MB\", \"disk\": \"1GB\"}}; the declared resources are used"), nil)
        case .failure(let error):
            return (CheckResult(category: .resources, id: id, title: title, status: .fail, summary: error.message,
                                suggestion: error.hint ?? "fix the hook; docs/TOOLS.md describes its protocol"), nil)
        }
    }
}
