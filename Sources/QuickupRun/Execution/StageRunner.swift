import QuickupCore

/// Counts of one stage (or component) and the error that stopped it, if any.
struct Tally: Sendable {
    var succeeded = 0
    var skipped = 0
    var failed = 0
    /// Failures a plugin failure policy let the run go past (T4); included in `failed`.
    var failedContinued = 0
    var error: QuickupError?
    /// What happened to each task, in order (RunResult.tasks).
    var tasks: [TaskOutcome] = []

    mutating func add(_ other: Tally) {
        tasks += other.tasks
        succeeded += other.succeeded
        skipped += other.skipped
        failed += other.failed
        failedContinued += other.failedContinued
        if error == nil { error = other.error }
    }
}

/// Runs one stage: components whose `after` components are done start, at most `maxParallel` at
/// once (E1); after a failure no new component starts, running ones finish their current work.
struct StageRunner<C: Clock>: Sendable where C.Duration == Duration {
    let runID: String
    let request: RunRequest
    let journal: Journal
    let context: RunContext<C>
    let connections: ConnectionSet
    let runner: TaskRunner

    func run(_ stage: StagePlan) async -> Tally {
        var pending = stage.components
        var done: Set<String> = []
        var running = 0
        var tally = Tally()
        await withTaskGroup(of: (String, Tally).self) { group in
            while !pending.isEmpty || running > 0 {
                while tally.error == nil, running < context.maxParallel,
                      let next = pending.firstIndex(where: { $0.after.allSatisfy(done.contains) }) {
                    let component = pending.remove(at: next)
                    running += 1
                    group.addTask {
                        let componentRunner = ComponentRunner(runID: runID, request: request, journal: journal, context: context,
                                                              connections: connections, runner: runner, stage: stage.stage)
                        return (component.component, await componentRunner.run(component))
                    }
                }
                guard let (name, result) = await group.next() else { break }
                running -= 1
                done.insert(name)
                tally.add(result)
                if tally.error != nil { pending.removeAll() }
            }
        }
        return tally
    }
}
