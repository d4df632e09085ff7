import QuickupCore
import QuickupData

/// The tasks of one rollback, newest first (F4): decides each (RollbackDecider), then runs its
/// script and records it. Stops at the first task it cannot undo: a task before it may be what
/// it depends on, so nothing older is touched until the operator has dealt with it.
struct RollbackSteps<C: Clock>: Sendable where C.Duration == Duration {
    let runID: String
    let runs: Set<String>
    let request: RollbackRequest
    let journal: Journal
    let context: RunContext<C>
    let connections: ConnectionSet
    let runner: TaskRunner

    func run(into result: inout RunResult, restoring: RestorePlan) async throws(QuickupError) {
        var logs: [String: [String: UpgradeLogEntry]] = [:]
        let applied = try journal.latestAttempts()
        for planned in request.plan.tasks.reversed() {
            let task = planned.task
            // K1–K3: put back in phase restore-configuration, before this one.
            if task.kind == .config { continue }
            if restoring.tasks[task.key] != nil {
                // Put back with its tables in the next phase: its script must not run on them.
                result.tasks.append(TaskOutcome(task, status: request.dryRun ? "WOULD_RESTORE" : "TO_RESTORE"))
                context.output.line("-- \(task.component) \(task.version) \(task.qualifiedUID): restored from the backup in phase restore-tables, not by a script")
                continue
            }
            guard task.kind == .sql, let name = planned.datasource else {
                // Tools and Redis scripts have no undo script in this build: say so when the run applied them.
                if let attempt = applied[task.key], runs.contains(attempt.runID), attempt.status == UpgradeLogStatus.success.rawValue {
                    result.tasks.append(TaskOutcome(task, status: "NOT_UNDONE"))
                    context.output.line("[NOT UNDONE] \(task.component) \(task.version) \(task.qualifiedUID): \(task.kind) tasks are not rolled back automatically; undo it by hand if needed")
                    detail(planned, status: "NOT_UNDONE", message: "\(task.kind) tasks are not rolled back automatically")
                }
                continue
            }
            let connection = try await connections.connection(name, for: task.component)
            // Every SQL driver keeps an upgrade_log (E2).
            guard let store = connection as? any UpgradeLogStore else { continue }
            if logs[name] == nil { logs[name] = try await store.latestEntries() }
            let type = request.environment.datasource(named: name)?.type
            let forward = try runner.statements(of: task, type: type)
            let undo = try runner.statements(of: task, file: task.rollback, type: type)
            let supports = connection.supportsTransactions
            let undoTransactional = TaskRunner.isTransactional(task, statements: undo, supportsTransactions: supports, type: type)
            let decision = RollbackDecider.decide(
                task, latest: logs[name]?[task.key], runs: runs,
                forwardTransactional: TaskRunner.isTransactional(task, statements: forward, supportsTransactions: supports, type: type),
                undoTransactional: undoTransactional, undoneByHand: RunRequest.names(task, in: request.undoneByHand),
                confirmed: RunRequest.names(task, in: request.confirmRerun), again: request.againCommand)
            let title = "\(task.component) \(task.version) \(task.qualifiedUID)"
            switch decision {
            case .untouched:
                continue
            case .alreadyRolledBack(let at, let by):
                result.tasks.append(TaskOutcome(task, status: "SKIPPED"))
                context.output.line("[SKIPPED] \(title) (already rolled back at \(Timestamps.text(at)) by \(by))")
                detail(planned, status: "SKIPPED", message: "already rolled back by \(by)")
                result.skipped += 1
            case .stop(let error):
                detail(planned, status: "REFUSED", error: error)
                result.tasks.append(TaskOutcome(task, status: "STOPPED", error: error.description))
                result.stoppedAt = task.key
                throw error
            case .recordUndoneByHand:
                guard !request.dryRun else {
                    result.tasks.append(TaskOutcome(task, status: "WOULD_RECORD_UNDONE"))
                    context.output.line("-- \(title): undone by hand, only recorded")
                    continue
                }
                var entry = logEntry(planned, status: .rolledBack, previous: logs[name]?[task.key])
                entry.endTime = entry.startTime
                entry.durationMs = 0
                entry.error = "undone by hand (--undone-by-hand)"
                try await store.record(entry)
                try journal.record(attemptRecord(entry, planned))
                result.tasks.append(TaskOutcome(task, status: "ROLLED_BACK", durationMs: 0))
                context.output.line("[ROLLED_BACK] \(title) (undone by hand, recorded)")
                detail(planned, status: "ROLLED_BACK", message: "undone by hand, recorded")
                result.succeeded += 1
            case .undo(let reason):
                if request.dryRun {
                    result.tasks.append(TaskOutcome(task, status: "WOULD_ROLL_BACK"))
                    context.output.line("-- \(title): \(reason); would run \(task.rollback ?? "")\(undoTransactional ? " in one transaction" : ""):")
                    for statement in undo { context.output.line("   \(statement.text);") }
                    continue
                }
                try await undoTask(planned, undo, store: store, transactional: undoTransactional,
                                   previous: logs[name]?[task.key], title: title, result: &result)
                request.crashPoints.check(RollbackSlot.undoScripts.rawValue, "undone")
            }
        }
    }

