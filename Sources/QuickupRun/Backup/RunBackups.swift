import Foundation
import QuickupCore
import QuickupData

/// Backup before change (F3): before the first task of the run, every table (and Redis key) its
/// tasks change is backed up into `backup.dir/<run id>`, with a manifest beside the files and in
/// the journal. The space is checked first and a run that lacks it is refused before any change;
/// a backup that fails stops the run before any change. A backup taken by an earlier run of the
/// same upgrade (a resume, an earlier stage run) is never taken again: the table now holds
/// changed data. A backup interrupted by a kill is taken again (nothing changed the table yet).
struct RunBackups<C: Clock>: Sendable where C.Duration == Duration {
    let runID: String
    let request: RunRequest
    let journal: Journal
    let context: RunContext<C>
    let connections: ConnectionSet
    let runner: TaskRunner

    static func directory(_ environment: Environment, stateDirectory: String) -> String {
        RunContext<C>.absolute(environment.backupDir ?? "\(stateDirectory)/backups")
    }

    /// Bytes of every table target that exists, per datasource: one query per datasource and
    /// `sizeBatch` names rather than one per table — a plan of 1,000 scripts asked 1,000 times.
    /// ClickHouse's own backup is a hard-link snapshot and needs no space: 0.
    private func tableSizes(of targets: [BackupTargets.Target]) async throws(QuickupError) -> [String: [String: Int64]] {
        var tables: [String: [String]] = [:], order: [String] = []
        for target in targets {
            guard case .table(let table) = target.object else { continue }
            if tables[target.datasource] == nil { order.append(target.datasource) }
            tables[target.datasource, default: []].append(table)
        }
        var sizes: [String: [String: Int64]] = [:]
        for datasource in order {
            let connection = try await connections.connection(datasource, for: "quickup-backup")
            let names = tables[datasource] ?? []
            var found: [String: Int64] = [:]
            for start in stride(from: 0, to: names.count, by: Self.sizeBatch) {
                let batch = Array(names[start..<min(start + Self.sizeBatch, names.count)])
                found.merge(try await connection.tableSizes(batch)) { _, last in last }
            }
            sizes[datasource] = connection.config.type == .clickhouse ? found.mapValues { _ in 0 } : found
        }
        return sizes
    }

    /// Table names per size query: keeps the statement small on a plan of thousands of scripts.
    static var sizeBatch: Int { 500 }

    func take() async throws(QuickupError) {
        let output = context.output
        let applied = try journal.latestAttempts()
        let tasks = request.stages.flatMap { stage in request.plan.tasks.filter { $0.task.stage == stage } }
            .filter { applied[$0.task.key]?.status != UpgradeLogStatus.success.rawValue }
        var targets = try BackupTargets.of(request, tasks: tasks, runner: runner)
        guard !targets.isEmpty else { return }
        // Taken by a run of this upgrade already: kept, never overwritten with changed data.
        let runs = try journal.runs(limit: 10_000)
        let upgrade = try journal.run(runID).map { Set(UpgradeRuns.of($0, in: runs).map(\.id)) } ?? [runID]
        let taken = try journal.backups(runs: upgrade).filter { $0.status == BackupRecord.done }
        targets.removeAll { target in taken.contains { $0.datasource == target.datasource && $0.object == target.object.description } }
        // Tables that do not exist yet (created by the plan) have nothing to keep.
        let sizes = try await tableSizes(of: targets)
        let sized: [(BackupTargets.Target, Int64)] = targets.compactMap { target in
            guard case .table(let table) = target.object else { return (target, 0) }
            return sizes[target.datasource]?[table].map { (target, $0) }
        }
        guard !sized.isEmpty else { return }
        let directory = Self.directory(request.environment, stateDirectory: context.stateDirectory) + "/\(runID)"
        let need = sized.reduce(Int64(0)) { $0 + $1.1 }
        if need > 0, let free = DiskUsage.freeBytes(directory), need > free {
            throw QuickupError(.limitExceeded,
                               "the backups before change need about \(ByteSize(bytes: need)) in \(directory) but its disk has only \(ByteSize(bytes: free)) free; nothing was changed",
                               hint: "free space there, or point backup.dir in env.yaml to a larger disk, then run again")
        }
        output.line("== backup (\(sized.count) object\(sized.count == 1 ? "" : "s"), about \(ByteSize(bytes: need)) into \(directory))")
        let backup = DataBackup(directory: directory, tag: runID, secrets: context.secrets, now: context.now)
        var manifests = BackupManifest.read(from: directory)
        for (index, (target, _)) in sized.enumerated() {
            let connection = try await connections.connection(target.datasource, for: "quickup-backup")
            try journal.startBackup(runID: runID, datasource: target.datasource, object: target.object.description,
                                    directory: directory, at: context.now())
            var start = DetailRecord(run: runID, event: "backup_start", at: context.now())
            start.datasource = target.datasource
            start.message = "\(target.object)"
            output.record(start)
            let manifest: BackupManifest
            do {
                manifest = try await backup.take(target.object, on: connection)
            } catch {
                output.line("[FAILED] backup of \(target.datasource) \(target.object): \(error.message)")
                throw QuickupError(error.code, "the backup of \(target.datasource) \(target.object) failed, so nothing was changed: \(error.message)",
                                   hint: error.hint ?? "fix the cause and run again")
            }
            manifests.removeAll { $0.datasource == manifest.datasource && $0.object == manifest.object }
            manifests.append(manifest)
            try BackupManifest.write(manifests, to: directory)
            try journal.finishBackup(runID: runID, manifest, at: context.now())
            var end = DetailRecord(run: runID, event: "backup_end", at: context.now())
            end.datasource = target.datasource
            end.status = "DONE"
            end.durationMs = manifest.durationMs
            end.message = "\(manifest.object): \(manifest.rows) rows, \(manifest.bytes) bytes, \(manifest.method)"
            output.record(end)
            output.line("[BACKUP \(index + 1)/\(sized.count)] \(target.datasource) \(manifest.object): \(manifest.rows) rows, \(ByteSize(bytes: manifest.bytes)), \(Duration.milliseconds(manifest.durationMs).short) (\(manifest.method))")
        }
    }
}
