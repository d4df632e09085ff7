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
            return try await self.startUpgrade(input, source: UpgradeSource(release: body.release, env: body.env), continuing: nil)
        }
        router.post("/v1/runs/:id/verification") { request, context in
            let id = try self.runID(context)
            let body = try await self.decode(VerificationBody.self, request)
            guard ["continue", "abort"].contains(body.decision) else {
                throw APIError(.badRequest, QuickupError.Code.invalidArgument.rawValue, "invalid decision '\(body.decision.prefix(40))'",
                               hint: "expected continue or abort")
            }
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
            return try await self.startUpgrade(input, source: UpgradeSource(release: release, env: env), continuing: id)
        }
    }

    /// Starts (or, with `continuing`, resumes under its own id) an upgrade; 202 once it is
    /// recorded and past the site lock, 409 naming the holder when the lock refused it.
    func startUpgrade(_ input: UpgradeOperation.Input, source: UpgradeSource, continuing: String?) async throws -> Response {
        let id = continuing ?? RunIdentifier.make()
        // A continued upgrade has begun once its record left awaiting_verification (or the
        // status it was resumed from).
        let before = try continuing.flatMap { try journal.run($0)?.status }
        let response = try await start(dryRun: false, command: continuing == nil ? "upgrade" : "upgrade continued", id: id, resumes: continuing,
                                       begun: continuing == nil ? nil : { $0.status != before }) { output, runID in
            var input = input
            if continuing == nil { input.runID = runID }
            let board = output.board
            let context = UpgradeContext(stateDirectory: self.state, output: output, taskOutput: { RunOutput(console: nil, board: board) })
            let prepared = try UpgradeOperation(state: self.state).prepare(
                input, context: context, historyHint: "`GET /v1/runs` lists the runs", cache: self.store.cache,
                resumeCommand: { "POST /v1/runs/\($0)/resume" }, rollbackCommand: { "POST /v1/runs/\($0)/rollback" })
            return {
                let result = await prepared.run()
                var run = RunResult(runID: result.runID, status: result.status)
                run.error = result.error
                return run
            }
        }
        upgradeSources.withLock { $0[id] = source }
        return response
    }
}
