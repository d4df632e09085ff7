import GRDB
import QuickupCore

/// The journal half of E6's lock: one row per environment, taken in one transaction.
extension Journal {
    public enum LockOutcome: Sendable, Equatable {
        case acquired
        /// Another live run holds it.
        case held(LockRecord)
        /// The holder is gone (its process no longer runs on this host); taken over.
        case takenOver(from: LockRecord)
    }

    /// Takes the environment's lock for `lock.runID`. `isAlive` decides whether a holder still runs
    /// (injected so tests can say "dead" without killing anything).
    public func acquireLock(_ lock: LockRecord, isAlive: @Sendable (LockRecord) -> Bool) throws(QuickupError) -> LockOutcome {
        try write("take the run lock") { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM run_lock WHERE environment = ?", arguments: [lock.environment]) {
                let holder = Self.lock(row)
                if holder.runID == lock.runID, holder.host == lock.host, holder.pid == lock.pid { return .acquired }
                if isAlive(holder) { return .held(holder) }
                // The same run resumed by a new process (a whole upgrade keeps its id, issue 15):
                // its own dead holder is replaced, the run itself is not marked interrupted.
                if holder.runID == lock.runID {
                    try Self.insertLock(lock, db)
                    return .acquired
                }
                try db.execute(sql: "UPDATE run SET status = 'interrupted' WHERE id = ? AND status = 'running'", arguments: [holder.runID])
                try Self.insertLock(lock, db)
                return .takenOver(from: holder)
            }
            try Self.insertLock(lock, db)
            return .acquired
        }
    }

    public func releaseLock(environment: String, runID: String) throws(QuickupError) {
        try write("release the run lock") { db in
            try db.execute(sql: "DELETE FROM run_lock WHERE environment = ? AND run_id = ?", arguments: [environment, runID])
        }
    }

    public func lockHolder(environment: String) throws(QuickupError) -> LockRecord? {
        try read("read the run lock") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM run_lock WHERE environment = ?", arguments: [environment]).map(Self.lock)
        }
    }

    /// Every lock held, for `quickup unlock`.
    public func lockHolders() throws(QuickupError) -> [LockRecord] {
        try read("read the run locks") { db in try Row.fetchAll(db, sql: "SELECT * FROM run_lock ORDER BY environment").map(Self.lock) }
    }

    /// Removes `holder`'s lock if it still holds it (not one a new run took meanwhile) and marks
    /// its run interrupted: the way to break a stale lock by hand (E6).
    public func breakLock(_ holder: LockRecord, reason: String, at time: Int64) throws(QuickupError) -> Bool {
        try write("break the run lock") { db in
            try db.execute(sql: "DELETE FROM run_lock WHERE environment = ? AND run_id = ?", arguments: [holder.environment, holder.runID])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "UPDATE run SET status = 'interrupted', ended_at = ?, message = ? WHERE id = ? AND status = 'running'",
                           arguments: [time, reason, holder.runID])
            return true
        }
    }

    static func lock(_ row: Row) -> LockRecord {
        LockRecord(environment: row["environment"], runID: row["run_id"], host: row["host"], pid: row["pid"],
                   startedAt: row["started_at"], processStart: row["process_start"])
    }

    private static func insertLock(_ lock: LockRecord, _ db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO run_lock (environment, run_id, host, pid, started_at, process_start) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [lock.environment, lock.runID, lock.host, lock.pid, lock.startedAt, lock.processStart])
    }
}
