import Foundation
import QuickupCore
import QuickupData
import QuickupTools
import Synchronization

/// Tries one task until it succeeds or its retry policy says stop (E8), each attempt under the
/// task's deadline (E7) and recorded before and after in upgrade_log and the journal (E2).
struct AttemptLoop<C: Clock>: Sendable where C.Duration == Duration {
    let runID: String
    let request: RunRequest
    let journal: Journal
    let context: RunContext<C>
    let runner: TaskRunner
    let stage: Stage
    /// Watches the timeouts of SQL and Redis attempts, which run on the component's thread.
    var watch: AttemptWatch<C>? = nil

    /// `deferred`: the previous task's records, written with this task's first RUNNING row (same
    /// datasource, see DeferredRecords); on return, this task's own records when it ran on a
    /// datasource with an upgrade_log, for the caller to pass on or flush. `meanwhile`: the
    /// caller's local work for while the datasource runs a SQL attempt (reading the next script).
    /// `following`: where `meanwhile` offers the next task to be sent as soon as an attempt
    /// succeeds; `arriving`: this task, when the previous one sent it so (ChainedAttempt).
    func run(_ planned: PlannedTask, statements: [SQLStatement], connection: (any DatasourceConnection)?,
             store: (any UpgradeLogStore)?, transactional: Bool, previousAttempt: Int,
             deferred: inout DeferredRecords?, meanwhile: (@Sendable () -> Void)? = nil,
             following: AttemptChain? = nil, arriving: ChainedAttempt? = nil) async throws(QuickupError) {
        let task = planned.task
        let policy = task.kind == .tool ? RetryPolicy(request.plugin(task.component).failurePolicy(for: task)) : RetryPolicy.of(task)
        // Tools follow their class's policy (T4) unless declared `.retryable=false`.
        // Config changes are idempotent (K1): retryable unless declared otherwise.
        let retryable = task.kind == .tool || task.kind == .config ? task.retryable != false : task.retryable == true
        var attempt = previousAttempt
        var tries = 0
        while true {
            attempt += 1
            tries += 1
            let startMs = context.now()
            let start = context.clock.now
            // An attempt sent ahead keeps the RUNNING row the server got (its attempt and start).
            let sentAhead = tries == 1 ? arriving : nil
            var entry = sentAhead?.sentRows?.last
                ?? UpgradeLogEntry(running: planned, attempt: attempt, start: startMs, request: request, runID: runID)
            attempt = entry.attempt
            let carried = deferred
            deferred = nil
            let running = try await startRecords(entry, planned, store: store, carrying: carried)
            var detail = detailRecord("task_start", planned, attempt: attempt, statements: statements, transactional: transactional)
            if sentAhead?.sentRows != nil { detail.sentAhead = true }
            // Issue 20.3: an attempt sent with its records in one trip has its routine lines
            // written while the server works on that trip (attemptOnce's `meanwhile`).
            if running != nil { context.output.recordSoon(detail) } else { context.output.record(detail) }
            detail.event = "task_end"
            do {
                let successRow = SuccessRow()
                try await attemptOnce(planned, statements: statements, connection: connection, transactional: transactional,
                                      entry: entry, start: start, attempt: attempt, running: running, meanwhile: meanwhile,
                                      chain: Chain(following: following, arriving: sentAhead, successRow: successRow))
                let elapsed: Duration
                if let made = successRow.made {
                    // Already in upgrade_log's hands: committed with the statements, or sent with the next task.
                    entry = made
                    elapsed = .milliseconds(made.durationMs ?? 0)
                } else {
                    elapsed = start.duration(to: context.clock.now)
                    entry = entry.ended(.success, after: elapsed)
                }
                if let store, let datasource = planned.datasource {
                    deferred = DeferredRecords(datasource: datasource, store: store, log: transactional ? [] : [entry],
                                               journal: [attemptRecord(entry, planned)])
                } else {
                    try journal.record(attemptRecord(entry, planned))
                }
                detail.status = UpgradeLogStatus.success.rawValue
                detail.durationMs = elapsed.milliseconds
                detail.at = context.now()
                let line = "[SUCCESS] \(task.component) \(task.version) \(task.qualifiedUID) (\(elapsed.short))"
                if deferred != nil {
                    // Like its records, the line waits for the next trip (or the component's end).
                    context.output.lineSoon(line)
                    context.output.recordSoon(detail)
                } else {
                    context.output.line(line)
                    context.output.record(detail)
                }
                return
            } catch {
                if let running, !running.isRecorded {
                    // RUNNING never reached upgrade_log, so the task did not start: as when that
                    // write failed on its own, no FAILED row there and no retry; the previous
                    // task's rows alone. The journal's RUNNING mirror, if written, is closed.
                    if let carried = running.carried { try await carried.flush(to: journal) }
                    if running.isMirrored {
                        var notStarted = entry
                        notStarted.status = .failed
                        notStarted.endTime = notStarted.startTime
                        notStarted.durationMs = 0
                        notStarted.error = "not started: \(error.message.prefix(1900))"
                        context.recordWrites.attempt("the journal's FAILED row of \(task.key)") { () throws(QuickupError) in
                            try journal.record(attemptRecord(notStarted, planned))
                        }
                    }
                    detail.setFailure(error, status: "NOT_STARTED")
                    detail.at = context.now()
                    context.output.record(detail)
                    throw error
                }
                let elapsed = start.duration(to: context.clock.now)
                entry = entry.ended(.failed, after: elapsed)
                entry.error = String(error.description.prefix(2000))
                if let store {
                    await context.recordWrites.attemptAsync("the FAILED row of \(task.key) in upgrade_log") { () async throws(QuickupError) in
                        try await store.record(entry)
                    }
                }
                context.recordWrites.attempt("the journal's FAILED row of \(task.key)") { () throws(QuickupError) in
                    try journal.record(attemptRecord(entry, planned))
                }
                context.output.line("[FAILED] \(task.component) \(task.version) \(task.qualifiedUID) (\(elapsed.short)): \(error.message)")
                detail.setFailure(error)
                detail.durationMs = elapsed.milliseconds
                detail.at = context.now()
                context.output.record(detail)
                guard !RetryPolicy.neverRetried.contains(error.code), error.code != .statementCancelled,
                      policy.allowsRetry(after: tries, mayHaveChangedData: !transactional, retryable: retryable) else {
                    throw error
                }
                context.output.line("[RETRY] \(task.qualifiedUID) in \(policy.interval.short) (try \(tries + 1) of \(policy.retries + 1))")
                do { try await context.clock.sleep(for: policy.interval) } catch {
                    throw QuickupError(.cancelled, "the run was cancelled while waiting to retry \(task.key)")
                }
            }
        }
    }

