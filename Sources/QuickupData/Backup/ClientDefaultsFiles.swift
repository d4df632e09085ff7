import Foundation
import QuickupCore

/// The private option files (`[client]` user and password, mode 0600) the Debian `mariadb` and
/// `mariadb-dump` clients read (F3). Each is removed when its client ends; a quickup killed with
/// `kill -9` while a client runs cannot, so the file's name carries the pid of the quickup that
/// wrote it, and the next quickup to write one removes those whose writer is gone.
enum ClientDefaultsFiles {
    static let prefix = "quickup-client-"

    /// A new file name in `directory` for this process.
    static func name(in directory: String, pid: pid_t = getpid()) -> String {
        "\(directory)\(directory.hasSuffix("/") ? "" : "/")\(prefix)\(pid)-\(UUID().uuidString).cnf"
    }

    /// Removes this user's option files in `directory` whose writing process no longer exists.
    /// Returns the paths removed.
    @discardableResult
    static func removeStale(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed: [String] = []
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".cnf") {
            guard let pid = pid_t(name.dropFirst(prefix.count).prefix { $0.isNumber }), pid > 0 else { continue }
            let path = "\(directory)\(directory.hasSuffix("/") ? "" : "/")\(name)"
            var info = stat()
            guard lstat(path, &info) == 0, info.st_uid == geteuid(), info.st_mode & S_IFMT == S_IFREG else { continue }
            // ESRCH: no such process. EPERM means it exists (another user's), so the file stays.
            if kill(pid, 0) != 0 && errno == ESRCH, unlink(path) == 0 { removed.append(path) }
        }
        return removed
    }
}
