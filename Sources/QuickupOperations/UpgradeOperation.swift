import Foundation
import QuickupCore
import QuickupRelease
import QuickupRun
import QuickupUpgrade

/// One core, two front ends (H2): what `quickup upgrade` and `POST /v1/upgrades` (and the API's
/// verification gate, which resumes a paused upgrade) both do — read the release and env.yaml,
/// plan the upgrade, refuse bad input before anything changes, and hand it to `Upgrade`. The
/// front end only chooses where the lines go and how the gate is answered (the context).
public struct UpgradeOperation: Sendable {
    public var state: String

    public init(state: String) { self.state = state }

    /// An upgrade ready to go: `run()` executes it (cancel the calling task to stop it cleanly).
    public struct Prepared: Sendable {
        public let upgrade: Upgrade
        public let request: UpgradeRequest

        public func run() async -> UpgradeResult { await upgrade.run(request) }
    }

    /// What the front end asks for. `resume` continues that upgrade run (its versions come from
    /// the journal); otherwise `from` and `to` are needed.
    public struct Input: Sendable {
        public var release: String
        public var env: String
        public var from: String?
        public var to: String?
        public var site: String?
        public var mode: UpgradeStrategy = .auto
        public var yes = false
        public var acceptWarnings = false
        public var resume: String?
        public var verified = false
        /// A new upgrade's id chosen by the front end (the API answers 202 with it).
        public var runID: String?

        public init(release: String, env: String) {
            self.release = release
            self.env = env
        }
    }

    /// `historyHint` names how to list the runs; `resumeCommand`/`rollbackCommand` how the
    /// front end's user continues or rolls back (L2); `pausedWays` how they go on from an upgrade
    /// of the site paused at the gate, which refuses this one.
    public func prepare(_ input: Input, context: UpgradeContext, historyHint: String, cache: ReleaseCache? = nil,
                        resumeCommand: @escaping @Sendable (String) -> String,
                        rollbackCommand: @escaping @Sendable (String) -> String, pausedWays: PausedUpgradeWays) throws -> Prepared {
        let journal = try Journal(stateDirectory: state)
        var versions = (input.from, input.to)
        if let resume = input.resume {
            guard let run = try journal.run(resume) else {
                throw QuickupError(.invalidArgument, "no run '\(resume)' in \(state)", hint: historyHint)
            }
            versions = (run.from, run.to)
        }
        guard let fromText = versions.0, let toText = versions.1 else {
            throw QuickupError(.invalidArgument, "from and to versions are needed (or the upgrade run to resume)", hint: "e.g. --from V2.16.7 --to V2.17.0")
        }
        let workspace = try Workspace.open(release: input.release, environment: input.env, cache: cache ?? .inState(state))
        guard let environment = workspace.environment else { throw QuickupError(.invalidArgument, "upgrading needs the site's env.yaml") }
        let from = try Version(parsing: fromText, origin: SourceLocation(file: "--from"))
        let to = try Version(parsing: toText, origin: SourceLocation(file: "--to"))
        let plan = try workspace.plan(from: from, to: to, site: workspace.site(input.site))
        // Bad input (hosts running nothing, missing packages, services without start or install_dir)
        // is refused with file:line before anything changes (exit 2, HTTP 400).
        _ = try UpgradeScope.build(release: workspace.release, releaseRoot: workspace.releaseRoot, environment: environment, from: from, to: to)
        var request = UpgradeRequest(release: workspace.release, releaseRoot: workspace.releaseRoot, environment: environment, plan: plan,
                                     plugins: workspace.plugins, mode: input.mode, yes: input.yes, verified: input.verified, resume: input.resume)
        request.runID = input.runID
        request.acceptWarnings = input.acceptWarnings
        request.resumeCommand = resumeCommand
        request.rollbackCommand = rollbackCommand
        request.pausedWays = pausedWays
        return Prepared(upgrade: Upgrade(journal: journal, context: context), request: request)
    }

    /// The gate's "no" (F1): the paused upgrade `runID` is recorded cancelled with who refused
    /// and why; it stays resumable, and `quickup rollback` puts the site back.
    public func refuseVerification(_ runID: String, note: String?, rollbackHint: String, at time: Int64) throws(QuickupError) -> String {
        let journal = try Journal(stateDirectory: state)
        guard let run = try journal.run(runID), run.status == .awaitingVerification else {
            throw QuickupError(.invalidArgument, "upgrade \(runID) is not waiting at the verification gate")
        }
        let message = "verification refused" + (note.map { ": \($0.prefix(500))" } ?? "")
        try journal.finishRun(runID, status: .cancelled, at: time, message: message)
        return "upgrade \(runID) stopped at the gate (\(message)); \(rollbackHint) puts the site back"
    }
}