    /// RUNNING in upgrade_log, then the journal, each in one write with the previous task's
    /// deferred records; the task's work starts only after both (E2, E4). A SQL task on a
    /// datasource with upgrade_log gets them back to send in the same trip as its statements
    /// (UpgradeLogStore.runAttempt); any other task has them written here.
    private func startRecords(_ entry: UpgradeLogEntry, _ planned: PlannedTask, store: (any UpgradeLogStore)?,
                              carrying carried: DeferredRecords?) async throws(QuickupError) -> RunningRecords? {
        let mirror = attemptRecord(entry, planned)
        guard store != nil, let carried, carried.datasource == planned.datasource else {
            if let carried { try await carried.flush(to: journal) }
            if store != nil, planned.task.kind == .sql { return RunningRecords(log: [entry], journal: [mirror], carried: nil) }
            if let store { try await store.record(entry) }
            try journal.record(mirror)
            return nil
        }
        return RunningRecords(log: carried.log + [entry], journal: carried.journal + [mirror], carried: carried)
    }

    /// The next task to send ahead (offered by `meanwhile`), this one if it was, and its SUCCESS row.
    private struct Chain: Sendable {
        let following: AttemptChain?
        let arriving: ChainedAttempt?
        let successRow: SuccessRow
    }

    /// An attempt's SUCCESS row, made once when first asked for: the row a transactional task
    /// commits with its statements, the one sent ahead with the next task's RUNNING row and the
    /// journal's mirror are then the same row, to the millisecond.
    private final class SuccessRow: Sendable {
        private let row = Mutex<UpgradeLogEntry?>(nil)

        func make(_ build: () -> UpgradeLogEntry) -> UpgradeLogEntry {
            row.withLock { row in
                if let made = row { return made }
                let made = build()
                row = made
                return made
            }
        }

        var made: UpgradeLogEntry? { row.withLock { $0 } }
    }

