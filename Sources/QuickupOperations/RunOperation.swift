import Foundation
import QuickupCore
import QuickupRelease
import QuickupRun

/// One core, two front ends (H2): what `quickup run`/`resume` and `POST /v1/runs` both do to
/// start a run — open the journal, build the request, hand it to the executor. The front end
/// only chooses where the lines go (terminal board, SSE; the log files are always written).
public struct RunOperation: Sendable {
    public var state: String

    public init(state: String) { self.state = state }

    /// A run ready to go: `run()` executes it (cancel the calling task to stop it cleanly).
    public struct Prepared: Sendable {
        public let executor: Executor<ContinuousClock>
        public let request: RunRequest

        public func run() async -> RunResult { await executor.run(request) }
    }

    public func prepare(workspace: Workspace, plan: Plan, stages: [Stage], dryRun: Bool,
                        confirmRerun: Set<String> = [], acceptChanged: Set<String> = [], resumes: String?,
                        output: RunOutput, resumeCommand: @escaping @Sendable (String) -> String,
                        pausedWays: PausedUpgradeWays, runID: String? = nil) throws(QuickupError) -> Prepared {
        guard let environment = workspace.environment else {
            throw QuickupError(.invalidArgument, "running needs --env with the site's datasources")
        }
        let journal = try Journal(stateDirectory: state)
        let context = RunContext(stateDirectory: state, clock: ContinuousClock(), output: output)
        var request = RunRequest(plan: plan, releaseRoot: workspace.releaseRoot, environment: environment, stages: stages,
                                 dryRun: dryRun, confirmRerun: confirmRerun, acceptChanged: acceptChanged,
                                 resumes: resumes, plugins: workspace.plugins)
        request.resumeCommand = resumeCommand
        request.pausedWays = pausedWays
        request.backupTables = workspace.release.backupTablesByComponent
        request.runID = runID
        return Prepared(executor: Executor(journal: journal, context: context), request: request)
    }
}

/// `run --stage S|all` and the API's `stage` field: one stage or all of them.
public enum StageSelection {
    public static func parse(_ text: String) throws(QuickupError) -> [Stage] {
        if text == "all" { return Stage.allCases }
        guard let stage = Stage(rawValue: text) else {
            throw QuickupError(.invalidArgument, "invalid value '\(text)' for --stage", hint: "expected \(Stage.expectedList) or all")
        }
        return [stage]
    }
}
