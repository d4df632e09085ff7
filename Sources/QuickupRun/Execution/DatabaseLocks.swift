import Foundation
import QuickupCore
import QuickupData

/// The database half of E6's lock, held for the whole run on every datasource the plan writes
/// to, so two quickups with different state directories (or machines) cannot run at once:
/// - MariaDB/MySQL: `GET_LOCK` on a connection of its own; the server drops it when that
///   connection dies, so a killed quickup never leaves it behind.
/// - SQLite: an exclusive `flock` on `<database>.quickup-lock` beside the file, holding the
///   holder's run id, host, pid and start time; the kernel drops it when quickup exits.
actor DatabaseLocks {
    private var held: [any DatasourceConnection] = []
    private var lockName = ""
    private var files: [Int32] = []

    static func name(site: String) -> String { "quickup.upgrade.\(site)" }

    func acquire(plan: Plan, environment: Environment, holder: LockRecord,
                 connect: @Sendable (DatasourceConfig) async throws(QuickupError) -> any DatasourceConnection) async throws(QuickupError) {
        let used = Set(plan.tasks.compactMap(\.datasource))
        let lockName = Self.name(site: environment.site)
        for config in environment.datasources where used.contains(config.name) && config.type == .sqlite {
            guard let path = config.path else { continue }
            if let fd = try await SQLiteLockFile.takeSettled(database: path, holder: holder, datasource: config.name) { files.append(fd) }
        }
        let configs = environment.datasources.filter { used.contains($0.name) && ($0.type == .mariadb || $0.type == .mysql) }
        // One lock per server: datasources on the same host:port share it.
        var servers: Set<String> = []
        for config in configs where servers.insert("\(config.host ?? config.path ?? ""):\(config.port ?? 3306)").inserted {
            let connection = try await connect(config)
            let got = try await connection.scalar("SELECT GET_LOCK('\(lockName)', 0)")
            guard got == "1" else {
                let holderID = (try? await connection.scalar("SELECT IS_USED_LOCK('\(lockName)')")).flatMap { $0 }
                var who = "connection id \(holderID ?? "?")"
                if let id = holderID, Int(id) != nil,
                   let row = try? await connection.scalar("SELECT CONCAT(USER, '@', HOST, ', connected ', TIME, ' s ago') FROM information_schema.PROCESSLIST WHERE ID = \(id)") {
                    who += " (\(row))"
                }
                await connection.close()
                throw QuickupError(.locked, "site \(environment.site) is locked by another quickup run (lock: database GET_LOCK '\(lockName)' on \(config.displayName), held by \(who))",
                                   hint: "that run uses another state directory or machine: on the host named above, `quickup history --state DIR` names it; wait for it to finish — the server drops the lock when that quickup exits")
            }
            held.append(connection)
            self.lockName = lockName
        }
    }

    func release() async {
        for connection in held {
            // Released by name first: the server drops a closed connection's locks only when its
            // thread has seen the disconnect, so a run started right after this one (a resume in
            // the same process, the API's next run) could still find the lock taken. Should the
            // statement fail, the close below still drops it, a moment later.
            _ = try? await connection.scalar("SELECT RELEASE_LOCK('\(lockName)')")
            await connection.close()
        }
        held = []
        for fd in files { SQLiteLockFile.release(fd) }
        files = []
    }
}

/// E6 for SQLite datasources, which have no GET_LOCK: a lock file beside the database.
enum SQLiteLockFile {
    static func path(database: String) -> String {
        // The database's real path, so two spellings of one file (a symlink, `./x.db`) share a lock.
        let real = realpath(database, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        }
        return (real ?? database) + ".quickup-lock"
    }

    /// How long a lock whose file names no holder may take to settle: the holder is between
    /// taking the lock and writing its record, or has released it while a child process forked
    /// by this process at that moment (a tool, a client) still shares the descriptor until it
    /// execs — the kernel drops the `flock` only when that copy closes (seen under load: a run
    /// refused right after the previous one in the same process ended).
    static let settleTries = 50
    static let settleDelay = Duration.milliseconds(100)

    /// `take`, asked again while the lock is held but its file names no holder (see above).
    static func takeSettled(database: String, holder: LockRecord, datasource: String) async throws(QuickupError) -> Int32? {
        var tries = 0
        while true {
            switch try take(database: database, holder: holder, datasource: datasource) {
            case .held(let fd): return fd
            case .noDirectory: return nil
            case .busy(let who) where who.isEmpty && tries < settleTries:
                tries += 1
                do { try await Task.sleep(for: settleDelay) } catch { throw QuickupError(.cancelled, "waiting for the lock of datasource \(datasource) was cancelled") }
            case .busy(let who):
                throw QuickupError(.locked, "datasource \(datasource) is locked by another quickup run: \(who.isEmpty ? "holder unknown" : who) (lock: \(path(database: database)))",
                                   hint: "that run uses another state directory: wait for it to finish; the lock goes with its process, so it is never left behind")
            }
        }
    }

    enum Taken {
        case held(Int32)
        /// The database's directory does not exist — no run can use (or create) a database there,
        /// so there is nothing to share; the run then fails on connecting, recorded and
        /// resumable like any failed run (E4).
        case noDirectory
        /// Another holder has it; what its lock file says ("" when nothing).
        case busy(String)
    }

    static func take(database: String, holder: LockRecord, datasource: String) throws(QuickupError) -> Taken {
        let file = path(database: database)
        let fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0, errno == ENOENT { return .noDirectory }
        guard fd >= 0 else {
            throw QuickupError(.io, "cannot open the lock file \(file) of datasource \(datasource): \(String(cString: strerror(errno)))",
                               hint: "the directory of the SQLite database must be writable")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let text = String(decoding: FileManager.default.contents(atPath: file) ?? Data(), as: UTF8.self)
            close(fd)
            guard busy else { throw QuickupError(.io, "cannot lock \(file): \(String(cString: strerror(errno)))") }
            return .busy(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let text = "run \(holder.runID) on host \(holder.host), pid \(holder.pid), started \(Timestamps.text(holder.startedAt))\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        return .held(fd)
    }

    static func release(_ fd: Int32) {
        _ = ftruncate(fd, 0)
        close(fd)  // drops the flock
    }
}
