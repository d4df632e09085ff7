import Foundation
import QuickupCore
import QuickupData
import QuickupTools

/// Runs a plan's stages against an environment (SPEC E1–E11): takes the environment's lock,
/// runs stages in order and each stage's components in parallel (bounded, respecting `after`),
/// each component's tasks in order, records every attempt in upgrade_log and the journal, and
/// ends with a summary that says what failed, why and what to do (L2).
public struct Executor<C: Clock>: Sendable where C.Duration == Duration {
    public let journal: Journal
    public let context: RunContext<C>

    public init(journal: Journal, context: RunContext<C>) {
        self.journal = journal
        self.context = context
    }

    public func run(_ request: RunRequest) async -> RunResult {
        let runID = request.runID ?? RunIdentifier.make()
        let output = context.output
        let started = context.clock.now
        let writesBefore = context.recordWrites.count
        var result = RunResult(runID: runID, status: .running, succeeded: 0, skipped: 0, failed: 0,
                               stageDurations: [], total: .zero, error: nil)
        if request.dryRun {
            output.line("Dry run of \(request.plan.release) \(request.plan.from) → \(request.plan.to): nothing is changed.")
            result.error = await DryRun(releaseRoot: request.releaseRoot).print(request, output: output, listed: &result.tasks,
                                                                                config: context.configWork(request))
            await context.hosts.closeAll()
            result.status = result.error == nil ? .succeeded : .failed
            if let error = result.error { output.line("FAILED: \(error)") }
            return result
        }
        // E6: the locks come first, so a refused attempt leaves no run behind (it would show as
        // the latest run in status and history); then the run's record.
        let siteLock = SiteLock(journal: journal, site: request.environment.site, stateDirectory: context.stateDirectory,
                                heldBy: request.siteLockHeldBy, pausedWays: request.pausedWays)
        do {
            try siteLock.take(runID: runID, host: context.host, pid: context.pid, now: context.now, output: output)
        } catch {
            result.status = .failed
            result.error = error
            output.line("FAILED: \(error)")
            return result
        }
        let databaseLocks = DatabaseLocks()
        do {
            try await databaseLocks.acquire(plan: request.plan, environment: request.environment,
                                            holder: lockHolder(runID, site: request.environment.site), connect: context.connect)
            try journal.insert(runRecord(runID, request))
        } catch {
            // Not recorded as a run (E6): a refused or failed start leaves no run behind.
            await databaseLocks.release()
            siteLock.release(runID: runID, writes: context.recordWrites)
            result.status = .failed
            result.error = error
            output.line("FAILED: \(error)")
            return result
        }
        // Issue 13 item 1: before anything runs, what a killed quickup left running is stopped.
        do {
            try LeftoverReaper(journal: journal, runID: runID, host: context.host, isolation: context.isolationChoice.mechanism, now: context.now)
                .reap(output: output)
        } catch {
            await databaseLocks.release()
            result.status = .failed
            result.error = error
            output.line("FAILED: \(error)")
            finishRecord(&result, siteLock: siteLock, writesBefore: writesBefore)
            return result
        }
        let logDirectory = output.open(stateDirectory: context.stateDirectory, runID: runID)
        output.line("Run \(runID): \(request.plan.release) \(request.plan.from) → \(request.plan.to)"
            + (request.plan.site.map { " at \($0)" } ?? "") + (request.resumes.map { ", resuming \($0)" } ?? ""))
        var runStart = DetailRecord(run: runID, event: "run_start", at: context.now())
        runStart.message = "\(request.plan.release) \(request.plan.from) → \(request.plan.to), \(request.plan.taskCount) tasks"
            + (request.plan.site.map { " at \($0)" } ?? "")
        output.record(runStart)
        context.estimates.start(request.plan)
        let connections = ConnectionSet(environment: request.environment, connect: context.connect)
        let stageRunner = StageRunner(runID: runID, request: request, journal: journal, context: context,
                                      connections: connections, runner: TaskRunner(releaseRoot: request.releaseRoot))
        do throws(QuickupError) {
            try await ChecksumPreflight(runID: runID, request: request, journal: journal, context: context,
                                        connections: connections).check()
        } catch {
            result.error = error
        }
        // F6 then F3: old backups past backup.retention go, then this run's are taken, all before any change.
        if result.error == nil {
            do throws(QuickupError) {
                try await BackupBeforeChange.take(runID: runID, request: request, journal: journal, context: context, connections: connections)
            } catch {
                result.error = error
            }
        }
        for stage in request.stages where result.error == nil {
            // A stage without tasks still runs its hooks (T5); with neither it is left out.
            guard let stagePlan = request.plan.stage(stage) ?? (request.hasHooks(in: stage) ? StagePlan(stage: stage, components: []) : nil) else { continue }
            let stageStart = context.clock.now
            output.line("== \(stage) (\(stagePlan.taskCount) tasks)")
            let hooks = HookRunner(runID: runID, request: request, journal: journal, context: context,
                                   timeout: TaskDefaults.standard.timeouts[.tool] ?? .minutes(30))
            let components = request.plugins.map(\.component)
            var tally = Tally()
            do throws(QuickupError) {
                tally.failedContinued += try await hooks.run(stage, .beforeTasks, components: components)
                tally.add(await stageRunner.run(stagePlan))
                if tally.error == nil { tally.failedContinued += try await hooks.run(stage, .afterTasks, components: components) }
            } catch {
                tally.failed += 1
                tally.error = error
            }
            result.succeeded += tally.succeeded
            result.skipped += tally.skipped
            result.failed += tally.failed
            result.tasks += tally.tasks
            let elapsed = stageStart.duration(to: context.clock.now)
            result.stageDurations.append((stage, elapsed))
            output.line("== \(stage) done in \(elapsed.short): \(tally.succeeded) succeeded, \(tally.skipped) skipped, \(tally.failed) failed"
                + (tally.failedContinued > 0 ? " (\(tally.failedContinued) let through by a failure policy)" : ""))
            var stageRecord = DetailRecord(run: runID, event: "stage_end", at: context.now())
            stageRecord.stage = stage.rawValue
            stageRecord.durationMs = elapsed.milliseconds
            (stageRecord.succeeded, stageRecord.skipped, stageRecord.failed) = (tally.succeeded, tally.skipped, tally.failed)
            output.record(stageRecord)
            if let error = tally.error {
                result.error = error
                break
            }
        }
        await connections.closeAll()
        await context.hosts.closeAll()
        await context.launchers.close()
        await databaseLocks.release()
        result.total = started.duration(to: context.clock.now)
        result.status = result.error == nil ? .succeeded : (result.error?.code == .cancelled ? .cancelled : .failed)
        output.line("Total \(result.total.short): \(result.succeeded) succeeded, \(result.skipped) skipped, \(result.failed) failed. Logs: \(logDirectory)")
        if let error = result.error, error.code == .cancelled {
            output.line("CANCELLED: run \(runID) stopped on request (Ctrl-C or SIGTERM): \(error.message). Tasks that finished stay applied.")
            output.line("Next: `\(request.resumeCommand(runID))` continues at the first task not yet successful.")
        } else if let error = result.error, error.code == .needsConfirmation || error.code == .checksumChanged {
            output.line("FAILED: \(error)")
            output.line("Next: check the task, then run the command the hint above gives for what you found.")
        } else if let error = result.error {
            output.line("FAILED: \(error)")
            output.line("Next: fix the cause, then `\(request.resumeCommand(runID))` continues at the first task not yet successful.")
        }
        finishRecord(&result, siteLock: siteLock, writesBefore: writesBefore)
        output.close()
        return result
    }

