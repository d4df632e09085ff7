import Foundation
import QuickupCore
import QuickupData

/// Runs one component's tasks of a stage in plan order (E1): decides per task (E3, E4, M7),
/// records RUNNING before and SUCCESS/FAILED after in upgrade_log and the journal (E2), applies
/// the timeout (E7) and the retry policy (E8).
struct ComponentRunner<C: Clock>: Sendable where C.Duration == Duration {
    let runID: String
    let request: RunRequest
    let journal: Journal
    let context: RunContext<C>
    let connections: ConnectionSet
    let runner: TaskRunner
    let stage: Stage

    func run(_ component: ComponentPlan) async -> Tally {
        // Issue 20.3: the component's tasks run on a thread of their own, where its connections'
        // blocking calls run too (DedicatedThread), and one task watches every attempt's timeout.
        let thread = DedicatedThread(name: "quickup-component")
        defer { thread.stop() }
        let watch = AttemptWatch(clock: context.clock)
        return await withTaskGroup(of: Void.self) { group in
            group.addTask(executorPreference: globalConcurrentExecutor) { await watch.watch() }
            let tally = await withTaskExecutorPreference(thread) { await runTasks(of: component, watch: watch) }
            group.cancelAll()
            return tally
        }
    }

    private func runTasks(of component: ComponentPlan, watch: AttemptWatch<C>) async -> Tally {
        var tally = Tally()
        let journalState: [String: AttemptRecord]
        do { journalState = try journal.latestAttempts() } catch {
            tally.error = error
            return tally
        }
        var logs: [String: [String: UpgradeLogEntry]] = [:]
        var disagreements: [(task: UpgradeTask, message: String)] = []
        defer { report(disagreements, of: component.component) }
        // A task's routine log lines wait for the next trip to the server (RunOutput.lineSoon).
        defer { context.output.flush() }
        // The last task's records, written with the next task's RUNNING row (DeferredRecords).
        var deferred: DeferredRecords?
        let prefetch = ScriptPrefetch(runner: runner)
        // The task whose first packet the previous one had sent when it succeeded: it is on the
        // server already, so it runs (and is killed there if the run was cancelled meanwhile).
        var arriving: ChainedAttempt?
        for (index, planned) in component.tasks.enumerated() {
            let sentAhead = arriving
            arriving = nil
            if Task.isCancelled, sentAhead == nil {
                tally.error = QuickupError(.cancelled, "the run was cancelled before \(planned.task.key)")
                break
            }
            // Deferred records wait only for a SQL task on their own datasource; anything else (a
            // connection to open, a tool to start) comes after they are written.
            if let pending = deferred, planned.task.kind != .sql || planned.datasource != pending.datasource {
                deferred = nil
                context.output.flush()
                if let error = await flush(pending, into: &tally) {
                    tally.error = error
                    break
                }
            }
            let taskStart = context.clock.now
            do throws(QuickupError) {
                let chain = AttemptChain()
                let next = component.tasks.indices.contains(index + 1) ? component.tasks[index + 1] : nil
                let outcome = try await runTask(planned, journalState: journalState, logs: &logs, deferred: &deferred,
                                                disagreements: &disagreements, watch: watch,
                                                ahead: Ahead(next: next, prefetch: prefetch, chain: chain, arriving: sentAhead))
                arriving = chain.sentAttempt
                switch outcome {
                case .succeeded: tally.succeeded += 1
                case .skipped: tally.skipped += 1
                }
                tally.tasks.append(TaskOutcome(planned.task, status: outcome == .succeeded ? "SUCCESS" : "SKIPPED",
                                               durationMs: outcome == .succeeded ? taskStart.duration(to: context.clock.now).milliseconds : nil))
            } catch {
                tally.failed += 1
                tally.tasks.append(TaskOutcome(planned.task, status: "FAILED", durationMs: taskStart.duration(to: context.clock.now).milliseconds,
                                               error: error.description))
                if let action = continuing(after: error, of: planned.task) {
                    tally.failedContinued += 1
                    context.output.line("[\(action == .skip ? "SKIPPED" : "IGNORED")] \(planned.task.qualifiedUID) failed; its \(request.plugin(component.component).pluginClass.rawValue) failure policy says \(action == .skip ? "skip it and continue" : "log it and continue")")
                    event(planned.task, level: action == .skip ? "warn" : "info", kind: "failure_policy_\(action.rawValue)", error.description)
                    continue
                }
                tally.error = stopping(error, of: planned.task)
                break
            }
        }
        if let deferred, let error = await flush(deferred, into: &tally), tally.error == nil {
            tally.error = error
        }
        return tally
    }

