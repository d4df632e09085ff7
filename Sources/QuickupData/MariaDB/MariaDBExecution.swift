import CMariaDB
import QuickupCore

/// One statement to send, and where it comes from for messages.
struct MariaDBWork: Sendable {
    var sql: String
    var location: SourceLocation?
    /// Builds the statement when it is reached (a SUCCESS row carrying the measured duration);
    /// `sql` then only names it in messages.
    var build: (@Sendable () -> String)?
    /// Runs on the connection's queue in place of a statement (the journal's mirror of an
    /// upgrade_log row just written); an error stops the run like a failed statement.
    var local: (@Sendable () throws(QuickupError) -> Void)?
    /// Called on the queue once the statement's result came back without error (an upgrade_log
    /// row is known to be written).
    var completed: (@Sendable () -> Void)?

    init(sql: String, location: SourceLocation? = nil, build: (@Sendable () -> String)? = nil,
         local: (@Sendable () throws(QuickupError) -> Void)? = nil, completed: (@Sendable () -> Void)? = nil) {
        self.sql = sql
        self.location = location
        self.build = build
        self.local = local
        self.completed = completed
    }
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
        /// A `local` step failed.
        case localFailed(index: Int, QuickupError)
    }

    func run(_ sql: String, location: SourceLocation?, keepRows: Bool) async throws(QuickupError) -> MariaDBOutcome {
        try await run([MariaDBWork(sql: sql, location: location)], keepRows: keepRows)
    }

    /// Sends the statements one after the other and reads all their results, on the session's
    /// queue. If the calling task is cancelled meanwhile, the running statement is killed on the
    /// server (MariaDBMonitor), no further one is sent, and `statementCancelled` is thrown.
    /// `rollbackFrom`: the index of a START TRANSACTION in `work`; a failure or cancellation after
    /// it sends ROLLBACK in the same trip (a connection the server dropped rolls back by itself).
    /// `meanwhile`: local work run on the queue once, while the server works on the first packet
    /// (after the work's end if nothing was sent; not at all if the trip never started).
    /// `arriving`: the attempt whose first packet (the first statements after the local steps)
    /// was sent ahead; it is read, not sent, and runs even if cancelled meanwhile — then killed.
    /// `sendNext`: called once everything succeeded, to send the next attempt's first packet.
    func run(_ work: [MariaDBWork], keepRows: Bool, rollbackFrom: Int? = nil,
             meanwhile: (@Sendable () -> Void)? = nil, arriving: ChainedAttempt? = nil,
             sendNext: (@Sendable (UnsafeMutablePointer<MYSQL>) -> SentAhead?)? = nil) async throws(QuickupError) -> MariaDBOutcome {
        guard let first = work.first else { return MariaDBOutcome(affected: 0, rows: []) }
        let endpoint = session.endpoint
        let claiming = arriving.map { attempt in ahead.withLock { $0?.attempt === attempt } } ?? false
        // Sent ahead but no longer waiting to be read: something else read it, so the server ran
        // it already. Sending it again would run its statements twice.
        if let arriving, arriving.sentRows != nil, !claiming {
            throw QuickupError(.datasourceProtocol, "the statements of this attempt were sent ahead on \(description) and read by another call",
                               hint: "a quickup defect: report it with the run's support bundle; upgrade_log shows what the server ran")
        }
        guard !Task.isCancelled || claiming else {
            throw MariaDBErrors.cancelled(sql: first.sql, location: first.location, endpoint: endpoint,
                                          fate: .cancelledBeforeStart, threadID: threadID)
        }
        let gate = self.gate
        let ticket = gate.issue()
        let result: Result<QueueResult, QuickupError> = await withTaskCancellationHandler {
            do throws(QuickupError) {
                return .success(try await session.perform { [self] mysql throws(QuickupError) in
                    var claim: SentAhead?
                    if let pending = ahead.withLock({ state in defer { state = nil }; return state }) {
                        if pending.attempt === arriving { claim = pending } else { Self.drain(mysql, pending) }
                    }
                    let result = Self.runOnQueue(mysql, work, keepRows: keepRows, gate: gate, ticket: ticket, meanwhile: meanwhile,
                                                 claim: claim) { monitor.stop(ticket, on: session, gate: gate) }
                    Self.rollBackIfNeeded(mysql, result, from: rollbackFrom)
                    let restored = Self.restoreDatabase(mysql, endpoint.config.database, after: work, result)
                    if case .done = restored, !gate.isCancelled(ticket), let sent = sendNext?(mysql) {
                        ahead.withLock { $0 = sent }
                    }
                    return restored
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
        case .localFailed(_, let error):
            throw error
        case .notSent(let index):
            throw MariaDBErrors.cancelled(sql: work[index].sql, location: work[index].location, endpoint: endpoint,
                                          fate: fate == .connectionClosed ? fate : .cancelledBeforeStart,
                                          threadID: threadID)
        }
    }

    /// On the session's queue: the loop over the statements, between which cancellation is checked.
    /// Statements that may share a packet go together (MariaDBPacket) when no rows are kept.
    /// `claim`: the first packet after the local steps was sent ahead; it is read, not sent
    /// (`kill` gets it stopped when it was cancelled before this point).
    private static func runOnQueue(_ mysql: UnsafeMutablePointer<MYSQL>, _ work: [MariaDBWork], keepRows: Bool,
                                   gate: MariaDBStatementGate, ticket: MariaDBStatementGate.Ticket,
                                   meanwhile: (@Sendable () -> Void)?, claim: SentAhead?, kill: () -> Void) -> QueueResult {
        if claim != nil {
            if gate.startSent(ticket) { kill() }
        } else {
            guard gate.start(ticket) else { return .notSent(index: 0) }
        }
        defer { gate.finish(ticket) }
        var meanwhile = meanwhile
        defer { meanwhile?() }
        var claim = claim
        var total = MariaDBOutcome(affected: 0, rows: [])
        let shareable = work.map { !keepRows && $0.local == nil && MariaDBPacket.canShare($0.sql) }
        var index = 0
        while index < work.count {
            if index > 0, claim == nil, gate.isCancelled(ticket) { return .notSent(index: index) }
            let item = work[index]
            if let local = item.local {
                do throws(QuickupError) { try local() } catch {
                    if let pending = claim { drain(mysql, pending) }
                    return .localFailed(index: index, error)
                }
                index += 1
                continue
            }
            let started = ContinuousClock.now
            if let sent = claim {
                claim = nil
                let first = index
                if let failure = sent.failure { return .failed(index: first, failure, seconds: 0) }
                guard first + sent.count <= work.count else {
                    drain(mysql, sent)
                    return .localFailed(index: first, QuickupError(
                        .datasourceProtocol, "the statements sent ahead for this attempt are not the attempt's own (\(sent.count) sent, \(work.count - first) to run)",
                        hint: "a quickup defect: report it with the run's support bundle; upgrade_log shows what the server ran"))
                }
                meanwhile?()
                meanwhile = nil
                let outcome = mysql_read_query_result(mysql) == 0
                    ? MariaDBClient.readPacket(mysql, count: sent.count) { offset in work[first + offset].completed?() }
                    : MariaDBClient.PacketOutcome(failure: MariaDBServerError(mysql))
                total.affected += outcome.affected
                if let failure = outcome.failure {
                    return .failed(index: first + outcome.completed, failure, seconds: seconds(since: started))
                }
                index = first + sent.count
                continue
            }
            let end = MariaDBPacket.end(of: work, from: index, shareable: shareable)
            if end - index > 1 {
                let first = index
                let texts = work[first..<end].map { $0.build?() ?? $0.sql }
                let outcome = MariaDBClient.runPacket(mysql, texts, meanwhile: meanwhile) { offset in work[first + offset].completed?() }
                meanwhile = nil
                total.affected += outcome.affected
                if let failure = outcome.failure {
                    return .failed(index: first + outcome.completed, failure, seconds: seconds(since: started))
                }
                total.rows = []
                index = end
                continue
            }
            do {
                defer { meanwhile = nil }
                let (affected, rows) = try MariaDBClient.run(mysql, item.build?() ?? item.sql, keepRows: keepRows, meanwhile: meanwhile)
                total.affected += affected
                total.rows = rows
                item.completed?()
            } catch {
                return .failed(index: index, error, seconds: seconds(since: started))
            }
            index += 1
        }
        return .done(total)
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = (ContinuousClock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }

    /// After statements that may have switched the session's default database (a script's
    /// `USE other_db`, which vendor scripts often say): back to the datasource's own, so that the
    /// next script runs where env.yaml says (issue 13 item 4). Connector/C follows the server's
    /// schema tracking in `mysql->db`; a USE statement is also looked for in case the server does
    /// not track it. A failure to switch back on a connection that ran everything is an error:
    /// the next script would run in the wrong database.
    private static func restoreDatabase(_ mysql: UnsafeMutablePointer<MYSQL>, _ database: String?,
                                        after work: [MariaDBWork], _ result: QueueResult) -> QueueResult {
        guard let database, !database.isEmpty else { return result }
        let current = mysql.pointee.db.map { String(cString: $0) }
        guard current != database || work.contains(where: { mayChangeDatabase($0.sql) }) else { return result }
        let failed = database.withCString { mysql_select_db(mysql, $0) } != 0
        guard failed, case .done = result else { return result }
        return .localFailed(index: work.count - 1, QuickupError(
            .statementFailed,
            "cannot switch back to database '\(database)' after the script: \(MariaDBServerError(mysql).description)",
            hint: "the script may have dropped or renamed the datasource's database; check env.yaml and the server"))
    }

    /// Whether a statement may be a `USE` (its first word, after blanks or a `/*!` version comment).
    /// Read as bytes: it is asked of every statement sent, the upgrade_log rows too.
    static func mayChangeDatabase(_ sql: String) -> Bool {
        var text = Substring(sql).utf8
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        text = text.drop(while: isBlank)
        if text.starts(with: "/*!".utf8) || text.starts(with: "/*M!".utf8) {
            text = text.drop(while: { $0 != UInt8(ascii: "!") }).dropFirst()
                .drop(while: { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == 0x20 })
        }
        var word = text.makeIterator()
        for letter in "USE".utf8 {
            guard let byte = word.next(), byte & 0xDF == letter else { return false }
        }
        guard let next = word.next() else { return false }
        return isBlank(next) || next == UInt8(ascii: "`")
    }

    /// After a transaction's statement failed or was cancelled: ROLLBACK at once, on the queue.
    private static func rollBackIfNeeded(_ mysql: UnsafeMutablePointer<MYSQL>, _ result: QueueResult, from start: Int?) {
        guard let start else { return }
        switch result {
        case .done: return
        case .failed(let index, _, _), .notSent(let index), .localFailed(let index, _):
            guard index > start else { return }
        }
        // Its own error would hide the statement's: a dead connection has rolled back anyway.
        _ = try? MariaDBClient.run(mysql, "ROLLBACK", keepRows: false)
    }
}