    /// Ends the run in the journal and releases the site lock. A record write that failed on the
    /// way (here or in a failure path) is said in the run's end message, the journal's run
    /// message and the detail log: the record may be incomplete (E2, issue 14 item 7).
    private func finishRecord(_ result: inout RunResult, siteLock: SiteLock, writesBefore: Int) {
        let writes = context.recordWrites, runID = result.runID, status = result.status
        writes.finishRun(runID, in: journal, status: status, error: result.error, at: context.now(), since: writesBefore)
        siteLock.release(runID: runID, writes: writes)
        result.failedRecordWrites = writes.since(writesBefore)
        let summary = RecordWrites.summary(result.failedRecordWrites)
        if let summary { context.output.line("Warning: \(summary).") }
        context.output.record(DetailRecord.runEnd(result, message: summary, at: context.now()))
    }

    private func lockHolder(_ runID: String, site: String) -> LockRecord {
        LockRecord(environment: SiteLock.name(site), runID: runID, host: context.host, pid: context.pid,
                   startedAt: context.now())
    }

    private func runRecord(_ id: String, _ request: RunRequest) -> RunRecord {
        var run = RunRecord(id: id, release: request.plan.release, from: request.plan.from.description, to: request.plan.to.description,
                            site: request.plan.site, stage: request.stages.count == Stage.allCases.count ? "all" : request.stages.map(\.rawValue).joined(separator: ","),
                            status: .running, startedAt: context.now(), host: context.host, pid: context.pid)
        run.processStart = context.pid == ProcessIdentity.current.pid ? ProcessIdentity.current.start : ProcessIdentity.of(context.pid)?.start
        // The text `plan --json` prints (and a support bundle's plan.json), written without
        // building the document: JSONEncoder took ~8 ms of a 1,000-task run's start (issue 20.3).
        var plan = ""
        do {
            try PlanJSON.write(request.plan, to: &plan)
            run.planJSON = plan
        } catch {
            context.output.line("Note: the plan could not be stored with run \(id) (\(error)); the run goes on without it")
        }
        run.message = request.resumes.map { "resumes \($0)" }
        run.parent = request.resumes
        return run
    }
}

/// `2026-11-25T23:16:35Z` for a time in ms since 1970 (UTC). Written by hand: an
/// ISO8601DateFormatter per line cost 40 % of a run that skips 1,000 applied tasks.
public enum Timestamps {
    public static func text(_ ms: Int64) -> String {
        var seconds = time_t(ms >= 0 ? ms / 1000 : (ms - 999) / 1000)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return "\(ms) ms" }
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
