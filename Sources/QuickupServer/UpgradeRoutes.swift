import Foundation
import Hummingbird
import QuickupCore
import QuickupOperations
import QuickupRun
import QuickupUpgrade

/// Where an upgrade started through this server came from: what its continuation uses.
struct UpgradeSource: Sendable {
    var release: String
    var env: String
}

/// The whole upgrade of a site through the API (F1, H1, H2; issues 15 and 17): start it, and
/// answer its manual verification gate. Both call `UpgradeOperation`, as `quickup upgrade` and
/// `quickup upgrade --resume RUN --verified` do. A run started here has no terminal, so it pauses
/// at the gate (awaiting_verification, its event stream ends) unless `yes` skipped it.
extension QuickupAPI {
    func addUpgradeRoutes(to router: Router<BasicRequestContext>) {
        router.post("/v1/upgrades") { request, _ in
            let body = try await self.decode(UpgradeStartBody.self, request)
            guard let mode = UpgradeStrategy(rawValue: body.mode ?? "auto") else {
                throw APIError(.badRequest, QuickupError.Code.invalidArgument.rawValue, "invalid mode '\(String((body.mode ?? "").prefix(40)))'",
                               hint: "expected auto, rolling or stop-the-world")
            }
            var input = UpgradeOperation.Input(release: try self.store.zip(body.release), env: body.env)
            (input.from, input.to, input.site, input.mode) = (body.from, body.to, body.site, mode)
            input.yes = body.yes ?? false
            input.acceptWarnings = body.acceptWarnings ?? false
            return try await self.startUpgrade(input, source: UpgradeSource(release: body.release, env: body.env), continuing: nil, claim: nil)
        }
        router.post("/v1/runs/:id/verification") { request, context in
            let id = try self.runID(context)
            let body = try await self.decode(VerificationBody.self, request)
            guard ["continue", "abort"].contains(body.decision) else {
                throw APIError(.badRequest, QuickupError.Code.invalidArgument.rawValue, "invalid decision '\(body.decision.prefix(40))'",
                               hint: "expected continue or abort")
            }
            // Claimed before its status is read: a second decision meanwhile is refused (409
            // naming the first), not let through to resume the same run a second time.
            let claim = try self.continuations.claim(id, journal: self.journal)
            do {
                return try await self.decide(id, body, claim: claim)
            } catch {
                claim.release()
                throw error
            }
        }
    }

    /// The gate's decision for upgrade `id`, under the claim on it.
    private func decide(_ id: String, _ body: VerificationBody, claim: ContinuationClaims.Claim) async throws -> Response {
        let record = try self.record(id)
        let upgrade = record.stage.hasPrefix("upgrade")
        guard upgrade, record.status == .awaitingVerification else {
            throw APIError(.conflict, "not_awaiting_verification",
                           "run \(id) is not waiting at a verification gate: it is \(upgrade ? "an upgrade" : "a stage run (\(record.stage))"), \(record.status.rawValue)",
                           hint: upgrade ? "only an upgrade paused at the gate (status awaiting_verification) takes a decision; `GET /v1/runs/\(id)` shows where it is"
                               : "stage runs have no gate: the pipeline verifies between its own stages; a whole upgrade (POST /v1/upgrades) pauses at it")
        }
        // The upgrade that recorded its pause may still be returning in this server.
        await self.runs.ended(id)
        if body.decision == "abort" {
            let message = try UpgradeOperation(state: self.state).refuseVerification(
                id, note: body.note, rollbackHint: "`POST /v1/runs/\(id)/rollback`", at: Int64(Date().timeIntervalSince1970 * 1000))
            claim.release()
            return try JSONBody.response(CancelAnswer(runId: id, status: "aborted", message: message))
        }
        let known = self.upgradeSources.withLock { $0[id] }
        guard let release = body.release ?? known?.release, let env = body.env ?? known?.env else {
            throw APIError(.badRequest, QuickupError.Code.invalidArgument.rawValue,
                           "continuing upgrade \(id) needs its release and env.yaml: this server did not start it",
                           hint: "send `release` (the store id) and `env` (the env.yaml path) as the upgrade was started with")
        }
        var input = UpgradeOperation.Input(release: try self.store.zip(release), env: env)
        input.resume = id
        input.verified = true
        return try await self.startUpgrade(input, source: UpgradeSource(release: release, env: env), continuing: id, claim: claim)
    }

    /// Starts (or, with `continuing`, resumes under its own id) an upgrade; 202 once it is
    /// recorded and past the site lock, 409 naming the holder when the lock refused it. `claim`
    /// (a continuation's) is given back when its work ends or it does not start.
    func startUpgrade(_ input: UpgradeOperation.Input, source: UpgradeSource, continuing: String?,
                      claim: ContinuationClaims.Claim?) async throws -> Response {
        let id = continuing ?? RunIdentifier.make()
        let startedHere = Shared<Bool>(false)
        let response: Response
        do {
            let begun = try continuing.map { try continuationBegun($0, startedHere: startedHere) }
            response = try await start(dryRun: false, command: continuing == nil ? "upgrade" : "upgrade continued", id: id, resumes: continuing,
                                       begun: begun) { output, runID in
                var input = input
                if continuing == nil { input.runID = runID }
                let board = output.board
                let context = UpgradeContext(stateDirectory: self.state, output: output, taskOutput: { RunOutput(console: nil, board: board) })
                let prepared = try UpgradeOperation(state: self.state).prepare(
                    input, context: context, historyHint: "`GET /v1/runs` lists the runs", cache: self.store.cache,
                    resumeCommand: { "POST /v1/runs/\($0)/resume" }, rollbackCommand: { "POST /v1/runs/\($0)/rollback" }, pausedWays: Self.pausedWays)
                return {
                    let result = await prepared.run()
                    startedHere.value.withLock { $0 = result.started }
                    claim?.release()
                    var run = RunResult(runID: result.runID, status: result.status)
                    run.error = result.error
                    return run
                }
            }
        } catch {
            claim?.release()
            throw error
        }
        upgradeSources.withLock { $0[id] = source }
        return response
    }

    /// When a continued upgrade has begun: its record left the status it was continued from
    /// (awaiting_verification, or what it was resumed from) and it is this continuation that
    /// moved it — it holds the site lock, or it ended having started. A CLI resume that moved the
    /// run while this one was refused the lock is not a start (409, not 202).
    private func continuationBegun(_ id: String, startedHere: Shared<Bool>) throws -> (RunRecord) -> Bool {
        let before = try journal.run(id)?.status
        let journal = self.journal
        return { record in
            guard record.status != before else { return false }
            if startedHere.value.withLock({ $0 }) { return true }
            let holders = (try? journal.lockHolders()) ?? []
            return holders.contains { $0.runID == id && $0.pid == getpid() && $0.host == ProcessInfo.processInfo.hostName }
        }
    }
}
