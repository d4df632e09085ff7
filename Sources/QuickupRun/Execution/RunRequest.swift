import Foundation
import QuickupCore
import QuickupData
import QuickupRemote
import QuickupTools

/// What to run (E1): a plan, where its files are, the environment, which stages, and the
/// operator's decisions about interrupted or changed tasks (E4, M7).
public struct RunRequest: Sendable {
    public var plan: Plan
    public var releaseRoot: String
    public var environment: Environment
    public var stages: [Stage]
    public var dryRun: Bool
    /// Task uids or keys the operator confirmed may run again (E4 `--confirm-rerun`).
    public var confirmRerun: Set<String>
    /// Task uids or keys whose changed files the operator accepts (M7 `--accept-changed`).
    public var acceptChanged: Set<String>
    /// The run this one resumes, if any (recorded only).
    public var resumes: String?
    /// Plugin class, limits, failure policy and hooks per component (T3–T5); a component not
    /// listed gets the default class's.
    /// In release order: hooks of one moment run in this order.
    public var plugins: [PluginProfile] = []
    /// component.yaml's `backup_tables` by component (F3): backed up with the tables its scripts change.
    public var backupTables: [String: [String]] = [:]
    /// The command that resumes a run, as the operator types it (E4, L2): every hint that says
    /// how to continue prints this. The CLI passes the full command line it was called with.
    public var resumeCommand: @Sendable (_ runID: String) -> String = { "quickup resume \($0)" }
    /// The run's id when the front end must know it before the run starts (the HTTP API answers
    /// 202 with it, H1); nil makes a new one.
    public var runID: String?
    /// The run that holds the site lock this run works under (E6): a whole upgrade holds it for
    /// its whole duration and its stage runs work under it (issue 15); nil takes the lock.
    public var siteLockHeldBy: String?
    /// How the front end's user goes on from an upgrade of the site paused at the verification
    /// gate: such a pause refuses this run (E6, F1), naming them.
    public var pausedWays = PausedUpgradeWays.plain

    public func plugin(_ component: String) -> PluginProfile {
        plugins.first { $0.component == component } ?? PluginProfile(defaultFor: component)
    }

    /// Whether some component has a hook that runs in `stage` (T5).
    public func hasHooks(in stage: Stage) -> Bool {
        [HookSchedule.Moment.beforeTasks, .afterTasks].contains { moment in
            HookSchedule.points(stage, moment).contains { point in plugins.contains { $0.hooks[point] != nil } }
        }
    }

    public init(plan: Plan, releaseRoot: String, environment: Environment, stages: [Stage] = Stage.allCases,
                dryRun: Bool = false, confirmRerun: Set<String> = [], acceptChanged: Set<String> = [], resumes: String? = nil,
                plugins: [PluginProfile] = []) {
        self.plugins = plugins
        self.plan = plan
        self.releaseRoot = releaseRoot
        self.environment = environment
        self.stages = stages
        self.dryRun = dryRun
        self.confirmRerun = confirmRerun
        self.acceptChanged = acceptChanged
        self.resumes = resumes
    }

    static func names(_ task: UpgradeTask, in set: Set<String>) -> Bool {
        // Asked twice per task; a task's key and qualified uid are built when read.
        guard !set.isEmpty else { return false }
        return set.contains(task.uid) || set.contains(task.key) || set.contains(task.qualifiedUID) || set.contains(task.id)
    }
}

/// Everything a run needs from outside, passed in rather than global (clock, output, connections).
public struct RunContext<C: Clock>: Sendable where C.Duration == Duration {
    public var stateDirectory: String
    public var clock: C
    public var output: RunOutput
    /// At most this many components run at once: 80 % of the cores, at least one (E1).
    public var maxParallel: Int
    public var host: String
    public var pid: Int32
    public var connect: @Sendable (DatasourceConfig) async throws(QuickupError) -> any DatasourceConnection
    /// Wall-clock milliseconds for records (the injected clock measures durations and timeouts).
    public var now: @Sendable () -> Int64
    /// Resolves datasource passwords for connections and for tools' contexts (D4, T1).
    public var secrets: SecretResolver
    /// How tools are contained on this machine (T3), found when the first tool starts; tests
    /// may set a weaker one.
    public var isolation: IsolationSupport {
        get { isolationChoice.support }
        set { isolationChoice = IsolationChoice(newValue) }
    }
    public var isolationChoice = IsolationChoice()
    /// Between SIGTERM and SIGKILL when a tool is stopped.
    public var toolTerminationGrace: Duration = .seconds(5)
    /// Record writes on failure paths that did not go through (the run's end reports them).
    public let recordWrites = RecordWrites()
    /// Estimates corrected while the run goes (A5).
    public let estimates = LiveEstimates()
    /// SSH connections to the hosts, for config tasks (K1); closed when the run ends.
    public let hosts = RemoteHosts()
    /// Tools' pre-joined launchers (issue 20.2; `QUICKUP_PREPARED_LAUNCHERS=off` turns them off);
    /// closed when the run ends, which ends the unused ones and removes their cgroups.
    public let launchers = PreparedLaunchers()

