import CMariaDB
import QuickupCore

/// Several statements sent to the server in one packet (CLIENT_MULTI_STATEMENTS) and their results
/// read back in order: one round trip instead of one per statement (E12). A task of a few short
/// statements otherwise spends as long waiting for replies as the server spends working.
///
/// Only statements that give exactly one result and contain no `;` share a packet, so the n-th
/// result is the n-th statement and a failure still names its own file:line (D2). The server stops
/// at the first failing statement of a packet and runs nothing after it, as it does when
/// statements are sent one by one.
enum MariaDBPacket {
    /// Bounds a packet far below any server's max_allowed_packet (4 MiB on MySQL 5.7).
    static let maxBytes = 256 * 1024
    static let maxStatements = 1_000

    /// First words of statements that return one result (an OK or one result set) and need
    /// nothing from the client. Not CALL (a result set per SELECT in the procedure), not LOAD
    /// (LOCAL INFILE asks the client for a file), not compound blocks.
    private static let oneResult: Set<String> = [
        "CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE", "REPLACE", "RENAME", "TRUNCATE",
        "SET", "START", "COMMIT", "GRANT", "REVOKE",
    ]

    /// Whether `sql` may share a packet with others.
    static func canShare(_ sql: String) -> Bool {
        guard sql.utf8.count <= maxBytes, !sql.utf8.contains(UInt8(ascii: ";")) else { return false }
        guard let first = ImplicitCommit.leadingWords(sql, count: 1).first else { return false }
        return oneResult.contains(first)
    }

    /// The end (exclusive) of the packet that starts at `start`: at least `start + 1`. Local
    /// steps end a packet; a statement built when reached may only open one (it is built then).
    static func end(of work: [MariaDBWork], from start: Int, shareable: [Bool]) -> Int {
        guard shareable[start], work[start].local == nil else { return start + 1 }
        var end = start + 1
        var bytes = work[start].sql.utf8.count
        while end < work.count, end - start < maxStatements, shareable[end],
              work[end].local == nil, work[end].build == nil {
            bytes += work[end].sql.utf8.count + 2
            guard bytes <= maxBytes else { break }
            end += 1
        }
        return end
    }
}

extension MariaDBClient {
    /// How a packet ended: the statements done (their affected rows), and the failure if any at
    /// `completed` (the index within the packet of the statement that failed).
    struct PacketOutcome {
        var affected: Int64 = 0
        var completed = 0
        var failure: MariaDBServerError?
    }

    /// Sends `statements` as one packet and reads one result per statement, dropping any rows.
    /// `onCompleted(i)` is called as statement i's result arrives without error; `meanwhile`
    /// once the packet is sent, before the first result is read.
    static func runPacket(_ mysql: UnsafeMutablePointer<MYSQL>, _ statements: [String], meanwhile: (() -> Void)? = nil,
                          onCompleted: (Int) -> Void) -> PacketOutcome {
        guard query(mysql, statements.joined(separator: ";\n"), meanwhile: meanwhile) else {
            return PacketOutcome(failure: MariaDBServerError(mysql))
        }
        return readPacket(mysql, count: statements.count, onCompleted: onCompleted)
    }

    /// Reads the results of a packet of `count` statements whose first result has arrived
    /// (`mysql_real_query` or `mysql_read_query_result` returned without error).
    static func readPacket(_ mysql: UnsafeMutablePointer<MYSQL>, count: Int, onCompleted: (Int) -> Void) -> PacketOutcome {
        var outcome = PacketOutcome()
        while true {
            if let result = mysql_use_result(mysql) {
                while mysql_fetch_row(result) != nil {}
                mysql_free_result(result)
                if mysql_errno(mysql) != 0 {
                    outcome.failure = MariaDBServerError(mysql)
                    return outcome
                }
            } else if mysql_field_count(mysql) != 0 {
                outcome.failure = MariaDBServerError(mysql)
                return outcome
            } else {
                let count = mysql_affected_rows(mysql)
                if count != UInt64.max { outcome.affected += Int64(clamping: count) }
            }
            onCompleted(outcome.completed)
            // Never past the last statement, should the server ever count differently.
            outcome.completed = min(outcome.completed + 1, count - 1)
            let next = mysql_next_result(mysql)
            if next == -1 { break }
            if next > 0 {
                outcome.failure = MariaDBServerError(mysql)
                return outcome
            }
        }
        outcome.completed = count
        return outcome
    }
}