    /// A task whose SUCCESS cannot be recorded counts as failed, as when it was written at once.
    private func flush(_ records: DeferredRecords, into tally: inout Tally) async -> QuickupError? {
        do throws(QuickupError) {
            try await records.flush(to: journal)
            return nil
        } catch {
            tally.succeeded -= 1
            tally.failed += 1
            if let last = tally.tasks.lastIndex(where: { $0.status == "SUCCESS" }) {
                tally.tasks[last].status = "FAILED"
                tally.tasks[last].error = error.description
            }
            return error
        }
    }

    enum Outcome { case succeeded, skipped }

    /// T4: a failed tool of a class whose policy is skip/continue does not stop the component.
    /// SQL and Redis tasks always stop it: the next script may depend on the failed one.
    private func continuing(after error: QuickupError, of task: UpgradeTask) -> FailurePolicy.Action? {
        guard task.kind == .tool, error.code != .cancelled, error.code != .checksumChanged, error.code != .needsConfirmation,
              error.code != .toolNotStarted else { return nil }
        let action = request.plugin(task.component).failurePolicy(for: task).action
        return action == .stop ? nil : action
    }

    /// A stopping tool failure offers rollback (T4: core → stop and offer rollback).
    private func stopping(_ error: QuickupError, of task: UpgradeTask) -> QuickupError {
        guard task.kind == .tool, error.code != .cancelled, error.code != .toolNotStarted else { return error }
        var stopped = error
        // Only what exists: quickup takes no backup of its own, so none is offered (issue 14 item 7).
        let rollback = task.rollback.map { "or undo it with the task's rollback script `\($0)`" }
            ?? "\(task.qualifiedUID) has no rollback script: check what it changed before going on"
        stopped.hint = [error.hint, "the \(request.plugin(task.component).pluginClass.rawValue) failure policy stopped the run: fix the cause and `\(request.resumeCommand(runID))`, \(rollback)"]
            .compactMap { $0 }.joined(separator: "; ")
        return stopped
    }

    /// What a task does about the one after it: read its script while the datasource works, and
    /// offer it to be sent ahead (`chain`); `arriving`, this task when the previous one sent it.
    private struct Ahead {
        let next: PlannedTask?
        let prefetch: ScriptPrefetch
        let chain: AttemptChain
        let arriving: ChainedAttempt?
    }