    private func attemptOnce(_ planned: PlannedTask, statements: [SQLStatement], connection: (any DatasourceConnection)?,
                             transactional: Bool, entry: UpgradeLogEntry, start: C.Instant, attempt: Int,
                             running: RunningRecords?, meanwhile: (@Sendable () -> Void)?, chain: Chain) async throws(QuickupError) {
        let task = planned.task
        let deadline = Deadline(limit: .milliseconds(planned.timeout.milliseconds), clock: context.clock)
        let output = context.output, journal = self.journal, runID = self.runID, now = context.now, writes = context.recordWrites
        let runner = self.runner
        let clock = context.clock
        let toolProgress = ToolProgress()
        let plugins = PluginRunner(runID: runID, request: request, context: context, stage: stage, journal: journal)
        output.board?.begin(task.key, title: "\(task.component) \(task.version) \(task.qualifiedUID)",
                            estimate: planned.estimate.map { .milliseconds($0.duration.milliseconds) }) {
            (await connection?.progress() ?? toolProgress.fraction, toolProgress.message)
        }
        let estimates = context.estimates
        defer {
            output.board?.end(task.key)
            estimates.end(task.key)
        }
        let warn: @Sendable (Double, Duration) -> Void = { fraction, elapsed in
            let message = "\(task.qualifiedUID) has used \(Int(fraction * 100)) % of its \(planned.timeout) timeout (\(elapsed.short) elapsed)"
            output.line("[WARN] \(message)")
            writes.attempt("the timeout warning of \(task.key) in the journal") { () throws(QuickupError) in
                try journal.append(EventRecord(runID: runID, at: now(), level: "warn", kind: "timeout_warning", taskKey: task.key, message: message))
            }
        }
        let progress = Deadline<C>.Progress(interval: .seconds(10)) { elapsed in
            // E9: a progress line every 10 s while the task runs.
            let fraction = await connection?.progress() ?? toolProgress.fraction
            // A5: progress against the estimate; a correction is shown, logged and used from now on.
            let correction = estimates.sample(planned, elapsed: elapsed, fraction: fraction)
            if let correction {
                EstimateReport(runID: runID, output: output, journal: journal, writes: writes, now: now).report(correction, of: planned)
            }
            var text = "[RUNNING] \(task.qualifiedUID) \(elapsed.short)"
            if let estimate = estimates.current(planned) { text += " of ~\(estimate)" }
            if let fraction { text += " (\(Int(fraction * 100)) %)" }
            if let message = toolProgress.message { text += " — \(message)" }
            output.progress(text)
        }
        let work: @Sendable () async throws -> Void = {
            switch task.kind {
            case .sql, .redis:
                guard let connection else {
                    throw QuickupError(.invalidArgument, "\(task.key) has no datasource")
                }
                let successRow = chain.successRow
                let success: @Sendable () -> UpgradeLogEntry = {
                    successRow.make { entry.ended(.success, after: start.duration(to: clock.now)) }
                }
                let mirror = { @Sendable () throws(QuickupError) in
                    guard let running else { return }
                    try journal.recordSoon(running.journal)
                    running.markMirrored()
                }
                let localWork = { @Sendable in
                    output.flush()
                    meanwhile?()
                }
                if let running, let store = connection as? any ChainingUpgradeLogStore {
                    try await store.runAttempt(statements, recording: running.log, mirror: mirror, recorded: running.markRecorded,
                                               transactional: transactional, success: success, meanwhile: localWork,
                                               following: chain.following, arriving: chain.arriving)
                } else if let running, let store = connection as? any UpgradeLogStore {
                    try await store.runAttempt(statements, recording: running.log, mirror: mirror, recorded: running.markRecorded,
                                               transactional: transactional, success: success, meanwhile: localWork)
                } else {
                    try await runner.runStatements(statements, on: connection, transactional: transactional, success: success)
                }
            case .tool:
                guard let package = task.package, let entry = ToolEntry(package) else {
                    throw QuickupError(.manifestInvalid, "\(task.key) has no valid .package", at: task.location(of: "package"))
                }
                if task.placement == .hosts {
                    try await RemoteToolTask(plugins: plugins, journal: journal).run(task, entry: entry, attempt: attempt, progress: toolProgress)
                } else {
                    _ = try await plugins.run(.task(task), entry: entry, attempt: attempt, progress: toolProgress)
                }
            case .config:
                let work = context.configWork(request)
                for line in try await work.apply(task, markerGroup: try journal.firstRun(of: runID), attempt: attempt) { output.line(line) }
            }
        }
        do {
            if let watch, task.kind == .sql || task.kind == .redis {
                try await watch.run(limit: deadline.limit, warnings: deadline.warnings, warn: warn, progress: progress, work)
            } else {
                // Tools and config changes wait on processes and hosts through tasks of their own:
                // off the component's thread, which may block (DedicatedThread).
                try await withTaskExecutorPreference(globalConcurrentExecutor) {
                    try await deadline.run(warn: warn, progress: progress, work)
                }
            }
        } catch let error as QuickupError {
            // A statement or tool stopped because the run was cancelled (Ctrl-C, the API's cancel)
            // fails with its own error, sometimes before the cancellation is seen: the cause is the
            // cancellation, so the run is recorded cancelled and resumable, not failed.
            if Task.isCancelled, error.code != .cancelled {
                throw QuickupError(.cancelled, "\(task.key) was cancelled (\(error.message))")
            }
            throw error
        } catch is Deadline<C>.TimedOut {
            // The limit passed just as the statements ended: the next task went to the server only
            // because every one of them had succeeded, so this attempt did.
            if chain.following?.sentAttempt != nil { return }
            throw timeoutError(planned, start: start)
        } catch is CancellationError {
            throw QuickupError(.cancelled, "\(task.key) was cancelled")
        } catch {
            throw QuickupError(.taskFailed, "\(task.key): \(error)")
        }
    }

