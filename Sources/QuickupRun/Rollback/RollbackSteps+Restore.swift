import QuickupCore
import QuickupData

/// The "restore tables" phase of a rollback (F4): the backups taken before the upgrade are put
/// back, each checked against its manifest's checksum, and the tasks they undo are recorded as
/// rolled back. A backup restored already (by this rollback before a kill) is not restored again.
extension RollbackSteps {
    /// The tasks the runs being rolled back applied (wholly or half-way), with what they changed.
    func applied() async throws(QuickupError) -> [RestorePlan.Applied] {
        var logs: [String: [String: UpgradeLogEntry]] = [:]
        let attempts = try journal.latestAttempts()
        var applied: [RestorePlan.Applied] = []
        for planned in request.plan.tasks {
            let task = planned.task
            if task.kind == .tool {
                // A tool's changes are unknown: the component's backup_tables are what it may have changed.
                guard let name = BackupTargets.toolDatasource(planned, request.environment),
                      let tables = request.backupTables[task.component], !tables.isEmpty,
                      let latest = attempts[task.key], latest.kind != rollbackKind, runs.contains(latest.runID),
                      [UpgradeLogStatus.success, .running, .failed].map(\.rawValue).contains(latest.status) else { continue }
                applied.append(.init(task: task, datasource: name, objects: tables, seen: [],
                                     finished: latest.status == UpgradeLogStatus.success.rawValue))
                continue
            }
            guard let name = planned.datasource, let type = request.environment.datasource(named: name)?.type else { continue }
            if task.kind == .sql, type.isSQL {
                let connection = try await connections.connection(name, for: task.component)
                guard let store = connection as? any UpgradeLogStore else { continue }
                if logs[name] == nil { logs[name] = try await store.latestEntries() }
                guard let latest = logs[name]?[task.key], latest.kind != rollbackKind, runs.contains(latest.runID) else { continue }
                let forward = try runner.statements(of: task, type: type)
                let transactional = TaskRunner.isTransactional(task, statements: forward, supportsTransactions: connection.supportsTransactions, type: type)
                switch latest.status {
                case .success: break
                case .running: break
                case .failed where !transactional: break
                default: continue
                }
                let seen = TouchedTables.of(forward)
                applied.append(.init(task: task, datasource: name, objects: seen + (request.backupTables[task.component] ?? []), seen: seen,
                                     finished: latest.status == .success))
            } else if type == .redis {
                guard let latest = attempts[task.key], latest.kind != rollbackKind, runs.contains(latest.runID),
                      [UpgradeLogStatus.success, .running, .failed].map(\.rawValue).contains(latest.status) else { continue }
                let object: BackupObject
                switch try BackupTargets.keys(of: task, runner: runner) {
                case .keys(let keys): object = .redisKeys(keys)
                case .wholeDatabase: object = .redisDatabase
                }
                applied.append(.init(task: task, datasource: name, objects: [object.description], seen: [object.description],
                                     finished: latest.status == UpgradeLogStatus.success.rawValue))
            }
        }
        return applied
    }

    func restoreTables(_ plan: RestorePlan, into result: inout RunResult) async throws(QuickupError) {
        let output = context.output
        for record in plan.backups {
            guard let manifest = record.manifest else { continue }
            let what = "\(record.datasource) \(record.object) from \(manifest.method) of \(Timestamps.text(manifest.takenAt)) (\(manifest.rows) rows)"
            if let at = record.restoredAt, !request.restoreTables {
                output.line("[SKIPPED] restore of \(record.datasource) \(record.object): restored already at \(Timestamps.text(at)) by \(record.restoredBy ?? "?")")
                continue
            }
            if request.dryRun {
                output.line("-- would restore \(what)")
                continue
            }
            let connection = try await connections.connection(record.datasource, for: "quickup-restore")
            let backup = DataBackup(directory: record.directory, tag: record.runID, secrets: context.secrets, now: context.now)
            let start = context.clock.now
            let crash = request.crashPoints, (datasource, object) = (record.datasource, record.object)
            try await backup.restore(manifest, on: connection, waiting: {
                output.line("[WAIT] restore of \(datasource) \(object): an earlier restore of it still runs (its client outlived a killed rollback); waiting for it to end")
            }, loading: { crash.check(RollbackSlot.restoreTables.rawValue, "loading") })
            request.crashPoints.check(RollbackSlot.restoreTables.rawValue, "restored")
            try journal.markBackup(record, restoredBy: runID, at: context.now())
            output.line("[RESTORED] \(what) in \(start.duration(to: context.clock.now).short); checksum \(manifest.checksum) matches")
        }
        guard !request.dryRun else { return }
        for planned in request.plan.tasks.reversed() where plan.tasks[planned.task.key] != nil {
            var entry = logEntry(planned, status: .rolledBack, previous: nil)
            entry.endTime = entry.startTime
            entry.durationMs = 0
            entry.error = "restored from the backup taken before the upgrade"
            if let name = planned.datasource, planned.task.kind == .sql,
               let store = try await connections.connection(name, for: planned.task.component) as? any UpgradeLogStore {
                try await store.record(entry)
            }
            try journal.record(attemptRecord(entry, planned))
            result.tasks.append(TaskOutcome(planned.task, status: "ROLLED_BACK", durationMs: 0))
            detail(planned, status: "ROLLED_BACK", message: "restored from backup")
            result.succeeded += 1
        }
    }
}

extension RollbackSteps {
    /// The "verify" phase: every restored table and key set gives its backup's checksum again.
    func verify(_ plan: RestorePlan) async throws(QuickupError) {
        for record in plan.backups {
            guard let manifest = record.manifest else { continue }
            if request.dryRun {
                context.output.line("-- would check \(record.datasource) \(record.object) against checksum \(manifest.checksum)")
                continue
            }
            let connection = try await connections.connection(record.datasource, for: "quickup-restore")
            let backup = DataBackup(directory: record.directory, tag: record.runID, secrets: context.secrets, now: context.now)
            let now = try await backup.checksum(manifest, on: connection)
            guard now == manifest.checksum else {
                throw QuickupError(.taskFailed, "verify: \(record.datasource) \(record.object) has checksum \(now), not \(manifest.checksum) as backed up",
                                   hint: "something changed it after the restore; `\(request.againCommand) --restore-tables` restores it again")
            }
            context.output.line("[VERIFIED] \(record.datasource) \(record.object): checksum \(manifest.checksum)")
        }
    }
}
