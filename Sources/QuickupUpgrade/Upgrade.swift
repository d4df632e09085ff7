import Foundation
import QuickupCore
import QuickupData
import QuickupRemote
import QuickupRun
import QuickupTools

/// The whole upgrade of a site (F1, F2, F5): the one library operation the CLI (`quickup
/// upgrade`) and the HTTP API call. Steps run in order, each recorded RUNNING before and
/// SUCCESS after in the journal; `resume` continues at the first step not done: an interrupted
/// or retryable step is done again directly, a failed non-retryable step of the formal upgrade
/// first has the environment cleaned (§4.1.4) and the formal upgrade start over.
public struct Upgrade: Sendable {
    public let journal: Journal
    public let context: UpgradeContext

    public init(journal: Journal, context: UpgradeContext) {
        self.journal = journal
        self.context = context
    }

    public func run(_ request: UpgradeRequest) async -> UpgradeResult {
        let output = context.output
        let runID: String
        let rolling: Bool
        let scope: UpgradeScope
        let lock = SiteLock(journal: journal, site: request.environment.site, stateDirectory: context.stateDirectory, pausedWays: request.pausedWays)
        do {
            scope = try UpgradeScope.build(release: request.release, releaseRoot: request.releaseRoot, environment: request.environment,
                                           from: request.plan.from, to: request.plan.to)
            // E6 for the whole upgrade: the site's lock is held from here to the end (its stage
            // runs work under it), taken before the run is recorded so a refused attempt leaves
            // no run behind; a resume takes it again under the same run id.
            let id = request.resume ?? request.runID ?? RunIdentifier.make()
            try lock.take(runID: id, host: ProcessInfo.processInfo.hostName, pid: ProcessIdentity.current.pid, now: context.now, output: output)
            do {
                let opened = try open(request, id: id)
                runID = opened.id
                rolling = opened.rolling
            } catch {
                do { try lock.release(runID: id) } catch let failure {
                    output.line("Warning: the site lock taken for upgrade \(id) was not released: \(failure)")
                }
                throw error
            }
        } catch let errors as QuickupErrors {
            let first = errors.errors.first ?? QuickupError(.invalidArgument, "invalid input")
            return UpgradeResult(runID: "-", status: .failed, error: first, message: errors.description, started: false)
        } catch let error as QuickupError {
            return UpgradeResult(runID: request.resume ?? "-", status: .failed, error: error, message: error.description, started: false)
        } catch {
            return UpgradeResult(runID: "-", status: .failed, error: QuickupError(.io, "\(error)"), started: false)
        }
        output.open(stateDirectory: context.stateDirectory, runID: runID)
        defer { output.close() }
        output.line("Upgrade \(runID): \(request.plan.release) \(request.plan.from) → \(request.plan.to)"
            + (request.plan.site.map { " at \($0)" } ?? "") + ", \(rolling ? "rolling" : "stop-the-world")"
            + (request.resume != nil ? " (resumed)" : ""))
        let steps = UpgradeStepList.build(scope, rolling: rolling)
        let connections = SSHConnections(context: RemoteContext(stateDirectory: context.stateDirectory, keepalive: request.environment.keepalive,
                                                               log: { line in output.record(["event": "remote", "message": line]) }))
        let nacos: NacosClient?
        do throws(QuickupError) { nacos = try request.environment.nacos.map { config throws(QuickupError) in
            NacosClient(config: config, password: try SecretResolver().secret(for: config.password, of: "nacos"))
        } } catch {
            return finish(UpgradeResult(runID: runID, status: .failed, error: error), steps: steps, scope: scope, request: request, lock: lock)
        }
        let stages = steps.compactMap { step -> Stage? in if case .tasks(let stage) = step.action { stage } else { nil } }
        let actions = StepActions(runID: runID, request: request, context: context, scope: scope, journal: journal,
                                  services: ServiceController(connections: connections, nacos: nacos), stages: stages)
        var result = UpgradeResult(runID: runID, status: .running)
        do throws(QuickupError) {
            var latest = try journal.latestSteps(run: runID)
            if let failed = steps.first(where: { latest[$0.key]?.status == .failed && !$0.retryable }) {
                output.line("Step '\(failed.title)' failed and is not retryable (F2): cleaning the environment, then the formal upgrade starts again.")
                try await EnvironmentCleanup(runID: runID, scope: scope, services: actions.services, journal: journal, output: output, now: context.now)
                    .run(steps: steps, latest: latest)
                latest = try journal.latestSteps(run: runID)
            }
            for batch in UpgradeStepList.batches(steps) {
                let todo = batch.filter { latest[$0.step.key]?.status != .success }
                result.stepsSkipped += batch.count - todo.count
                // An interrupted step (RUNNING: quickup died in it) is done again as the same attempt,
                // so its remote steps find their markers and nothing runs twice on a host (S1).
                let attempts = todo.map { entry in
                    (seq: entry.seq, step: entry.step, attempt: latest[entry.step.key].map { $0.status == .running ? $0.attempt : $0.attempt + 1 } ?? 1)
                }
                try await performTogether(attempts, actions: actions)
                result.stepsDone += todo.count
            }
            result.status = .succeeded
        } catch {
            result.error = error
            result.status = error.code == .awaitingVerification ? .awaitingVerification : (error.code == .cancelled ? .cancelled : .failed)
        }
        await connections.closeAll()
        return finish(result, steps: steps, scope: scope, request: request, lock: lock)
    }