    /// E7: stage, task, kind of timeout, configured vs elapsed vs overrun, resources, suggestion.
    private func timeoutError(_ planned: PlannedTask, start: C.Instant) -> QuickupError {
        let task = planned.task
        let elapsed = start.duration(to: context.clock.now)
        let configured = Duration.milliseconds(planned.timeout.milliseconds)
        let overrun = elapsed > configured ? elapsed - configured : .zero
        let kind: String
        switch task.kind {
        case .sql: kind = "database"
        case .redis: kind = "database (Redis)"
        case .tool: kind = "plugin"
        case .config: kind = "file"
        }
        return QuickupError(
            .timeout,
            "stage \(stage), task \(task.key): \(kind) timeout — configured \(configured.short), elapsed \(elapsed.short), overrun \(overrun.short); the work was stopped. At that moment: \(ResourceSnapshot.take())",
            at: task.location,
            hint: "if the data is larger than expected, raise .timeout of \(task.qualifiedUID) (or override it in the orchestration file); "
                + "if the server was busy, run again when it is idle; consider splitting the task")
    }

    /// The detail log's line for one attempt (E10); statements are counted for SQL and Redis tasks.
    private func detailRecord(_ event: String, _ planned: PlannedTask, attempt: Int, statements: [SQLStatement],
                              transactional: Bool) -> DetailRecord {
        var record = DetailRecord(run: runID, event: event, at: context.now(), task: planned.task, datasource: planned.datasource)
        record.attempt = attempt
        if planned.task.kind == .sql || planned.task.kind == .redis {
            record.statements = TaskRunner.commands(statements, type: planned.datasource.flatMap { request.environment.datasource(named: $0)?.type }).count
            record.transactional = transactional
        }
        return record
    }

    private func attemptRecord(_ entry: UpgradeLogEntry, _ planned: PlannedTask) -> AttemptRecord {
        AttemptRecord(mirroring: entry, datasource: planned.datasource)
    }
}

extension UpgradeLogEntry {
    /// A new attempt's RUNNING row.
    init(running planned: PlannedTask, attempt: Int, start: Int64, request: RunRequest, runID: String) {
        let task = planned.task
        self.init(taskID: task.key, component: task.component, versionFrom: request.plan.from.description,
                  versionTo: request.plan.to.description, taskVersion: task.version.description,
                  stage: task.stage.rawValue, taskName: task.qualifiedUID, kind: task.kind.rawValue,
                  checksum: task.checksum, status: .running, attempt: attempt, startTime: start,
                  runID: runID, site: request.plan.site)
    }

    /// This attempt's row once it ended with `status`, `elapsed` after it started.
    func ended(_ status: UpgradeLogStatus, after elapsed: Duration) -> UpgradeLogEntry {
        var entry = self
        entry.status = status
        entry.endTime = startTime + elapsed.milliseconds
        entry.durationMs = elapsed.milliseconds
        return entry
    }
}