    private func runTask(_ planned: PlannedTask, journalState: [String: AttemptRecord],
                         logs: inout [String: [String: UpgradeLogEntry]],
                         deferred: inout DeferredRecords?,
                         disagreements: inout [(task: UpgradeTask, message: String)],
                         watch: AttemptWatch<C>, ahead: Ahead) async throws(QuickupError) -> Outcome {
        let task = planned.task
        let type = datasourceType(of: planned)
        var connection: (any DatasourceConnection)?
        if task.kind == .sql || task.kind == .redis, let name = planned.datasource {
            connection = try await connections.connection(name, for: task.component)
        }
        let store = connection as? any UpgradeLogStore
        if let store, let name = planned.datasource, logs[name] == nil {
            logs[name] = try await store.latestEntries()
        }
        var fromLog = planned.datasource.flatMap { logs[$0]?[task.key] }
        let fromJournal = journalState[task.key]
        if let store, let name = planned.datasource, let recovered = try await recoverFinished(task, log: fromLog, journal: fromJournal, store: store) {
            logs[name]?[task.key] = recovered
            fromLog = recovered
        }
        if let message = disagreement(task, log: fromLog, journal: fromJournal, authoritative: store != nil) {
            disagreements.append((task, message))
        }
        let latest: TaskRecordState? = store != nil
            ? fromLog.map { TaskRecordState(status: $0.status.rawValue, checksum: $0.checksum, runID: $0.runID, startedAt: $0.startTime, endedAt: $0.endTime) }
            : fromJournal.map { TaskRecordState(status: $0.status, checksum: $0.checksum, runID: $0.runID, startedAt: $0.startedAt, endedAt: $0.endedAt) }
        let statements: [SQLStatement]
        let prefetched = ahead.prefetch.take(task)
        if let arriving = ahead.arriving {
            statements = arriving.statements
        } else if let prefetched {
            statements = prefetched
        } else {
            statements = try runner.statements(of: task, type: type)
        }
        let transactional = TaskRunner.isTransactional(task, statements: statements,
                                                       supportsTransactions: connection?.supportsTransactions ?? false, type: type)
        if task.transactional == true, !transactional {
            event(task, level: "warn", kind: "not_transactional",
                  "\(task.qualifiedUID) is declared transactional but contains statements that commit implicitly (DDL); it runs without a transaction")
        }
        switch TaskDecider.decide(task: task, latest: latest, transactional: transactional,
                                  name: latest?.status == UpgradeLogStatus.running.rawValue ? request.plan.unambiguousName(of: task) : nil,
                                  confirmed: RunRequest.names(task, in: request.confirmRerun),
                                  acceptChanged: RunRequest.names(task, in: request.acceptChanged),
                                  resume: request.resumeCommand(runID)) {
        case .skip(let at, let previousRun):
            let message = "already succeeded at \(Timestamps.text(at)) in run \(previousRun)"
            context.output.line("[SKIPPED] \(task.component) \(task.version) \(task.qualifiedUID) (\(message))")
            var detail = DetailRecord(run: runID, event: "task_end", at: context.now(), task: task, datasource: planned.datasource)
            detail.status = "SKIPPED"
            detail.statements = task.kind == .sql || task.kind == .redis ? TaskRunner.commands(statements, type: type).count : nil
            detail.message = message
            context.output.record(detail)
            return .skipped
        case .stop(let error):
            // Refused before it started (a changed file, an interrupted task needing confirmation):
            // its own line in the stage report and the detail log, not only the final error.
            context.output.line("[REFUSED] \(task.component) \(task.version) \(task.qualifiedUID): \(error.message)")
            var detail = DetailRecord(run: runID, event: "task_end", at: context.now(), task: task, datasource: planned.datasource)
            detail.setFailure(error, status: "REFUSED")
            context.output.record(detail)
            // `quickup status` lists it from this event: no attempt row is written for a task that never started.
            appendEvent(EventRecord(runID: runID, at: context.now(), level: "error", kind: EventRecord.taskRefused, taskKey: task.key,
                                    message: error.message))
            throw error
        case .rerunInterrupted(let reason):
            try await closeInterrupted(task, log: fromLog, journal: fromJournal, store: store)
            event(task, level: "warn", kind: "rerun_interrupted", "\(task.qualifiedUID): \(reason)")
            context.output.line("[RERUN] \(task.component) \(task.version) \(task.qualifiedUID): \(reason)")
        case .run:
            break
        }
        // Only a task upgrade_log has never seen is sent ahead, and such a task always runs: the
        // decision above cannot have gone another way.
        let meanwhile = nextWork(after: planned, ahead: ahead, chainable: store is any ChainingUpgradeLogStore,
                                 logs: planned.datasource.flatMap { logs[$0] }, journalState: journalState,
                                 supportsTransactions: connection?.supportsTransactions ?? false, transactional: transactional)
        let attempts = AttemptLoop(runID: runID, request: request, journal: journal, context: context, runner: runner, stage: stage,
                                   watch: watch)
        try await attempts.run(planned, statements: statements, connection: connection, store: store,
                               transactional: transactional, previousAttempt: fromLog?.attempt ?? fromJournal?.attempt ?? 0,
                               deferred: &deferred, meanwhile: meanwhile, following: ahead.chain, arriving: ahead.arriving)
        return .succeeded
    }

    /// The local work for while this task's SQL runs: reading the next task's script and, when the
    /// next is a SQL task on the same datasource that upgrade_log has never seen, offering it to be
    /// sent the moment this one succeeds — with this task's SUCCESS row and its own RUNNING row,
    /// the packet it would have sent itself (ChainedAttempt; crash analysis in DeferredRecords).
    private func nextWork(after planned: PlannedTask, ahead: Ahead, chainable: Bool, logs: [String: UpgradeLogEntry]?,
                          journalState: [String: AttemptRecord], supportsTransactions: Bool,
                          transactional: Bool) -> (@Sendable () -> Void)? {
        guard let next = ahead.next else { return nil }
        let type = datasourceType(of: next), prefetch = ahead.prefetch
        guard chainable, planned.task.kind == .sql, next.task.kind == .sql, next.datasource == planned.datasource,
              let logs, logs[next.task.key] == nil else {
            return { prefetch.load(next.task, type: type) }
        }
        let chain = ahead.chain, request = self.request, runID = self.runID, now = context.now
        let attempt = (journalState[next.task.key]?.attempt ?? 0) + 1
        return {
            guard let statements = prefetch.load(next.task, type: type) else { return }
            let nextTransactional = TaskRunner.isTransactional(next.task, statements: statements,
                                                               supportsTransactions: supportsTransactions, type: type)
            chain.offer(ChainedAttempt(statements: statements, transactional: nextTransactional) { finished in
                let running = UpgradeLogEntry(running: next, attempt: attempt, start: now(), request: request, runID: runID)
                // A transactional task's SUCCESS row is committed with its statements already.
                return transactional ? [running] : [finished, running]
            })
        }
    }

    private func datasourceType(of planned: PlannedTask) -> DatasourceType? {
        planned.datasource.flatMap { request.environment.datasource(named: $0)?.type }
    }

