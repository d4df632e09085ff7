import Foundation
import QuickupCore
import QuickupRun

/// `quickup status|history` and `GET /v1/runs…` read the same journal the same way (H2): a run
/// whose quickup was killed shows as interrupted, and runs started by either front end show in both.
public struct RunQueries: Sendable {
    public var state: String
    /// An open journal to use (the server keeps one); nil opens the state directory's each time.
    public var shared: Journal?
    /// Whether to mark runs whose process is gone as interrupted before answering.
    public var marksDeadRuns = true

    public init(state: String, journal: Journal? = nil, marksDeadRuns: Bool = true) {
        self.state = state
        shared = journal
        self.marksDeadRuns = marksDeadRuns
    }

    /// A run, its task attempts and its events (`status --json`).
    public struct StatusReport: Codable, Sendable {
        public var run: RunRecord
        public var attempts: [AttemptRecord]
        public var events: [EventRecord]
    }

    public func journal() throws(QuickupError) -> Journal {
        let journal: Journal
        if let shared { journal = shared } else { journal = try Journal(stateDirectory: state) }
        guard marksDeadRuns else { return journal }
        // A run whose quickup was killed is interrupted, not running (issue 13 item 1).
        try journal.markDeadRunsInterrupted(host: ProcessInfo.processInfo.hostName, at: Int64(Date().timeIntervalSince1970 * 1000))
        return journal
    }

    /// The run `id`, or the latest when nil; `hint` says how to list the runs.
    public func status(_ id: String?, hint: String) throws(QuickupError) -> StatusReport {
        let journal = try journal()
        let record: RunRecord?
        if let id { record = try journal.run(id) } else { record = try journal.runs(limit: 1).first }
        guard var record else {
            throw QuickupError(.invalidArgument, id.map { "no run '\($0)' in \(state)" } ?? "no run recorded in \(state) yet", hint: hint)
        }
        record.planJSON = nil
        return StatusReport(run: record, attempts: try journal.attempts(run: record.id), events: try journal.events(run: record.id))
    }

    /// The runs, newest first, without their plans.
    public func history(limit: Int) throws(QuickupError) -> [RunRecord] {
        try journal().runs(limit: limit).map { run in
            var run = run
            run.planJSON = nil
            return run
        }
    }
}