    /// The restore-configuration phase (K1–K3): every config task the runs changed, newest first,
    /// its kept original put back (ConfigUndo). Returns whether the plan has a config task.
    func undoConfiguration(into result: inout RunResult) async throws(QuickupError) -> Bool {
        let latest = try journal.latestAttempts()
        let undo = ConfigUndo(runID: runID, runs: runs, request: request, journal: journal, context: context)
        var any = false
        for planned in request.plan.tasks.reversed() where planned.task.kind == .config {
            any = true
            try await undo.undo(planned, latest: latest[planned.task.key], into: &result)
            request.crashPoints.check(RollbackSlot.restoreConfiguration.rawValue, "undone")
        }
        return any
    }

    private func undoTask(_ planned: PlannedTask, _ statements: [SQLStatement], store: any UpgradeLogStore,
                          transactional: Bool, previous: UpgradeLogEntry?, title: String,
                          result: inout RunResult) async throws(QuickupError) {
        let running = logEntry(planned, status: .running, previous: previous)
        let start = context.clock.now
        let clock = context.clock
        let done: @Sendable () -> UpgradeLogEntry = { running.ended(.rolledBack, after: start.duration(to: clock.now)) }
        let journal = self.journal
        let mirror = attemptRecord(running, planned)
        detail(planned, event: "rollback_start", statements: statements.count)
        do {
            try await store.runAttempt(statements, recording: [running], mirror: { () throws(QuickupError) in try journal.record(mirror) },
                                       recorded: {}, transactional: transactional, success: done)
        } catch {
            let elapsed = start.duration(to: context.clock.now)
            var failed = running.ended(.failed, after: elapsed)
            failed.error = String(error.description.prefix(2000))
            await context.recordWrites.attemptAsync("the FAILED row of the rollback of \(planned.task.key) in upgrade_log") { () async throws(QuickupError) in
                try await store.record(failed)
            }
            context.recordWrites.attempt("the journal's FAILED row of the rollback of \(planned.task.key)") { () throws(QuickupError) in
                try journal.record(attemptRecord(failed, planned))
            }
            result.tasks.append(TaskOutcome(planned.task, status: "FAILED", durationMs: elapsed.milliseconds, error: error.description))
            context.output.line("[FAILED] \(title) rollback (\(elapsed.short)): \(error.message)")
            detail(planned, status: "FAILED", statements: statements.count, durationMs: elapsed.milliseconds, error: error)
            result.failed += 1
            throw error
        }
        let entry = done()
        if !transactional { try await store.record(entry) }
        try journal.record(attemptRecord(entry, planned))
        result.tasks.append(TaskOutcome(planned.task, status: "ROLLED_BACK", durationMs: entry.durationMs))
        context.output.line("[ROLLED_BACK] \(title) (\(Duration.milliseconds(entry.durationMs ?? 0).short))")
        detail(planned, status: "ROLLED_BACK", statements: statements.count, durationMs: entry.durationMs)
        result.succeeded += 1
    }

    /// A rollback row: the task's id, this rollback's run id, kind `rollback`, the next attempt
    /// after a rollback attempt of the same run that failed.
    func logEntry(_ planned: PlannedTask, status: UpgradeLogStatus, previous: UpgradeLogEntry?) -> UpgradeLogEntry {
        let task = planned.task
        let attempt = previous.map { $0.runID == runID ? $0.attempt + 1 : 1 } ?? 1
        return UpgradeLogEntry(taskID: task.key, component: task.component, versionFrom: request.plan.to.description,
                               versionTo: request.plan.from.description, taskVersion: task.version.description,
                               stage: task.stage.rawValue, taskName: task.qualifiedUID, kind: rollbackKind,
                               checksum: task.checksum, status: status, attempt: attempt, startTime: context.now(),
                               runID: runID, site: request.plan.site)
    }

    /// The rollback's lines in its detail log (E10), as a run's: one at the start of an undo, one
    /// at each task's end with its status.
    func detail(_ planned: PlannedTask, event: String = "rollback_end", status: String? = nil, statements: Int? = nil,
                        durationMs: Int64? = nil, error: QuickupError? = nil, message: String? = nil) {
        var record = DetailRecord(run: runID, event: event, at: context.now(), task: planned.task, datasource: planned.datasource)
        record.status = status
        record.statements = statements
        record.durationMs = durationMs
        record.message = message
        if let error { record.setFailure(error, status: status ?? "FAILED") }
        context.output.record(record)
    }

    func attemptRecord(_ entry: UpgradeLogEntry, _ planned: PlannedTask) -> AttemptRecord {
        AttemptRecord(mirroring: entry, datasource: planned.datasource)
    }
}
