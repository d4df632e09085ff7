import Foundation
import QuickupCore
import QuickupTools

/// MariaDB/MySQL tables kept by Debian's `mariadb-dump --single-transaction` (F3): a consistent
/// snapshot without locking InnoDB writers, a file in `backup.dir` that survives the server, and
/// the fastest restore of the ways measured (docs/PERFORMANCE.md). The password goes to the
/// client in a defaults file readable by the owner only, never on its command line.
struct MariaDBDump: Sendable {
    static let method = "mariadb-dump --single-transaction"
    var config: DatasourceConfig
    var secrets: SecretResolver

    func take(_ table: String, on connection: any DatasourceConnection, into directory: String) async throws(QuickupError) -> BackupManifest {
        let (schema, name) = DataBackup.split(table, database: config.database)
        guard let schema else {
            throw QuickupError(.invalidArgument, "cannot back up \(table) of \(config.name): no database named", at: config.location,
                               hint: "give the datasource a database in env.yaml or name the table schema.table")
        }
        let checksum = try await Self.checksum(table, on: connection)
        let rows = Int64(try await connection.scalar("SELECT COUNT(*) FROM `\(schema)`.`\(name)`") ?? "0") ?? 0
        let file = "\(DataBackup.safe(config.name))/\(DataBackup.safe(schema)).\(DataBackup.safe(name)).sql"
        let path = "\(directory)/\(file)"
        try Self.makeParent(of: path)
        try await client("mariadb-dump", ["--single-transaction", "--quick", "--skip-lock-tables", "--no-tablespaces",
                                          "--skip-dump-date", schema, name], stdin: nil, stdout: path)
        return BackupManifest(datasource: config.name, engine: config.type.rawValue, object: table, method: Self.method,
                              location: file, rows: rows, bytes: DataBackup.fileSize(path), checksum: checksum)
    }

    /// The dump drops and creates the table, then loads its rows: running it again is harmless —
    /// but not at the same time as another load of it. The client's standard input is the dump,
    /// locked (flock) before the client starts: the client inherits the lock and holds it until
    /// it ends, even when quickup is killed during the load, so a second restore (the rerun of a
    /// killed rollback) waits for the first client rather than racing its DROP and CREATE.
    func restore(_ manifest: BackupManifest, on connection: any DatasourceConnection, from directory: String,
                 waiting: @Sendable () -> Void = {}, loading: @Sendable () -> Void = {}) async throws(QuickupError) {
        let (schema, _) = DataBackup.split(manifest.object, database: config.database)
        try await client("mariadb", [schema ?? ""], stdin: "\(directory)/\(manifest.location)", stdout: nil, waiting: waiting, started: loading)
    }

    /// Takes the exclusive lock of the dump open as `descriptor`, calling `waiting` once when another holds it.
    static func lockDump(_ descriptor: Int32, path: String, waiting: () -> Void) async throws(QuickupError) {
        var told = false
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw QuickupError(.io, "cannot lock \(path): \(String(cString: strerror(errno)))", hint: "check backup.dir's file system")
            }
            if !told { waiting() }
            told = true
            do { try await Task.sleep(for: .milliseconds(100)) } catch {
                throw QuickupError(.cancelled, "waiting for an earlier restore of \(path) to end was cancelled")
            }
        }
    }

    /// `CHECKSUM TABLE`'s figure (the same the tests compare).
    static func checksum(_ table: String, on connection: any DatasourceConnection) async throws(QuickupError) -> String {
        let (schema, name) = DataBackup.split(table, database: connection.config.database)
        let rows = try await connection.query("CHECKSUM TABLE \(schema.map { "`\($0)`." } ?? "")`\(name)`")
        return (rows.first?.last ?? nil) ?? "NULL"
    }

    static func makeParent(of path: String) throws(QuickupError) {
        let parent = (path as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
            throw QuickupError(.io, "cannot create \(parent): \(error.localizedDescription)", hint: "check backup.dir's permissions")
        }
    }

    /// Runs the Debian client with a private defaults file holding the connection and password,
    /// its stdin or stdout a file. Through CommandProcess: cancelling the backup or rollback (Ctrl-C,
    /// the API's cancel) ends the client's process group instead of leaving a dump running.
    private func client(_ program: String, _ arguments: [String], stdin: String?, stdout: String?,
                        waiting: () -> Void = {}, started: @Sendable () -> Void = {}) async throws(QuickupError) {
        let defaults = try defaultsFile()
        defer { try? FileManager.default.removeItem(atPath: defaults) }
        var input: Int32?
        var output: Int32?
        defer {
            // The client has ended: let the next restore of this dump in this process have it.
            if let input { _ = flock(input, LOCK_UN); close(input) }
            if let output { close(output) }
        }
        if let stdin {
            let fd = open(stdin, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw QuickupError(.io, "cannot open \(stdin): \(String(cString: strerror(errno)))", hint: "check backup.dir") }
            input = fd
            try await Self.lockDump(fd, path: stdin, waiting: waiting)
        }
        if let stdout {
            let fd = open(stdout, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw QuickupError(.io, "cannot create \(stdout): \(String(cString: strerror(errno)))", hint: "check backup.dir's permissions and free space")
            }
            output = fd
        }
        let result: CommandProcess.Result
        do {
            result = try await CommandProcess.run(["/usr/bin/\(program)", "--defaults-extra-file=\(defaults)"] + arguments,
                                                  stdin: input, stdout: output, started: started)
        } catch where error.code == .io {
            throw QuickupError(.io, "cannot run /usr/bin/\(program) for \(config.displayName): \(error.message)", at: config.location,
                               hint: "install Debian's mariadb-client (scripts/deps.sh)")
        }
        guard result.succeeded else {
            throw QuickupError(.io, "\(program) \(arguments.joined(separator: " ")) on \(config.displayName) failed (exit \(result.status)): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).prefix(500))",
                               at: config.location, hint: "check the server and free space in backup.dir")
        }
    }

    private func defaultsFile() throws(QuickupError) -> String {
        var lines = ["[client]"]
        if let user = config.user { lines.append("user=\(Self.quoted(user))") }
        if let password = try secrets.secret(for: config.password, of: config.name) { lines.append("password=\(Self.quoted(password))") }
        if let socket = config.path, config.host == nil {
            lines.append("socket=\(Self.quoted(socket))")
        } else {
            lines.append("host=\(config.host ?? "127.0.0.1")")
            if let port = config.port { lines.append("port=\(port)") }
            lines.append("protocol=TCP")
        }
        ClientDefaultsFiles.removeStale(in: NSTemporaryDirectory())
        let path = ClientDefaultsFiles.name(in: NSTemporaryDirectory())
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw QuickupError(.io, "cannot create a private client defaults file in \(NSTemporaryDirectory())") }
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw QuickupError(.io, "cannot write the client defaults file \(path)") }
        return path
    }

    /// A value in an option file: quoted, with `\` and `"` escaped.
    static func quoted(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
