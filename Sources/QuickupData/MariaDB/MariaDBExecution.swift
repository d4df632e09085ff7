import CMariaDB
import QuickupCore

/// One statement to send, and where it comes from for messages.
struct MariaDBWork: Sendable {
    var sql: String
    var location: SourceLocation?
}

/// What a run of statements gave back: affected rows summed, the rows of the last one.
struct MariaDBOutcome: Sendable {
    var affected: Int64
    var rows: [[String?]]
}

extension MariaDBConnection {
    /// How a run ended on the queue: `index` is the statement that failed or was not sent.
    private enum QueueResult: Sendable {
        case done(MariaDBOutcome)
        /// `seconds`: how long the failed statement ran (a read timeout looks like a lost connection).
        case failed(index: Int, MariaDBServerError, seconds: Double)
        case notSent(index: Int)
    }

    func run(_ sql: String, location: SourceLocation?, keepRows: Bool) async throws(QuickupError) -> MariaDBOutcome {
        try await run([MariaDBWork(sql: sql, location: location)], keepRows: keepRows)
    }

    /// Sends the statements one after the other and reads all their results, on the session's
    /// queue. If the calling task is cancelled meanwhile, the running statement is killed on the
    /// server (MariaDBMonitor), no further one is sent, and `statementCancelled` is thrown.
    func run(_ work: [MariaDBWork], keepRows: Bool) async throws(QuickupError) -> MariaDBOutcome {
        guard let first = work.first else { return MariaDBOutcome(affected: 0, rows: []) }
        let endpoint = session.endpoint
        guard !Task.isCancelled else {
            throw MariaDBErrors.cancelled(sql: first.sql, location: first.location, endpoint: endpoint,
                                          fate: .cancelledBeforeStart, threadID: threadID)
        }
        let gate = self.gate
        let ticket = gate.issue()
        let result: Result<QueueResult, QuickupError> = await withTaskCancellationHandler {
            do throws(QuickupError) {
                return .success(try await session.perform { mysql throws(QuickupError) in
                    Self.runOnQueue(mysql, work, keepRows: keepRows, gate: gate, ticket: ticket)
                })
            } catch {
                return .failure(error)
            }
        } onCancel: { [monitor, session] in
            if gate.cancel(ticket) { monitor.stop(ticket, on: session, gate: gate) }
        }
        let fate = gate.retire(ticket)
        let outcome = try result.get()
        switch outcome {
        case .done(let value) where fate == .notCancelled:
            return value
        case .failed(let index, let error, let seconds) where fate == .notCancelled:
            throw MariaDBErrors.statementFailed(error, sql: work[index].sql, location: work[index].location,
                                                endpoint: endpoint, seconds: seconds)
        case .done:
            // Once cancelled, the outcome is not trusted either way: the caller asked to stop and
            // the statement may have been cut anywhere (or finished just before the KILL arrived).
            let last = work[work.count - 1]
            throw MariaDBErrors.cancelled(sql: last.sql, location: last.location, endpoint: endpoint, fate: fate,
                                          threadID: threadID)
        case .failed(let index, _, _):
            throw MariaDBErrors.cancelled(sql: work[index].sql, location: work[index].location, endpoint: endpoint,
                                          fate: fate, threadID: threadID)
        case .notSent(let index):
            throw MariaDBErrors.cancelled(sql: work[index].sql, location: work[index].location, endpoint: endpoint,
                                          fate: fate == .connectionClosed ? fate : .cancelledBeforeStart,
                                          threadID: threadID)
        }
    }

    /// On the session's queue: the loop over the statements, between which cancellation is checked.
    private static func runOnQueue(_ mysql: UnsafeMutablePointer<MYSQL>, _ work: [MariaDBWork], keepRows: Bool,
                                   gate: MariaDBStatementGate, ticket: MariaDBStatementGate.Ticket) -> QueueResult {
        guard gate.start(ticket) else { return .notSent(index: 0) }
        defer { gate.finish(ticket) }
        var total = MariaDBOutcome(affected: 0, rows: [])
        for (index, item) in work.enumerated() {
            if index > 0, gate.isCancelled(ticket) { return .notSent(index: index) }
            let started = ContinuousClock.now
            do {
                let (affected, rows) = try MariaDBClient.run(mysql, item.sql, keepRows: keepRows)
                total.affected += affected
                total.rows = rows
            } catch {
                let elapsed = (ContinuousClock.now - started).components
                return .failed(index: index, error,
                               seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
            }
        }
        return .done(total)
    }
}