    /// Issue 13 item 8: the attempt a dead run left RUNNING is superseded by the one about to
    /// start, so it is closed — FAILED, its error saying it was interrupted — in upgrade_log and
    /// the journal, instead of staying RUNNING forever beside the later attempts.
    private func closeInterrupted(_ task: UpgradeTask, log: UpgradeLogEntry?, journal journalRow: AttemptRecord?,
                                  store: (any UpgradeLogStore)?) async throws(QuickupError) {
        let note = "interrupted: quickup stopped during this attempt; superseded by run \(runID)"
        if let store, var row = log, row.status == .running {
            row.status = .failed
            row.error = note
            try await store.record(row)
        }
        if var row = journalRow, row.status == UpgradeLogStatus.running.rawValue {
            row.status = UpgradeLogStatus.failed.rawValue
            row.error = note
            try journal.record(row)
        }
    }

    /// E4: upgrade_log says RUNNING but the journal holds SUCCESS for the very same run and attempt.
    /// The journal writes SUCCESS only after the task's statements returned, so the task finished
    /// and the crash came before its SUCCESS reached upgrade_log (DeferredRecords): that row is
    /// completed now instead of asking the operator to re-run a task that is already applied.
    private func recoverFinished(_ task: UpgradeTask, log: UpgradeLogEntry?, journal: AttemptRecord?,
                                 store: any UpgradeLogStore) async throws(QuickupError) -> UpgradeLogEntry? {
        guard let log, log.status == .running, let journal, journal.status == UpgradeLogStatus.success.rawValue,
              journal.runID == log.runID, journal.attempt == log.attempt else { return nil }
        var done = log
        done.status = .success
        done.endTime = journal.endedAt
        done.durationMs = journal.durationMs
        try await store.record(done)
        let message = "\(task.qualifiedUID) finished in run \(log.runID) (attempt \(log.attempt)) before quickup stopped; the journal recorded its SUCCESS, now completed in upgrade_log"
        event(task, level: "warn", kind: "recovered_success", message)
        context.output.line("[RECOVERED] \(task.component) \(task.version) \(message)")
        return done
    }

    /// The upgrade_log is the authority; a journal that disagrees is reported, not trusted (issue 5 item 3).
    private func disagreement(_ task: UpgradeTask, log: UpgradeLogEntry?, journal: AttemptRecord?, authoritative: Bool) -> String? {
        guard authoritative else { return nil }
        let logStatus = log?.status.rawValue, journalStatus = journal?.status
        guard logStatus != journalStatus, logStatus == "SUCCESS" || journalStatus == "SUCCESS" else { return nil }
        return "upgrade_log says \(logStatus ?? "nothing"), the journal says \(journalStatus ?? "nothing")"
    }

    /// Every disagreement goes to the detail log; a few are also a line and a journal event each,
    /// many (a new state directory against an applied database) one summary of each.
    private func report(_ disagreements: [(task: UpgradeTask, message: String)], of component: String) {
        guard !disagreements.isEmpty else { return }
        for (task, message) in disagreements {
            context.output.record(["run": runID, "level": "warn", "event": "record_disagreement", "task": task.key, "message": "\(message); upgrade_log wins"])
        }
        if disagreements.count <= 3 {
            for (task, message) in disagreements {
                appendEvent(EventRecord(runID: runID, at: context.now(), level: "warn", kind: "record_disagreement", taskKey: task.key,
                                        message: "\(task.key): \(message); upgrade_log wins"))
                context.output.line("Note: \(task.qualifiedUID): \(message); following upgrade_log.")
            }
            return
        }
        let first = disagreements.prefix(3).map { "\($0.task.qualifiedUID) (\($0.message))" }.joined(separator: ", ")
        let summary = "\(disagreements.count) tasks of \(component): upgrade_log and the journal disagree, e.g. \(first); upgrade_log wins"
        appendEvent(EventRecord(runID: runID, at: context.now(), level: "warn", kind: "record_disagreement", taskKey: nil, message: summary))
        context.output.line("Note: \(summary) (a new or another state directory?). Each task is in the run's detail log.")
    }

    private func event(_ task: UpgradeTask, level: String, kind: String, _ message: String) {
        appendEvent(EventRecord(runID: runID, at: context.now(), level: level, kind: kind, taskKey: task.key, message: message))
        context.output.record(["run": runID, "level": level, "event": kind, "task": task.key, "message": message])
    }

    private func appendEvent(_ record: EventRecord) {
        context.recordWrites.attempt("the \(record.kind) event\(record.taskKey.map { " of \($0)" } ?? "") in the journal") { () throws(QuickupError) in
            try journal.append(record)
        }
    }
}
