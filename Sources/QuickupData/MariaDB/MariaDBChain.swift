import CMariaDB
import QuickupCore

/// An attempt's first packet sent ahead and not read yet (ChainedAttempt): how many results it
/// gives, or why it could not be sent.
struct SentAhead: Sendable {
    let attempt: ChainedAttempt
    let count: Int
    let failure: MariaDBServerError?
}

extension MariaDBConnection {
    /// On the queue, right after an attempt's last result: sends `next`'s first packet — exactly
    /// the one `runAttempt` would send for it — and returns without reading its answer.
    static func sendAhead(_ mysql: UnsafeMutablePointer<MYSQL>, _ next: ChainedAttempt, finished: UpgradeLogEntry,
                          table: String) -> SentAhead {
        let rows = next.rows(finished)
        let work = attemptWork(next.statements, rows: rows, table: table, transactional: next.transactional, success: nil,
                               recorded: nil).work
        let end = MariaDBPacket.end(of: work, from: 0, shareable: work.map { MariaDBPacket.canShare($0.sql) })
        var text = work[0].sql
        for item in work[1..<end] {
            text += ";\n"
            text += item.sql
        }
        next.markSent(rows)
        let sent = text.withCString { mysql_send_query(mysql, $0, UInt(text.utf8.count)) } == 0
        return SentAhead(attempt: next, count: end, failure: sent ? nil : MariaDBServerError(mysql))
    }

    /// On the queue, before anything else is sent: a packet sent ahead that its attempt never
    /// claimed is read to its end (its outcome is the server's record: upgrade_log shows the
    /// attempt RUNNING or FAILED as it ended), so the connection stays in step.
    static func drain(_ mysql: UnsafeMutablePointer<MYSQL>, _ pending: SentAhead) {
        guard pending.failure == nil, mysql_read_query_result(mysql) == 0 else { return }
        _ = MariaDBClient.readPacket(mysql, count: pending.count) { _ in }
    }
}
