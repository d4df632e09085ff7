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
        let runID = RunIdentifier.make()
        let output = context.output
        let started = context.clock.now
        var result = RunResult(runID: runID, status: .running, succeeded: 0, skipped: 0, failed: 0,
                               stageDurations: [], total: .zero, error: nil)
        if request.dryRun {
            output.line("Dry run of \(request.plan.release) \(request.plan.from) → \(request.plan.to): nothing is changed.")
            result.error = DryRun(releaseRoot: request.releaseRoot).print(request, output: output)
            result.status = result.error == nil ? .succeeded : .failed
            return result
        }
        // E6: the locks come first, so a refused attempt leaves no run behind (it would show as
        // the latest run in status and history); then the run's record.
        let siteLock = SiteLock(journal: journal, site: request.environment.site, stateDirectory: context.stateDirectory)
        do {
            try siteLock.take(runID: runID, host: context.host, pid: context.pid, now: context.now, output: output)
        } catch {
            result.status = .failed
            result.error = error
            return result
        }
        let databaseLocks = DatabaseLocks()
        do {
            try await databaseLocks.acquire(plan: request.plan, environment: request.environment,
                                            holder: lockHolder(runID, site: request.environment.site), connect: context.connect)
            try journal.insert(runRecord(runID, request))
        } catch {
            await databaseLocks.release()
            siteLock.release(runID: runID)
            result.status = .failed
            result.error = error
            return result
        }
        // Issue 13 item 1: before anything runs, what a killed quickup left running is stopped.
        do {
            try LeftoverReaper(journal: journal, runID: runID, host: context.host, isolation: context.isolation, now: context.now)
                .reap(output: output)
        } catch {
            await databaseLocks.release()
            try? journal.finishRun(runID, status: .failed, at: context.now(), message: error.description)
            siteLock.release(runID: runID)
            result.status = .failed
            result.error = error
            return result
        }
        let logDirectory = output.open(stateDirectory: context.stateDirectory, runID: runID)
        output.line("Run \(runID): \(request.plan.release) \(request.plan.from) → \(request.plan.to)"
            + (request.plan.site.map { " at \($0)" } ?? "") + (request.resumes.map { ", resuming \($0)" } ?? ""))
        let connections = ConnectionSet(environment: request.environment, connect: context.connect)
        let stageRunner = StageRunner(runID: runID, request: request, journal: journal, context: context,
                                      connections: connections, runner: TaskRunner(releaseRoot: request.releaseRoot))
        for stage in request.stages {
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
            let elapsed = stageStart.duration(to: context.clock.now)
            result.stageDurations.append((stage, elapsed))
            output.line("== \(stage) done in \(elapsed.short): \(tally.succeeded) succeeded, \(tally.skipped) skipped, \(tally.failed) failed"
                + (tally.failedContinued > 0 ? " (\(tally.failedContinued) let through by a failure policy)" : ""))
            if let error = tally.error {
                result.error = error
                break
            }
        }
        await connections.closeAll()
        await databaseLocks.release()
        result.total = started.duration(to: context.clock.now)
        result.status = result.error == nil ? .succeeded : (result.error?.code == .cancelled ? .cancelled : .failed)
        output.line("Total \(result.total.short): \(result.succeeded) succeeded, \(result.skipped) skipped, \(result.failed) failed. Logs: \(logDirectory)")
        if let error = result.error {
            output.line("FAILED: \(error)")
            output.line("Next: fix the cause, then `quickup resume \(runID)` continues at the first task not yet successful.")
        }
        try? journal.finishRun(runID, status: result.status, at: context.now(), message: result.error?.description)
        siteLock.release(runID: runID)
        output.close()
        return result
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
        if let data = try? JSONEncoder().encode(PlanDocument(request.plan)) { run.planJSON = String(decoding: data, as: UTF8.self) }
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