    /// The steps of one batch at the same time (structured: all end before the next batch), each
    /// its own checkpoint; a failure of one lets the others finish, then the first is thrown.
    private func performTogether(_ batch: [(seq: Int, step: UpgradeStep, attempt: Int)], actions: StepActions) async throws(QuickupError) {
        if batch.count == 1, let only = batch.first {
            try await perform(only.step, seq: only.seq, attempt: only.attempt, actions: actions)
            return
        }
        let failures = await withTaskGroup(of: QuickupError?.self, returning: [QuickupError].self) { group in
            for entry in batch {
                group.addTask {
                    do throws(QuickupError) {
                        try await perform(entry.step, seq: entry.seq, attempt: entry.attempt, actions: actions)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var failures: [QuickupError] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        if let first = failures.first { throw first }
    }

    /// One step: RUNNING in the journal, the action, SUCCESS (or FAILED with the error).
    private func perform(_ step: UpgradeStep, seq: Int, attempt: Int, actions: StepActions) async throws(QuickupError) {
        let runID = actions.runID
        var record = StepRecord(runID: runID, seq: seq, key: step.key, flow: step.flow.rawValue, attempt: attempt, status: .running, startedAt: context.now())
        try journal.record(record)
        context.output.line("[\(step.flow.rawValue)] \(step.title)" + (attempt > 1 ? " (attempt \(attempt))" : ""))
        context.output.record(["event": "step_start", "run": runID, "step": step.key, "attempt": "\(attempt)"])
        context.output.board?.begin(step.key, title: step.title, estimate: nil)
        defer { context.output.board?.end(step.key) }
        context.crashPoints.check(step.key, "begin")
        do {
            let detail = try await actions.perform(step, attempt: attempt)
            context.crashPoints.check(step.key, "end")
            record.status = .success
            record.detail = detail.json
        } catch {
            record.status = error.code == .awaitingVerification ? .running : .failed
            record.error = error.description
            record.endedAt = context.now()
            try journal.record(record)
            context.output.record(["event": "step_end", "run": runID, "step": step.key, "status": record.status.rawValue, "error": error.description])
            throw error
        }
        record.endedAt = context.now()
        try journal.record(record)
        context.output.record(["event": "step_end", "run": runID, "step": step.key, "status": "SUCCESS",
                               "ms": "\((record.endedAt ?? 0) - record.startedAt)"])
        context.output.line("  done in \(String(format: "%.2f s", Double((record.endedAt ?? 0) - record.startedAt) / 1000))")
    }

    /// A new run record, or the resumed one (which must be an upgrade that is not finished).
    private func open(_ request: UpgradeRequest, id: String) throws(QuickupError) -> (id: String, rolling: Bool) {
        if request.resume != nil {
            guard let run = try journal.run(id), run.stage.hasPrefix("upgrade") else {
                throw QuickupError(.invalidArgument, "no upgrade run \(id) in this state directory", hint: "quickup history lists the runs")
            }
            if run.status == .succeeded { throw QuickupError(.invalidArgument, "upgrade \(id) has already succeeded; there is nothing to resume") }
            try journal.setRunStatus(id, .running, message: "resumed")
            return (id, run.stage == "upgrade rolling")
        }
        let rolling: Bool
        switch request.mode {
        case .rolling: rolling = true
        case .stopTheWorld: rolling = false
        case .auto: rolling = request.plan.incompatibleTasks.isEmpty
        }
        if request.mode == .rolling, !request.plan.incompatibleTasks.isEmpty {
            throw QuickupError(.invalidArgument, "--mode rolling refused: \(request.plan.incompatibleTasks.count) task(s) are not compatible with \(request.plan.from) (A3)",
                               hint: "use --mode stop-the-world or auto; quickup assess lists the tasks")
        }
        var run = RunRecord(id: id, release: request.plan.release, from: request.plan.from.description, to: request.plan.to.description,
                            site: request.plan.site, stage: rolling ? "upgrade rolling" : "upgrade stop-the-world", status: .running,
                            startedAt: context.now(), host: ProcessInfo.processInfo.hostName, pid: ProcessIdentity.current.pid)
        run.processStart = ProcessIdentity.current.start
        try journal.insert(run)
        return (id, rolling)
    }

    /// Ends the run: the journal's status, the outage summary, and for a failure what failed,
    /// why and the two ways on (L2).
    private func finish(_ input: UpgradeResult, steps: [UpgradeStep], scope: UpgradeScope, request: UpgradeRequest,
                        lock: SiteLock) -> UpgradeResult {
        var result = input
        let output = context.output, runID = result.runID
        var records: [StepRecord] = []
        do { records = try journal.steps(run: runID) } catch {
            output.line("Warning: cannot read the steps of upgrade \(runID) back from the journal: \(error)")
        }
        let estimate = records.last { $0.key == "precheck" && $0.status == .success }.flatMap { StepDetail($0.detail)["outageEstimateSeconds"] }.flatMap { Double($0) }
        result.outages = ServiceOutage.measure(records, scope: scope, estimateSeconds: estimate)
        if result.status == .succeeded { for outage in result.outages { output.line(outage.line) } }
        let message: String
        switch result.status {
        case .succeeded: message = "upgrade \(runID) succeeded: \(result.stepsDone) steps done, \(result.stepsSkipped) already done before"
        case .awaitingVerification: message = "PAUSED: \(result.error?.description ?? "waiting for verification")"
        default:
            let failed = records.last { $0.status == .failed }.flatMap { record in steps.first { $0.key == record.key } }
            let what = failed.map { "step '\($0.title)' failed" } ?? "the upgrade stopped"
            let rule = failed.map { $0.retryable ? "it is retried directly on resume" : "it is not retryable: resume first cleans the environment (stops new services, switches program files back, removes temporary files) and starts the formal upgrade again" } ?? "resume continues where it stopped"
            message = "FAILED: \(what): \(result.error?.description ?? "unknown error")\n"
                + "Next: fix the cause, then `\(request.resumeCommand(runID))` (\(rule)); or `\(request.rollbackCommand(runID))` puts the previous program files and services back."
        }
        result.message = message
        output.line(message)
        do {
            if result.status == .awaitingVerification {
                try journal.setRunStatus(runID, .awaitingVerification, message: result.error?.message)
            } else {
                try journal.finishRun(runID, status: result.status, at: context.now(), message: result.status == .succeeded ? nil : result.error?.description)
            }
        } catch {
            output.line("Warning: the journal did not record the end of upgrade \(runID): \(error)")
        }
        // The lock goes at every end, the gate's pause included. At the pause this process exits
        // (exit 5) and verification may take hours: a lock kept by a process that no longer runs
        // is what a crashed holder leaves, and the next run would take it over anyway (E6), so
        // keeping it would only pretend. What an operator needs from a paused site is that its
        // two ways on work — `--resume RUN --verified` and `quickup rollback RUN` — and both take
        // the lock again; `quickup status` shows the upgrade awaiting_verification meanwhile.
        do { try lock.release(runID: runID) } catch {
            output.line("Warning: the site lock of upgrade \(runID) was not released: \(error); `quickup unlock \(runID)` breaks it")
        }
        return result
    }
}
