import QuickupCore
import QuickupData

/// `quickup rollback RUN` for the database (F4, first phase: undo scripts in reverse). Takes the
/// site's locks like a run, walks the plan backwards, and for every SQL task the run applied
/// runs its `.rollback` script — in one transaction where it can, with its row in upgrade_log
/// (kind `rollback`, status RUNNING then ROLLED_BACK) and the journal. Every step is recorded, so
/// a rollback that stops is resumed by running it again: what is rolled back stays so.
public struct Rollback<C: Clock>: Sendable where C.Duration == Duration {
    public let journal: Journal
    public let context: RunContext<C>

    public init(journal: Journal, context: RunContext<C>) {
        self.journal = journal
        self.context = context
    }

    public func run(_ request: RollbackRequest) async -> RunResult {
        let runID = request.runID ?? RunIdentifier.make()
        let output = context.output
        let started = context.clock.now
        let writesBefore = context.recordWrites.count
        var result = RunResult(runID: runID, status: .running)
        let lock = SiteLock(journal: journal, site: request.environment.site, stateDirectory: context.stateDirectory)
        let databaseLocks = DatabaseLocks()
        let connections = ConnectionSet(environment: request.environment, connect: context.connect)
        do throws(QuickupError) {
            let runs = try resumeChain(of: request.target)
            if request.dryRun {
                output.line("Dry run of the rollback of \(request.target): nothing is changed.")
            } else {
                // Locks first (E6): a refused rollback leaves no run behind.
                try lock.take(runID: runID, host: context.host, pid: context.pid, now: context.now, output: output)
                try await databaseLocks.acquire(plan: request.plan, environment: request.environment,
                                                holder: LockRecord(environment: SiteLock.name(request.environment.site), runID: runID, host: context.host,
                                                                   pid: context.pid, startedAt: context.now()),
                                                connect: context.connect)
                try journal.insert(runRecord(runID, request))
                let logs = output.open(stateDirectory: context.stateDirectory, runID: runID)
                output.line("Rollback \(runID) of run \(request.target) (\(request.plan.to) → \(request.plan.from)); logs: \(logs)")
            }
            let steps = RollbackSteps(runID: runID, runs: runs, request: request, journal: journal, context: context,
                                      connections: connections, runner: TaskRunner(releaseRoot: request.releaseRoot))
            try await runPhases(steps, runs: runs, into: &result)
        } catch {
            result.error = error
        }
        await connections.closeAll()
        await context.hosts.closeAll()
        await context.launchers.close()
        await databaseLocks.release()
        result.total = started.duration(to: context.clock.now)
        result.status = result.error == nil ? .succeeded : (result.error?.code == .cancelled ? .cancelled : .failed)
        summarize(result, request, output: output)
        guard !request.dryRun else { return result }
        let writes = context.recordWrites
        writes.finishRun(runID, in: journal, status: result.status, error: result.error, at: context.now(), since: writesBefore)
        lock.release(runID: runID, writes: writes)
        result.failedRecordWrites = writes.since(writesBefore)
        let summary = RecordWrites.summary(result.failedRecordWrites)
        if let summary { output.line("Warning: \(summary).") }
        output.record(DetailRecord.runEnd(result, message: summary, at: context.now()))
        output.close()
        return result
    }

    /// The closing lines (L2): counts, then why it stopped and the command that continues. A task
    /// the rollback may not undo on its own stops it without failing anything: "STOPPED", and its
    /// hint holds the commands to continue; a dry run says what it would do, counting what it listed.
    private func summarize(_ result: RunResult, _ request: RollbackRequest, output: RunOutput) {
        let stop = result.stoppedAt.map { " It stops at \($0)." } ?? ""
        if request.dryRun {
            let wouldUndo = result.tasks.filter { $0.status.hasPrefix("WOULD_") }.count
            output.line("Dry run complete: \(wouldUndo) task\(wouldUndo == 1 ? "" : "s") would be rolled back, \(result.skipped) already rolled back; nothing was changed.\(stop)")
        } else {
            output.line("Total \(result.total.short): \(result.succeeded) rolled back, \(result.skipped) skipped, \(result.failed) failed.\(stop)")
        }
        guard let error = result.error else { return }
        if result.stoppedAt != nil {
            output.line("STOPPED: \(error)")
            output.line("Next: run the command the hint gives once you have checked the task; what is rolled back stays so.")
        } else if error.code == .cancelled {
            output.line("CANCELLED: the rollback stopped on request: \(error.message). What is rolled back stays so.")
            output.line("Next: `\(request.againCommand)` continues the rollback.")
        } else {
            output.line("FAILED: \(error)")
            output.line("Next: fix the cause, then `\(request.againCommand)` continues the rollback; what is rolled back stays so.")
        }
    }

    /// The runs of the upgrade `target` belongs to (every stage run and resume; UpgradeRuns)
    /// and every run that resumed it (`resumes X` in the journal), transitively.
    private func resumeChain(of target: String) throws(QuickupError) -> Set<String> {
        guard let targetRun = try journal.run(target) else {
            throw QuickupError(.invalidArgument, "no run '\(target)' in the journal", hint: "`quickup history` lists the runs")
        }
        let runs = try journal.runs(limit: 10_000)
        var chain: Set<String> = Set(UpgradeRuns.of(targetRun, in: runs).map(\.id)).union([target])
        var grew = true
        while grew {
            grew = false
            for run in runs where !chain.contains(run.id) && run.stage != "rollback" {
                if let parent = run.parent, chain.contains(parent) {
                    chain.insert(run.id)
                    grew = true
                }
            }
        }
        return chain
    }

    private func runRecord(_ id: String, _ request: RollbackRequest) -> RunRecord {
        var run = RunRecord(id: id, release: request.plan.release, from: request.plan.to.description, to: request.plan.from.description,
                            site: request.plan.site, stage: "rollback", status: .running, startedAt: context.now(),
                            host: context.host, pid: context.pid)
        run.message = "rolls back \(request.target)"
        run.parent = request.target
        return run
    }
}
