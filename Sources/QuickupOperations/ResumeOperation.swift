import Foundation
import QuickupCore
import QuickupRelease
import QuickupRun

/// What `quickup resume RUN` and `POST /v1/runs/{id}/resume` both look up first (E4, H2): the
/// run's upgrade and stages from the journal, so the same upgrade is planned again.
public struct ResumeOperation: Sendable {
    public var state: String

    public init(state: String) { self.state = state }

    public enum Target: Sendable {
        /// The run succeeded: nothing to resume.
        case succeeded(RunRecord)
        case resumable(RunRecord, from: Version, to: Version, stages: [Stage])
    }

    /// `hint` names the command (or request) that lists the runs.
    public func target(_ runID: String, hint: String) throws(QuickupError) -> Target {
        let journal = try Journal(stateDirectory: state)
        guard let previous = try journal.run(runID) else {
            throw QuickupError(.invalidArgument, "no run '\(runID)' in \(state)", hint: hint)
        }
        if previous.status == .succeeded { return .succeeded(previous) }
        let origin = SourceLocation(file: "journal run \(runID)")
        let from = try Version(parsing: previous.from, origin: origin)
        let to = try Version(parsing: previous.to, origin: origin)
        let stages = previous.stage == "all" ? Stage.allCases : previous.stage.split(separator: ",").compactMap { Stage(rawValue: String($0)) }
        return .resumable(previous, from: from, to: to, stages: stages)
    }
}
