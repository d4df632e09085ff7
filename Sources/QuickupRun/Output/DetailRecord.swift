import Foundation
import QuickupCore

/// One line of a run's `detail.jsonl` about a task, stage or the run itself (E10): enough to
/// follow every task without the journal — start, end, status, statement count, error and hint
/// (issue 14 item 5). Nil fields are left out of the line.
public struct DetailRecord: Encodable, Sendable {
    public var run: String
    public var event: String
    public var at: Int64
    public var task: String?
    public var component: String?
    public var version: String?
    public var stage: String?
    public var kind: String?
    public var datasource: String?
    public var attempt: Int?
    public var statements: Int?
    public var transactional: Bool?
    /// A SQL attempt sent to the server the moment the previous task succeeded, before quickup's
    /// own bookkeeping for either (issue 20.3, DeferredRecords): its journal rows follow its packet.
    public var sentAhead: Bool?
    public var status: String?
    public var durationMs: Int64?
    public var succeeded: Int?
    public var skipped: Int?
    public var failed: Int?
    public var message: String?
    public var error: String?
    public var hint: String?

    public init(run: String, event: String, at: Int64) {
        self.run = run
        self.event = event
        self.at = at
    }

    /// A record about `task`, with its identity filled in.
    public init(run: String, event: String, at: Int64, task: UpgradeTask, datasource: String?) {
        self.init(run: run, event: event, at: at)
        self.task = task.key
        component = task.component
        version = task.version.description
        stage = task.stage.rawValue
        kind = task.kind.rawValue
        self.datasource = datasource
    }

    /// The last line of a run or rollback: status, duration, counts, error and hint; `message`
    /// says when the run's record may be incomplete.
    static func runEnd(_ result: RunResult, message: String?, at: Int64) -> DetailRecord {
        var end = DetailRecord(run: result.runID, event: "run_end", at: at)
        end.status = result.status.rawValue
        end.durationMs = result.total.milliseconds
        (end.succeeded, end.skipped, end.failed) = (result.succeeded, result.skipped, result.failed)
        if let error = result.error { end.setFailure(error, status: result.status.rawValue) }
        end.message = message
        return end
    }

    /// Sets status, error and hint from a failure.
    public mutating func setFailure(_ error: QuickupError, status: String = "FAILED") {
        self.status = status
        self.error = error.message
        hint = error.hint
    }

    /// The record as one JSON line (without its newline), keys sorted and nil fields left out:
    /// byte for byte what JSONEncoder writes with `.sortedKeys, .withoutEscapingSlashes`, at a
    /// fraction of its cost — a run writes two of these per task (E12; DetailRecordTests).
    public var jsonLine: String {
        var fields = JSONText.Fields(opening: "{", first: "\"", next: ",\"", colon: "\":")
        // CodingKeys in byte order of their names.
        fields.number("at", at)
        fields.number("attempt", attempt)
        fields.quoted("component", component)
        fields.quoted("datasource", datasource)
        fields.number("duration_ms", durationMs)
        fields.quoted("error", error)
        fields.quoted("event", event)
        fields.number("failed", failed)
        fields.quoted("hint", hint)
        fields.quoted("kind", kind)
        fields.quoted("message", message)
        fields.quoted("run", run)
        fields.bool("sent_ahead", sentAhead)
        fields.number("skipped", skipped)
        fields.quoted("stage", stage)
        fields.number("statements", statements)
        fields.quoted("status", status)
        fields.number("succeeded", succeeded)
        fields.quoted("task", task)
        fields.bool("transactional", transactional)
        fields.quoted("version", version)
        return fields.text + "}"
    }

    enum CodingKeys: String, CodingKey {
        case run, event, at, task, component, version, stage, kind, datasource, attempt, statements, transactional, status
        case durationMs = "duration_ms"
        case sentAhead = "sent_ahead"
        case succeeded, skipped, failed, message, error, hint
    }
}