    /// What runs, previews and undoes config tasks (K1–K3) for `environment` and `releaseRoot`.
    public func configWork(releaseRoot: String, environment: Environment) -> ConfigTaskWork {
        let output = self.output
        let pool = hosts.connections(stateDirectory: stateDirectory, environment: environment) { line in output.line("   ssh: \(line)") }
        return ConfigTaskWork(releaseRoot: releaseRoot, environment: environment, stateDirectory: stateDirectory,
                              secrets: secrets, connections: pool)
    }

    func configWork(_ request: RunRequest) -> ConfigTaskWork {
        configWork(releaseRoot: request.releaseRoot, environment: request.environment)
    }

    /// `dir` from the current directory when relative: resolved once, because tools run in
    /// their own working directories (issue 13 item 3).
    public static func absolute(_ dir: String) -> String {
        guard !dir.hasPrefix("/") else { return dir }
        var path = FileManager.default.currentDirectoryPath
        for part in dir.split(separator: "/") where part != "." { path += "/\(part)" }
        return path
    }

    public init(stateDirectory: String, clock: C, output: RunOutput,
                maxParallel: Int = max(1, Int(Double(ProcessInfo.processInfo.activeProcessorCount) * 0.8)),
                host: String = ProcessInfo.processInfo.hostName, pid: Int32 = ProcessInfo.processInfo.processIdentifier,
                secrets: SecretResolver = SecretResolver(),
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.stateDirectory = Self.absolute(stateDirectory)
        self.clock = clock
        self.output = output
        self.maxParallel = max(1, maxParallel)
        self.host = host
        self.pid = pid
        self.connect = { config throws(QuickupError) in try await Datasources.connect(config, secrets: secrets) }
        self.now = now
        self.secrets = secrets
    }
}

/// How a run ended, with what a person needs to act on it (L2).
public struct RunResult: Sendable {
    public var runID: String
    public var status: RunStatus
    public var succeeded: Int
    public var skipped: Int
    public var failed: Int
    public var stageDurations: [(Stage, Duration)]
    public var total: Duration
    public var error: QuickupError?
    /// Record writes that failed (journal, upgrade_log): the record of the run may be incomplete.
    public var failedRecordWrites: [String] = []
    /// Every task the run (or rollback) dealt with, in the order it did (for `--json`).
    public var tasks: [TaskOutcome] = []
    /// A rollback stopped before a task it may not undo on its own (not a failed script).
    public var stoppedAt: String?

    public init(runID: String, status: RunStatus, succeeded: Int = 0, skipped: Int = 0, failed: Int = 0,
                stageDurations: [(Stage, Duration)] = [], total: Duration = .zero, error: QuickupError? = nil) {
        self.runID = runID
        self.status = status
        self.succeeded = succeeded
        self.skipped = skipped
        self.failed = failed
        self.stageDurations = stageDurations
        self.total = total
        self.error = error
    }
}

/// What happened to one task in a run or rollback: SUCCESS, SKIPPED, FAILED, ROLLED_BACK,
/// NOT_UNDONE, STOPPED, or LISTED/WOULD_ROLL_BACK in a dry run.
public struct TaskOutcome: Sendable, Codable, Hashable {
    public var task: String
    public var component: String
    public var version: String
    public var stage: String
    public var kind: String
    public var status: String
    public var durationMs: Int64?
    public var error: String?

    public init(_ task: UpgradeTask, status: String, durationMs: Int64? = nil, error: String? = nil) {
        self.task = task.key
        component = task.component
        version = task.version.description
        stage = task.stage.rawValue
        kind = task.kind.rawValue
        self.status = status
        self.durationMs = durationMs
        self.error = error
    }
}
