import QuickupCore

/// What `quickup rollback RUN` undoes (F4): the SQL tasks that run (and every run that resumed
/// it) applied, newest first, each through its `.rollback` script.
public struct RollbackRequest: Sendable {
    /// The plan of the run being rolled back, made again from the release.
    public var plan: Plan
    public var releaseRoot: String
    public var environment: Environment
    public var target: String
    public var dryRun: Bool
    /// Tasks the operator undid by hand: recorded as rolled back, their scripts not run.
    public var undoneByHand: Set<String>
    /// Tasks whose script may run although an interruption left them uncertain.
    public var confirmRerun: Set<String>
    /// The command that runs this rollback again, as the operator types it (L2): the hints that
    /// say how to continue print it, with the flag they suggest appended.
    public var againCommand: String
    /// Restore every backed-up table the upgrade changed, even where a `.rollback` script exists.
    public var restoreTables = false
    /// component.yaml's `backup_tables` by component: restored with the tables a task changes.
    public var backupTables: [String: [String]] = [:]
    /// Phases other parts of quickup add (program files, configuration, services; F4): run in
    /// their slot of the decision tree (RollbackPhases).
    public var hostPhases: [HostRollbackPhase] = []
    /// The rollback's id when the front end must know it first (the HTTP API's 202, H1); nil makes one.
    public var runID: String?
    /// Where the rollback kills itself on purpose (`QUICKUP_CRASH_AT`, tests of F4's resume).
    public var crashPoints = CrashPoints(nil)

    public init(plan: Plan, releaseRoot: String, environment: Environment, target: String, dryRun: Bool = false,
                undoneByHand: Set<String> = [], confirmRerun: Set<String> = []) {
        self.plan = plan
        self.releaseRoot = releaseRoot
        self.environment = environment
        self.target = target
        self.dryRun = dryRun
        self.undoneByHand = undoneByHand
        self.confirmRerun = confirmRerun
        againCommand = "quickup rollback \(target)"
    }
}
