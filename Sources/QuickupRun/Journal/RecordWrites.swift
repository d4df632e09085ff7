import QuickupCore
import Synchronization

/// Record writes a run makes on its way out of a failure (a FAILED row, an event, the run's end)
/// must not stop the failure being reported, yet a failed one must not vanish either: each is
/// noted here, and the run's end says the record may be incomplete (E2, issue 14 item 7).
public final class RecordWrites: Sendable {
    private let failures = Mutex<[String]>([])

    public init() {}

    /// Runs `write`; a failure is noted as "<what>: <error>" and not thrown.
    public func attempt(_ what: @autoclosure () -> String, _ write: () throws(QuickupError) -> Void) {
        do { try write() } catch { note(what(), error) }
    }

    /// The same for an asynchronous write (upgrade_log on a datasource).
    public func attemptAsync(_ what: @autoclosure () -> String, _ write: () async throws(QuickupError) -> Void) async {
        do { try await write() } catch { note(what(), error) }
    }

    public func note(_ what: String, _ error: QuickupError) {
        failures.withLock { $0.append("\(what): \(error.message)") }
    }

    public var count: Int { failures.withLock { $0.count } }

    /// Failures noted after the first `start` ones (one context may serve several runs).
    public func since(_ start: Int) -> [String] {
        failures.withLock { Array($0.dropFirst(start)) }
    }

    /// Ends a run (or rollback) in the journal; its message names the writes that failed so far.
    func finishRun(_ runID: String, in journal: Journal, status: RunStatus, error: QuickupError?, at time: Int64, since start: Int) {
        let message = [error?.description, Self.summary(since(start))].compactMap { $0 }.joined(separator: "; ")
        attempt("the end of run \(runID) in the journal") { () throws(QuickupError) in
            try journal.finishRun(runID, status: status, at: time, message: message.isEmpty ? nil : message)
        }
    }

    /// The run's closing sentence about its record, nil when every write went through.
    public static func summary(_ failed: [String]) -> String? {
        guard let first = failed.first else { return nil }
        return "\(failed.count) record write\(failed.count == 1 ? "" : "s") failed (first: \(first)); "
            + "the journal and upgrade_log record of this run may be incomplete"
    }
}
