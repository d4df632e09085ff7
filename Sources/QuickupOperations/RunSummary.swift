import Foundation
import QuickupCore
import QuickupRun

/// `run|resume|rollback --json` and the API's finished-run answer: what a script needs from a
/// finished run (C, H2).
public struct RunSummary: Codable, Sendable {
    public struct Counts: Codable, Sendable {
        public var succeeded: Int
        public var skipped: Int
        public var failed: Int
    }
    public struct StageTime: Codable, Sendable {
        public var stage: String
        public var durationMs: Int64
    }
    public struct Problem: Codable, Sendable {
        public var code: String
        public var message: String
        public var file: String?
        public var line: Int?
        public var hint: String?
    }

    public var command: String
    public var runId: String
    public var status: String
    public var dryRun: Bool
    public var counts: Counts
    public var durationMs: Int64
    public var stages: [StageTime]
    public var tasks: [TaskOutcome]
    public var error: Problem?
    /// The command that continues, exactly as to type it (absent when nothing is left to do).
    public var next: String?
    public var logs: String?

    public init(command: String, result: RunResult, dryRun: Bool, state: String, next: String?) {
        self.command = command
        runId = result.runID
        status = result.status.rawValue
        self.dryRun = dryRun
        counts = Counts(succeeded: result.succeeded, skipped: result.skipped, failed: result.failed)
        durationMs = Self.milliseconds(result.total)
        stages = result.stageDurations.map { StageTime(stage: $0.0.rawValue, durationMs: Self.milliseconds($0.1)) }
        tasks = result.tasks
        error = result.error.map { Problem(code: $0.code.rawValue, message: $0.message, file: $0.location?.file,
                                           line: $0.location?.line, hint: $0.hint) }
        self.next = result.error == nil ? nil : next
        let directory = "\(state)/runs/\(result.runID)"
        logs = FileManager.default.fileExists(atPath: directory) ? directory : nil
    }

    public static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
