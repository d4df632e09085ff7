import Foundation

/// Processes of one process group, found through /proc: the fallback when no cgroup holds the
/// tool, and the way to catch what a tool left behind (T1: grandchildren included).
enum ProcessGroup {
    /// Pids whose process group is `pgid`.
    static func members(_ pgid: pid_t) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), let stat = self.stat(pid), stat.group == pgid, stat.state != "Z" else { return nil }
            return pid
        }
    }

    /// Kills the whole group until it is empty; returns how many processes were killed.
    static func killAll(_ pgid: pid_t) -> Int {
        // The usual case: the group is already empty, and scanning /proc would cost milliseconds.
        guard kill(-pgid, 0) == 0 else { return 0 }
        var killed = Set<pid_t>()
        for _ in 0..<50 {
            let pids = members(pgid)
            if pids.isEmpty { break }
            killed.formUnion(pids)
            kill(-pgid, SIGKILL)
            usleep(2_000)
        }
        return killed.count
    }

    /// Whether `pid` has ended (gone or a zombie waiting to be reaped).
    static func hasEnded(_ pid: pid_t) -> Bool {
        guard let stat = stat(pid) else { return true }
        return stat.state == "Z" || stat.state == "X"
    }

    /// State letter and process group from /proc/PID/stat (the name in parentheses may hold spaces).
    static func stat(_ pid: pid_t) -> (state: Character, group: pid_t)? {
        guard let text = KernelFile.read("/proc/\(pid)/stat"),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 3, let state = fields[0].first, let group = pid_t(fields[2]) else { return nil }
        return (state, group)
    }
}
