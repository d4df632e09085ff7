import Foundation
import QuickupAssess
import QuickupCore
import QuickupRelease
import QuickupRun
import QuickupUpgrade

/// What `quickup rollback RUN` and `POST /v1/runs/{id}/rollback` both do (F4, H2): plan the
/// run's upgrade again from the release and undo what it applied, newest first.
public struct RollbackOperation: Sendable {
    public var state: String

    public init(state: String) { self.state = state }

    public struct Prepared: Sendable {
        public let rollback: Rollback<ContinuousClock>
        public let request: RollbackRequest

        public func run() async -> RunResult { await rollback.run(request) }
    }

    /// `historyHint` names how to list the runs; `againCommand` how to run this rollback again.
    public func prepare(runID: String, release: String, env: String, dryRun: Bool = false,
                        undoneByHand: Set<String> = [], confirmRerun: Set<String> = [], restoreTables: Bool = false, output: RunOutput,
                        historyHint: String, againCommand: String, rollbackID: String? = nil,
                        cache: ReleaseCache? = nil, crashPoints: CrashPoints = CrashPoints(nil)) throws -> Prepared {
        let journal = try Journal(stateDirectory: state)
        guard let previous = try journal.run(runID) else {
            throw QuickupError(.invalidArgument, "no run '\(runID)' in \(state)", hint: historyHint)
        }
        guard previous.stage != "rollback" else {
            throw QuickupError(.invalidArgument, "\(runID) is itself a rollback", hint: "name the upgrade run it rolled back")
        }
        let origin = SourceLocation(file: "journal run \(runID)")
        let workspace = try Workspace.open(release: release, environment: env, cache: cache ?? .inState(state))
        guard let environment = workspace.environment else {
            throw QuickupError(.invalidArgument, "rolling back needs --env with the site's datasources")
        }
        let plan = try workspace.plan(from: try Version(parsing: previous.from, origin: origin),
                                      to: try Version(parsing: previous.to, origin: origin), site: previous.site)
        let context = RunContext(stateDirectory: state, clock: ContinuousClock(), output: output)
        var request = RollbackRequest(plan: plan, releaseRoot: workspace.releaseRoot, environment: environment, target: runID,
                                      dryRun: dryRun, undoneByHand: undoneByHand, confirmRerun: confirmRerun)
        request.againCommand = againCommand
        request.restoreTables = restoreTables
        request.backupTables = workspace.release.backupTablesByComponent
        request.runID = rollbackID
        request.crashPoints = crashPoints
        if previous.stage.hasPrefix("upgrade") {
            // A whole upgrade (F4): its services and program files go back in their phases, checked in verify.
            request.hostPhases += ProgramRollbackPhases(release: workspace.release, releaseRoot: workspace.releaseRoot, environment: environment,
                                                        from: plan.from, to: plan.to, stateDirectory: state).phases
        }
        request.hostPhases.append(Self.qualityPhase(AssessmentRequest(plan: plan, release: workspace.release, releaseRoot: workspace.releaseRoot,
                                                                      environment: environment, stateDirectory: state),
                                                    again: againCommand))
        return Prepared(rollback: Rollback(journal: journal, context: context), request: request)
    }

    /// Verify's data-quality rules (A2 again, F4): the rules of the upgrade's versions on the data
    /// as the rollback left it; a FAIL fails verify with its figures and the rule's suggestion.
    static func qualityPhase(_ assessment: AssessmentRequest, again: String) -> HostRollbackPhase {
        HostRollbackPhase(slot: .verify, title: "data-quality rules", hasWork: { false },
                          actions: { ["run the data-quality rules (A2) of \(assessment.plan.from) → \(assessment.plan.to) again on the data as it is back"] },
                          run: { step throws(QuickupError) in
                              let count = try await QualityRecheck.run(assessment, output: step.output, when: "after the rollback",
                                                                       next: "fix the data, then `\(again)` verifies again")
                              if count > 0 { step.output.line("[VERIFIED] data-quality rules: \(count) ran, none fails") }
                          })
    }
}
