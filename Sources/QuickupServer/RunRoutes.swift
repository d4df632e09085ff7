import Foundation
import Hummingbird
import QuickupCore
import QuickupOperations
import QuickupRun
import Synchronization

/// Starting, listing, reading and stopping runs (E1–E11, F4 through H1). Runs started here hold
/// the same site lock as the CLI's, and the journal they write is the one `quickup status` reads.
extension QuickupAPI {
    struct RunList: Codable {
        var runs: [RunRecord]
    }

    struct RunView: Codable {
        var run: RunRecord
        /// Whether this server runs it (false for a CLI run, or one that ended).
        var active: Bool
        var attempts: [AttemptRecord]?
        var events: [EventRecord]?
    }

    struct CancelAnswer: Codable {
        var runId: String
        var status: String
        var message: String
    }

    struct DryRunAnswer: Codable {
        var summary: RunSummary
        var lines: [String]
    }

    func addRunRoutes(to router: Router<BasicRequestContext>) {
        router.get("/v1/runs") { request, _ in
            let limit = try Query.int(request, "limit", default: 50, range: 1...1000)
            return try JSONBody.response(RunList(runs: try self.queries(marking: true).history(limit: limit)))
        }
        router.get("/v1/runs/:id") { request, context in
            let id = try self.runID(context)
            let view = try Query.word(request, "view", default: "full", allowed: ["full", "summary"])
            if view == "summary" { return JSONBody.response(encoded: try self.summaryBody(id)) }
            _ = try self.record(id)
            let report = try self.queries(marking: false).status(id, hint: "`GET /v1/runs` lists the runs")
            return try JSONBody.response(RunView(run: report.run, active: self.runs.isActive(id), attempts: report.attempts, events: report.events))
        }
        router.post("/v1/runs") { request, _ in
            let body = try await self.decode(RunBody.self, request)
            let stages = try StageSelection.parse(body.stage ?? "all")
            let (from, to) = try body.upgrade.versions()
            let workspace = try self.workspace(release: body.release, env: body.env)
            let plan = try ServiceFilter.apply(body.service, to: try workspace.plan(from: from, to: to, site: body.site))
            return try await self.start(dryRun: body.dryRun ?? false, command: "run", resumes: nil) { output, id in
                try RunOperation(state: self.state).prepare(
                    workspace: workspace, plan: plan, stages: stages, dryRun: body.dryRun ?? false,
                    confirmRerun: Set(body.confirmRerun ?? []), acceptChanged: Set(body.acceptChanged ?? []), resumes: nil,
                    output: output, resumeCommand: Self.resumeHint, pausedWays: Self.pausedWays, runID: id).run
            }
        }
        router.post("/v1/runs/:id/resume") { request, context in
            let id = try self.runID(context)
            let body = try await self.decode(ResumeBody.self, request)
            let record = try self.record(id)
            if record.stage.hasPrefix("upgrade"), record.status != .succeeded {
                // A whole upgrade resumes as `quickup upgrade --resume RUN` does, under its own id.
                var input = UpgradeOperation.Input(release: try self.store.zip(body.release), env: body.env)
                input.resume = id
                let claim = try self.continuations.claim(id, journal: self.journal)
                return try await self.startUpgrade(input, source: UpgradeSource(release: body.release, env: body.env), continuing: id, claim: claim)
            }
            switch try ResumeOperation(state: self.state).target(id, hint: "`GET /v1/runs` lists the runs") {
            case .succeeded:
                return try JSONBody.response(Accepted(runId: id, status: RunStatus.succeeded.rawValue))
            case .resumable(let previous, let from, let to, let stages):
                let workspace = try self.workspace(release: body.release, env: body.env)
                let plan = try workspace.plan(from: from, to: to, site: previous.site)
                return try await self.start(dryRun: false, command: "resume", resumes: id) { output, newID in
                    try RunOperation(state: self.state).prepare(
                        workspace: workspace, plan: plan, stages: stages, dryRun: false,
                        confirmRerun: Set(body.confirmRerun ?? []), acceptChanged: Set(body.acceptChanged ?? []), resumes: id,
                        output: output, resumeCommand: Self.resumeHint, pausedWays: Self.pausedWays, runID: newID).run
                }
            }
        }
        router.post("/v1/runs/:id/rollback") { request, context in
            let id = try self.runID(context)
            let body = try await self.decode(RollbackBody.self, request)
            _ = try self.record(id)
            let zip = try self.store.zip(body.release)
            return try await self.start(dryRun: body.dryRun ?? false, command: "rollback", rollsBack: id) { output, newID in
                try RollbackOperation(state: self.state).prepare(
                    runID: id, release: zip, env: body.env, dryRun: body.dryRun ?? false,
                    undoneByHand: Set(body.undoneByHand ?? []), confirmRerun: Set(body.confirmRerun ?? []), output: output,
                    historyHint: "`GET /v1/runs` lists the runs", againCommand: "POST /v1/runs/\(id)/rollback",
                    rollbackID: newID, cache: self.store.cache).run
            }
        }
        router.post("/v1/runs/:id/cancel") { _, context in
            let id = try self.runID(context)
            let record = try self.record(id)
            return try JSONBody.response(try self.cancel(record), status: .accepted)
        }
    }

