import QuickupCore
import QuickupData

/// Backup before change (F3) as one operation, for the executor before a run's first task and
/// for the whole upgrade's backup step (issue 15 flow 2, issue 16): old backups past
/// `backup.retention` go first (F6), then the tables the request's scripts change plus
/// `backup_tables` (and the Redis keys) are backed up, the space checked first (RunBackups).
/// A backup taken by any run of the same upgrade is never taken again, so a resume — or the
/// upgrade's stage runs after its backup step — finds it and keeps it.
public enum BackupBeforeChange {
    /// With the caller's connections (the executor keeps them for its tasks).
    static func take<C: Clock>(runID: String, request: RunRequest, journal: Journal, context: RunContext<C>,
                               connections: ConnectionSet) async throws(QuickupError) where C.Duration == Duration {
        try await BackupCleanup(journal: journal, environment: request.environment, stateDirectory: context.stateDirectory,
                                secrets: context.secrets, connect: context.connect).applyRetention(now: context.now(), output: context.output)
        try await RunBackups(runID: runID, request: request, journal: journal, context: context, connections: connections,
                             runner: TaskRunner(releaseRoot: request.releaseRoot)).take()
    }

    /// With connections of its own, closed before it returns; `runID` must be recorded in the
    /// journal (its upgrade's runs are found through it). Returns the backups of `runID`.
    public static func take<C: Clock>(runID: String, request: RunRequest, journal: Journal,
                                      context: RunContext<C>) async throws(QuickupError) -> [BackupRecord] where C.Duration == Duration {
        let connections = ConnectionSet(environment: request.environment, connect: context.connect)
        do {
            try await take(runID: runID, request: request, journal: journal, context: context, connections: connections)
        } catch {
            await connections.closeAll()
            throw error
        }
        await connections.closeAll()
        return try journal.backups(runs: [runID]).filter { $0.status == BackupRecord.done }
    }
}

extension Release {
    /// component.yaml's `backup_tables` by component, as RunRequest and RollbackRequest take them (F3).
    public var backupTablesByComponent: [String: [String]] {
        Dictionary(components.map { ($0.name, $0.backupTables) }, uniquingKeysWith: { $0 + $1 })
    }
}
