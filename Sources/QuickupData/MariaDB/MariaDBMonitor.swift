import CMariaDB
import Dispatch
import QuickupCore

/// A second, short-lived-work connection beside a busy one: it kills the busy one's statement
/// (task cancelled) and reads its progress from PROCESSLIST. The main connection cannot do either
/// while it waits for its own statement.
///
/// Opened on first use and reopened after a failure (the server may have restarted). Like
/// MariaDBSession it confines its handle to its own serial queue, hence `@unchecked Sendable`:
/// `handle` and `closed` are touched only on `queue`.
final class MariaDBMonitor: @unchecked Sendable {
    /// Waits between KILL QUERY rounds; after the last the socket is shut down (see `stop`).
    static let killRetryDelays: [Double] = [1, 2, 3]

    private let endpoint: MariaDBEndpoint
    private let queue: DispatchQueue
    private var handle: MariaDBHandle?
    private var closed = false

    init(main endpoint: MariaDBEndpoint, label: String) {
        var side = endpoint
        // One quick try with short bounds: the monitor serves a caller that is already waiting.
        side.connectTimeout = min(endpoint.connectTimeout, .seconds(5))
        side.readTimeout = .seconds(10)
        self.endpoint = side
        self.queue = DispatchQueue(label: "quickup.mariadb.\(label).monitor")
    }

    /// Stops the statement `ticket` running on `session`: KILL QUERY at once, again after each
    /// of `killRetryDelays` while it still runs (a KILL that reached the server just before the
    /// statement did is ignored), then, as a last resort or when the server cannot be reached,
    /// shuts the session's socket down so the waiting read returns. Never blocks the caller.
    func stop(_ ticket: MariaDBStatementGate.Ticket, on session: MariaDBSession, gate: MariaDBStatementGate) {
        queue.async { self.killRound(ticket, session: session, gate: gate, round: 0) }
    }

    private func killRound(_ ticket: MariaDBStatementGate.Ticket, session: MariaDBSession,
                           gate: MariaDBStatementGate, round: Int) {
        guard gate.isRunning(ticket) else { return }
        let killed = !closed && rows("KILL QUERY \(session.threadID)") != nil
        guard killed, round < Self.killRetryDelays.count else {
            gate.closeSocketIfRunning(ticket, socket: session.socket)
            return
        }
        queue.asyncAfter(deadline: .now() + Self.killRetryDelays[round]) {
            self.killRound(ticket, session: session, gate: gate, round: round + 1)
        }
    }

    /// Progress (0…1) of what connection `threadID` runs, or nil when the server reports none.
    ///
    /// PROCESSLIST.PROGRESS is the percentage of the current stage (observed on 10.11: an
    /// `ALTER … ALGORITHM=COPY` shows stage 1 of 2 going 0→100, then stage 2 from 0), so the
    /// whole is ((STAGE − 1) + PROGRESS / 100) / MAX_STAGE. MAX_STAGE 0 means the statement
    /// reports no progress (a SELECT, a SLEEP): nil, rather than a misleading 0 %.
    func progress(of threadID: UInt) async -> Double? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Double?, Never>) in
            queue.async {
                guard !self.closed,
                      let row = self.rows("SELECT COMMAND, STAGE, MAX_STAGE, PROGRESS FROM information_schema.PROCESSLIST "
                                          + "WHERE ID = \(threadID)")?.first, row.count == 4,
                      row[0] != "Sleep",
                      let stage = row[1].flatMap(Double.init), let maxStage = row[2].flatMap(Double.init),
                      let percent = row[3].flatMap(Double.init), maxStage > 0
                else {
                    continuation.resume(returning: nil)
                    return
                }
                let whole = (max(stage - 1, 0) + percent / 100) / maxStage
                continuation.resume(returning: min(max(whole, 0), 1))
            }
        }
    }

    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.closed = true
                if let handle = self.handle { mysql_close(handle.pointer) }
                self.handle = nil
                continuation.resume()
            }
        }
    }

    /// On the queue: runs `sql` on the side connection, reconnecting once if the kept one broke.
    /// nil on any failure — the monitor's callers have a fallback and nobody to report to.
    private func rows(_ sql: String) -> [[String?]]? {
        for _ in 0..<2 {
            if handle == nil { handle = try? MariaDBClient.connect(endpoint) }
            guard let current = handle else { return nil }
            do {
                return try MariaDBClient.run(current.pointer, sql, keepRows: true).rows
            } catch {
                guard error.isConnectionLost else { return nil }
                mysql_close(current.pointer)
                handle = nil
            }
        }
        return nil
    }

    deinit {
        // Every queued block holds the monitor, so none is pending here.
        if let handle { mysql_close(handle.pointer) }
    }
}