    static let resumeHint: @Sendable (String) -> String = { "POST /v1/runs/\($0)/resume" }
    /// The API's two ways on from an upgrade paused at the verification gate (F1).
    static let pausedWays = PausedUpgradeWays(resume: { "POST /v1/runs/\($0)/verification with {\"decision\": \"continue\"}" },
                                              rollback: { "POST /v1/runs/\($0)/rollback" })

    func queries(marking: Bool) -> RunQueries {
        RunQueries(state: state, journal: journal, marksDeadRuns: marking)
    }

    /// Starts work that ends in a RunResult and answers 202 once it is recorded (or 409 when the
    /// site lock refused it, naming the holder). A dry run runs to its end and answers 200.
    /// `id` is the run the work records (a new one unless it continues a run under its own id);
    /// `begun` says from the journal that the work got past its locks (default: the run exists).
    func start(dryRun: Bool, command: String, id: String = RunIdentifier.make(), resumes: String? = nil, rollsBack: String? = nil,
               begun: ((RunRecord) -> Bool)? = nil,
               _ prepare: (RunOutput, String) throws -> @Sendable () async -> RunResult) async throws -> Response {
        if dryRun {
            let lines = Shared<[String]>([])
            let output = RunOutput(console: { line in lines.value.withLock { $0.append(line) } })
            let result = await (try prepare(output, id))()
            return try JSONBody.response(DryRunAnswer(summary: RunSummary(command: command, result: result, dryRun: true, state: state, next: nil),
                                                      lines: lines.value.withLock { $0 }))
        }
        let board = LiveBoard()
        let work = try prepare(RunOutput(console: nil, board: board), id)
        let ended = Shared<RunResult?>(nil)
        _ = try runs.start(id, board: board) {
            let result = await work()
            ended.value.withLock { $0 = result }
            return result
        }
        // Answer once the run is in the journal, or with the reason it never got there.
        let recorded: () throws -> Bool = { [journal] in try journal.run(id).map { begun?($0) ?? true } ?? false }
        while true {
            if try recorded() { break }
            if let result = ended.value.withLock({ $0 }) {
                if try recorded() { break }
                throw APIError.from(result.error ?? QuickupError(.io, "the run ended before it was recorded"))
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        logger.info("\(command) started", metadata: ["run": "\(id)"])
        return try JSONBody.response(Accepted(runId: id, status: RunStatus.running.rawValue, resumes: resumes, rollsBack: rollsBack),
                                     status: .accepted)
    }

    /// Cancels a run this server runs, or signals the CLI process running it on this host (its
    /// Ctrl-C handling cancels cleanly); anything else is not running.
    func cancel(_ record: RunRecord) throws -> CancelAnswer {
        if runs.cancel(record.id) {
            return CancelAnswer(runId: record.id, status: "cancelling", message: "the run is being cancelled: statements and tools are stopped; it will be recorded cancelled and can be resumed")
        }
        guard record.status == .running else {
            throw APIError(.conflict, "not_running", "run \(record.id) is not running (\(record.status.rawValue))",
                           hint: record.status == .succeeded ? "nothing to cancel" : "`POST /v1/runs/\(record.id)/resume` continues it")
        }
        guard record.host == ProcessInfo.processInfo.hostName, record.pid > 0, record.pid != getpid(), kill(record.pid, SIGINT) == 0 else {
            throw APIError(.conflict, "not_running_here", "run \(record.id) runs on host \(record.host) (pid \(record.pid)), which this server cannot signal",
                           hint: "cancel it where it runs (Ctrl-C, or `kill -INT \(record.pid)` on \(record.host))")
        }
        return CancelAnswer(runId: record.id, status: "cancelling", message: "sent SIGINT to the CLI process running it (pid \(record.pid)); it cancels cleanly and releases the lock")
    }
}

/// Query parameters, checked with the same error shape as everything else.
enum Query {
    static func int(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError(.badRequest, QuickupError.Code.invalidArgument.rawValue, "invalid value for query parameter '\(name)'",
                           hint: "expected an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    static func word(_ request: Request, _ name: String, default value: String, allowed: [String]) throws -> String {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard allowed.contains(text) else {
            throw APIError(.badRequest, QuickupError.Code.invalidArgument.rawValue, "invalid value for query parameter '\(name)'",
                           hint: "expected one of: \(allowed.joined(separator: ", "))")
        }
        return text
    }
}

/// A value shared between a handler and the work it started.
final class Shared<T: Sendable>: Sendable {
    let value: Mutex<T>
    init(_ initial: T) { value = Mutex(initial) }
}
