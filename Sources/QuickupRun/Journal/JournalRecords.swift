import QuickupCore
import QuickupData

/// How a run ended (or that it has not).
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    case running, succeeded, failed, cancelled
    /// Found `running` with no live process: crashed or killed (E4).
    case interrupted
    /// A whole upgrade paused at the manual verification gate (F1): `upgrade --resume RUN --verified`.
    case awaitingVerification = "awaiting_verification"
}

/// One execution of a plan against an environment (SPEC §1 "run").
public struct RunRecord: Sendable, Hashable, Codable {
    public var id: String
    public var release: String
    public var from: String
    public var to: String
    public var site: String?
    public var stage: String
    public var status: RunStatus
    /// Milliseconds since 1970 UTC.
    public var startedAt: Int64
    public var endedAt: Int64?
    public var host: String
    public var pid: Int32
    /// The start time of process `pid` (ProcessIdentity.start), so a recycled pid does not
    /// make a dead run look alive.
    public var processStart: String?
    public var message: String?
    /// The run this one resumes (E4), or the run a rollback undoes (F4).
    public var parent: String?
    /// The plan as JSON (PlanDocument), so `status` and `bundle` show what was intended.
    public var planJSON: String?

    public init(id: String, release: String, from: String, to: String, site: String?, stage: String,
                status: RunStatus, startedAt: Int64, host: String, pid: Int32) {
        self.id = id
        self.release = release
        self.from = from
        self.to = to
        self.site = site
        self.stage = stage
        self.status = status
        self.startedAt = startedAt
        self.host = host
        self.pid = pid
    }
}

/// One attempt of one task in one run; mirrors the datasource's upgrade_log row (E2, E3).
public struct AttemptRecord: Sendable, Hashable, Codable {
    public var runID: String
    public var taskKey: String
    public var component: String
    public var version: String
    public var kind: String
    public var stage: String
    public var datasource: String?
    public var attempt: Int
    public var status: String
    public var checksum: String?
    public var startedAt: Int64
    public var endedAt: Int64?
    public var durationMs: Int64?
    public var error: String?

    public init(runID: String, taskKey: String, component: String, version: String, kind: String, stage: String,
                datasource: String?, attempt: Int, status: String, checksum: String?, startedAt: Int64) {
        self.runID = runID
        self.taskKey = taskKey
        self.component = component
        self.version = version
        self.kind = kind
        self.stage = stage
        self.datasource = datasource
        self.attempt = attempt
        self.status = status
        self.checksum = checksum
        self.startedAt = startedAt
    }
}

/// Something worth keeping about a run: warnings, retries, timeouts, corrections (E10).
public struct EventRecord: Sendable, Hashable, Codable {
    /// A task the run refused to start (changed file, interrupted task needing confirmation).
    public static let taskRefused = "task_refused"

    public var runID: String
    public var at: Int64
    public var level: String
    public var kind: String
    public var taskKey: String?
    public var message: String

    public init(runID: String, at: Int64, level: String, kind: String, taskKey: String? = nil, message: String) {
        self.runID = runID
        self.at = at
        self.level = level
        self.kind = kind
        self.taskKey = taskKey
        self.message = message
    }
}

/// Who holds an environment's run lock (E6).
public struct LockRecord: Sendable, Hashable, Codable {
    public var environment: String
    public var runID: String
    public var host: String
    public var pid: Int32
    public var startedAt: Int64
    /// The start time of process `pid` (ProcessIdentity.start): a holder whose pid now names
    /// another process is gone.
    public var processStart: String?

    public init(environment: String, runID: String, host: String, pid: Int32, startedAt: Int64, processStart: String? = nil) {
        self.environment = environment
        self.runID = runID
        self.host = host
        self.pid = pid
        self.startedAt = startedAt
        self.processStart = processStart
    }
}

extension AttemptRecord {
    /// The journal's mirror of an upgrade_log row (E2): same run, task, attempt, status and times.
    init(mirroring entry: UpgradeLogEntry, datasource: String?) {
        self.init(runID: entry.runID, taskKey: entry.taskID, component: entry.component, version: entry.taskVersion,
                  kind: entry.kind, stage: entry.stage, datasource: datasource, attempt: entry.attempt,
                  status: entry.status.rawValue, checksum: entry.checksum, startedAt: entry.startTime)
        endedAt = entry.endTime
        durationMs = entry.durationMs
        error = entry.error
    }
}
