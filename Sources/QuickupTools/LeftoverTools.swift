import Foundation

/// A tool quickup started, as recorded in the journal while it runs (issue 13 item 1): enough to
/// find it again after quickup itself was killed — the tool's main process (pid + start time;
/// its pid is also its process group and session, T1), its cgroups, and the quickup process
/// that owns it.
public struct RunningTool: Sendable, Hashable, Codable {
    public var runID: String
    public var name: String
    public var host: String
    public var process: ProcessIdentity
    public var cgroups: [String]
    public var owner: ProcessIdentity
    public var startedAt: Int64

    public init(runID: String, name: String, host: String, process: ProcessIdentity, cgroups: [String],
                owner: ProcessIdentity, startedAt: Int64) {
        self.runID = runID
        self.name = name
        self.host = host
        self.process = process
        self.cgroups = cgroups
        self.owner = owner
        self.startedAt = startedAt
    }
}

/// What a dead quickup left running, found and stopped before anything runs again: otherwise
/// the next run starts a second copy of a tool beside the first (issue 13 item 1).
public enum LeftoverTools {
    public struct Stopped: Sendable, Equatable {
        /// Processes killed.
        public var killed: [pid_t] = []
        /// Processes that would not die (another user's, or unkillable): the run must not start.
        public var survivors: [pid_t] = []
        /// Empty cgroup directories removed.
        public var removedGroups = 0
    }

    /// Stops every process of `tool` — its cgroups' members, its process group and session — and
    /// removes its cgroups. The caller has checked that its owner no longer runs.
    public static func stop(_ tool: RunningTool) -> Stopped {
        var stopped = Stopped()
        for group in tool.cgroups { stopped.merge(LeftoverGroups.empty(group)) }
        // The kernel keeps a pid from being reused while a group or session has that id, so
        // members of group/session `pid` are the tool's own — unless its main process is gone
        // and the pid now names a different process, which may lead a group of its own.
        let leader = tool.process
        if leader.liveness != .reused {
            stopped.merge(killMembers { $0.group == leader.pid || $0.session == leader.pid })
        }
        return stopped
    }

    /// Kills the processes whose stat matches until none is left (a forking tool adds members
    /// while we kill); the survivors are those that could not be killed.
    static func killMembers(_ matches: (ProcessStat) -> Bool) -> Stopped {
        func members() -> [pid_t] { liveProcesses().filter { $0.pid != getpid() && matches($0.stat) }.map(\.pid) }
        var killed = Set<pid_t>()
        for _ in 0..<50 {
            let pids = members()
            if pids.isEmpty { break }
            for pid in pids where kill(pid, SIGKILL) == 0 { killed.insert(pid) }
            usleep(2_000)
        }
        var stopped = Stopped()
        stopped.killed = killed.sorted()
        stopped.survivors = members()
        return stopped
    }

    static func liveProcesses() -> [(pid: pid_t, stat: ProcessStat)] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry in
            guard let pid = pid_t(entry), let stat = ProcessStat.read(pid), stat.state != "Z", stat.state != "X" else { return nil }
            return (pid, stat)
        }
    }
}

extension LeftoverTools.Stopped {
    mutating func merge(_ other: Self) {
        killed = Array(Set(killed + other.killed)).sorted()
        survivors = Array(Set(survivors + other.survivors)).sorted()
        removedGroups += other.removedGroups
    }
}

/// Tool cgroups are named after the quickup process that made them, so groups a killed quickup
/// left behind are found (and emptied, and removed) even without its journal.
public enum LeftoverGroups {
    static let marker = ".quickup-"

    /// `tool.quickup-PID-STARTTICKS-RANDOM`: the tool for people, its owner for the sweep.
    static func groupName(tool: String) -> String {
        let safe = tool.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }.prefix(60)
        let ticks = ProcessIdentity.current.start?.split(separator: ":").last.map(String.init) ?? "0"
        return "\(safe)\(marker)\(getpid())-\(ticks)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// The owner named by a group's name; nil for names quickup did not make. Groups of older
    /// quickups (`tool-PID-RANDOM`) name only the pid.
    static func owner(ofGroup name: String) -> ProcessIdentity? {
        if let range = name.range(of: marker, options: .backwards) {
            let parts = name[range.upperBound...].split(separator: "-")
            guard parts.count == 3, let pid = Int32(parts[0]), let ticks = UInt64(parts[1]) else { return nil }
            return ProcessIdentity(pid: pid, start: ProcessIdentity.token(ticks: ticks))
        }
        let parts = name.split(separator: "-")
        guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]), UInt32(parts[parts.count - 1]) != nil else { return nil }
        return ProcessIdentity(pid: pid, start: nil)
    }

    /// Empties and removes every tool group under quickup's cgroup parents whose owner no longer
    /// runs (each kill -9 of quickup used to leave one behind).
    public static func sweep(_ support: IsolationSupport) -> LeftoverTools.Stopped {
        var stopped = LeftoverTools.Stopped()
        for parent in support.groupParents {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { continue }
            for name in names {
                guard let owner = owner(ofGroup: name), !owner.liveness.isRunning else { continue }
                let path = "\(parent)/\(name)"
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
                stopped.merge(empty(path))
            }
        }
        return stopped
    }

    /// Kills a group's members until it is empty, then removes it.
    static func empty(_ group: String) -> LeftoverTools.Stopped {
        var stopped = LeftoverTools.Stopped()
        guard FileManager.default.fileExists(atPath: group) else { return stopped }
        let members = { () -> [pid_t] in
            ((try? String(contentsOfFile: "\(group)/cgroup.procs", encoding: .utf8)) ?? "")
                .split(whereSeparator: \.isNewline).compactMap { pid_t($0) }
        }
        var killed = Set<pid_t>()
        for _ in 0..<50 {
            let pids = members()
            if pids.isEmpty { break }
            for pid in pids where kill(pid, SIGKILL) == 0 { killed.insert(pid) }
            usleep(2_000)
        }
        stopped.killed = killed.sorted()
        stopped.survivors = members()
        for _ in 0..<200 where FileManager.default.fileExists(atPath: group) {
            if rmdir(group) == 0 {
                stopped.removedGroups += 1
                break
            }
            if errno == ENOENT { break }
            usleep(5_000)
        }
        return stopped
    }
}
