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
        let runID = RunIdentifier.make()
        let output = context.output
        let started = context.clock.now
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
            try await steps.run(into: &result)
        } catch {
            result.error = error
        }
        await connections.closeAll()
        await databaseLocks.release()
        result.total = started.duration(to: context.clock.now)
        result.status = result.error == nil ? .succeeded : .failed
        output.line("Total \(result.total.short): \(result.succeeded) rolled back, \(result.skipped) skipped, \(result.failed) failed.")
        if let error = result.error {
            output.line("FAILED: \(error)")
            output.line("Next: fix the cause, then run `quickup rollback \(request.target)` again; what is rolled back stays so.")
        }
        guard !request.dryRun else { return result }
        try? journal.finishRun(runID, status: result.status, at: context.now(), message: result.error?.description)
        lock.release(runID: runID)
        output.close()
        return result
    }

    /// The run and every run that resumed it (`resumes X` in the journal), transitively.
    private func resumeChain(of target: String) throws(QuickupError) -> Set<String> {
        guard try journal.run(target) != nil else {
            throw QuickupError(.invalidArgument, "no run '\(target)' in the journal", hint: "`quickup history` lists the runs")
        }
        var chain: Set<String> = [target]
        let runs = try journal.runs(limit: 10_000)
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
