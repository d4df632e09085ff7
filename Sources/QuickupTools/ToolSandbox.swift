import Foundation
import QuickupCore

/// The cage one tool run lives in (T3): its own cgroups with the class's limits (or rlimits),
/// and bubblewrap for plugins without network or with a read-only view of the system.
/// Created before the tool starts, removed after every process in it is gone.
public final class ToolSandbox: Sendable {
    public let support: IsolationSupport
    public let limits: PluginLimits
    let workDirectory: String
    /// One directory per hierarchy (v1) or a single one (v2); empty under rlimits.
    let groups: [String]

    /// Paths the tool must see even where its sandbox hides them (the Python helper under a
    /// private /tmp, issue 13 item 3): bound read-only into the bubblewrap view.
    let readOnlyPaths: [String]

    /// The groups' counters when they were handed to this tool: a recycled group's counters go
    /// on from its earlier tools, and `usage()` reports only this tool's (issue 20.2).
    private let baseline: Usage

    public convenience init(support: IsolationSupport, limits: PluginLimits, workDirectory: String, name: String,
                            readOnlyPaths: [String] = []) throws(QuickupError) {
        self.init(planned: support, limits: limits, workDirectory: workDirectory, name: name, readOnlyPaths: readOnlyPaths)
        try create()
    }

    /// Names the groups without creating them: a pre-joined launcher creates its own in its
    /// task (issue 20.2), not in the call of the tool that made room for it.
    convenience init(planned support: IsolationSupport, limits: PluginLimits, workDirectory: String, name: String, readOnlyPaths: [String] = []) {
        let unique = LeftoverGroups.groupName(tool: name)
        let groups: [String]
        switch support.mechanism {
        case .cgroupV2(let parent): groups = ["\(parent)/\(unique)"]
        case .cgroupV1(let memory, let cpu, let pids): groups = [memory, cpu, pids].map { "\($0)/\(unique)" }
        case .rlimits: groups = []
        }
        self.init(support: support, limits: limits, workDirectory: workDirectory, readOnlyPaths: readOnlyPaths, groups: groups)
    }

    /// Creates the groups with their limits; removes what it made when that fails.
    func create() throws(QuickupError) {
        if !limits.network || limits.readOnlyRoot, support.bubblewrap == nil {
            throw QuickupError(.unsupported, "this plugin must run without network or with a read-only system, but bubblewrap is not available",
                               hint: "install it (apt-get install bubblewrap) — `quickup doctor` shows what isolation this machine offers")
        }
        do {
            for group in groups { try KernelFile.makeDirectory(group) }
            try writeLimits()
        } catch {
            remove()
            throw QuickupError(.io, "cannot create the plugin's cgroup: \(error)", hint: "run `quickup doctor`; quickup needs write access to the cgroup tree")
        }
    }

    /// The same cgroups under other limits, for another tool: a pre-joined launcher's sandbox
    /// handed to the tool that takes it (issue 20.2). Writing limits is cheap; joining is not.
    func adopted(by invocation: ToolInvocation) throws(QuickupError) -> ToolSandbox {
        let sandbox = ToolSandbox(support: support, limits: invocation.limits, workDirectory: invocation.workDirectory,
                                  readOnlyPaths: invocation.readOnlyPaths, groups: groups, baseline: baseline)
        do {
            if invocation.limits != limits {
                try sandbox.writeLimits()
            } else if case .cgroupV1 = support.mechanism {
                // Writing the quota refills the CFS period's runtime: in recycled groups the tool
                // before may have used it up, and this tool would wait for the next period
                // (measured: recycled groups 1.51× a bare start without this, 1.10× with it).
                try write("\(sandbox.cpuQuota)", "\(groups[1])/cpu.cfs_quota_us")
            }
        } catch {
            throw QuickupError(.io, "cannot set the limits of a prepared cgroup: \(error)", hint: "run `quickup doctor`; quickup needs write access to the cgroup tree")
        }
        return sandbox
    }

    private init(support: IsolationSupport, limits: PluginLimits, workDirectory: String, readOnlyPaths: [String], groups: [String],
                 baseline: Usage = Usage()) {
        self.support = support
        self.limits = limits
        self.workDirectory = workDirectory
        self.readOnlyPaths = readOnlyPaths
        self.groups = groups
        self.baseline = baseline
    }

    /// The same groups, emptied, for the next tool (issue 20.2), or nil where they must be
    /// removed instead. A new cgroup v1 group — made, entered by its first process, removed —
    /// costs the kernel ~1.7 ms of CPU per tool; entering groups another process left costs a
    /// fraction of it (scripts/cgroup_cost.c, a C loop starting Python: 1.25× a bare start
    /// against 1.10×, docs/PERFORMANCE.md). Only v1 groups whose tool is gone entirely and hit
    /// no limit are recycled: the peak memory counter is reset (writing 0 to
    /// memory.max_usage_in_bytes, as the kernel documents) and the other counters, which only
    /// grow, become the next tool's baseline. cgroup v2 groups are not recycled: memory.peak
    /// cannot be reset on every kernel quickup supports.
    func recycled() -> ToolSandbox? {
        guard case .cgroupV1 = support.mechanism, groups.allSatisfy({ members(of: $0).isEmpty }) else { return nil }
        do {
            try write("0", "\(groups[0])/memory.max_usage_in_bytes")
        } catch {
            return nil
        }
        return ToolSandbox(support: support, limits: limits, workDirectory: "/", readOnlyPaths: [], groups: groups, baseline: counters())
    }

    /// The CFS period, in microseconds, and the quota per period for the tool's CPU share.
    private static let cpuPeriod = 100_000
    private var cpuQuota: Int {
        max(1000, limits.cpuPercent * max(1, ProcessInfo.processInfo.activeProcessorCount) * Self.cpuPeriod / 100)
    }

    private func writeLimits() throws {
        let period = Self.cpuPeriod, quota = cpuQuota
        switch support.mechanism {
        case .cgroupV2:
            let group = groups[0]
            try write("\(limits.memory.bytes)", "\(group)/memory.max")
            try? write("0", "\(group)/memory.swap.max")
            try write("\(quota) \(period)", "\(group)/cpu.max")
            try write("\(limits.processes)", "\(group)/pids.max")
        case .cgroupV1:
            let memory = groups[0], cpu = groups[1], pids = groups[2]
            try write("\(limits.memory.bytes)", "\(memory)/memory.limit_in_bytes")
            try? write("\(limits.memory.bytes)", "\(memory)/memory.memsw.limit_in_bytes")
            try write("\(period)", "\(cpu)/cpu.cfs_period_us")
            try write("\(quota)", "\(cpu)/cpu.cfs_quota_us")
            try write("\(limits.processes)", "\(pids)/pids.max")
        case .rlimits:
            break
        }
    }

    var procsFiles: [String] {
        groups.map { "\($0)/cgroup.procs" }
    }

    /// Counters read after (or while) the tool runs.
    public struct Usage: Sendable, Equatable {
        public var oomKills = 0
        public var processLimitHits = 0
        public var cpuSeconds: Double?
        public var peakMemory: Int64?
        public var throttledPeriods = 0
    }

    /// This tool's counters: since the groups were handed to it.
    public func usage() -> Usage {
        var usage = counters()
        usage.oomKills -= baseline.oomKills
        usage.processLimitHits -= baseline.processLimitHits
        usage.throttledPeriods -= baseline.throttledPeriods
        if let cpu = usage.cpuSeconds, let before = baseline.cpuSeconds { usage.cpuSeconds = cpu - before }
        return usage
    }

    /// The groups' counters as the kernel has them.
    private func counters() -> Usage {
        var usage = Usage()
        switch support.mechanism {
        case .cgroupV2:
            let group = groups[0]
            usage.oomKills = counter("\(group)/memory.events", "oom_kill")
            usage.processLimitHits = counter("\(group)/pids.events", "max")
            usage.cpuSeconds = Double(counter("\(group)/cpu.stat", "usage_usec")) / 1e6
            usage.throttledPeriods = counter("\(group)/cpu.stat", "nr_throttled")
            usage.peakMemory = read("\(group)/memory.peak").flatMap { Int64($0) }
        case .cgroupV1:
            usage.oomKills = counter("\(groups[0])/memory.oom_control", "oom_kill")
            usage.peakMemory = read("\(groups[0])/memory.max_usage_in_bytes").flatMap { Int64($0) }
            usage.throttledPeriods = counter("\(groups[1])/cpu.stat", "nr_throttled")
            usage.processLimitHits = counter("\(groups[2])/pids.events", "max")
            // cpu.stat of v1 has no usage; cpuacct is left out on purpose (see Mechanism.cgroupV1).
        case .rlimits:
            break
        }
        return usage
    }

    /// Processes still in the tool's cgroup (empty under rlimits: use the process group instead).
    public func members() -> [pid_t] {
        guard let group = groups.first else { return [] }
        return members(of: group)
    }

    private func members(of group: String) -> [pid_t] {
        guard let text = read("\(group)/cgroup.procs") else { return [] }
        return text.split(whereSeparator: \.isNewline).compactMap { pid_t($0) }
    }

    /// Whether `pid` is in the last of the tool's cgroups — the one a launcher joins last, so it
    /// is in all of them (issue 20.2). False under rlimits (no groups).
    func hasJoined(_ pid: pid_t) -> Bool {
        guard let group = groups.last else { return false }
        return members(of: group).contains(pid)
    }

    /// Kills everything left in the cgroup, repeatedly, since a forking process can add members
    /// while we kill. Returns how many processes were killed.
    @discardableResult
    public func killAll() -> Int {
        var killed = Set<pid_t>()
        for _ in 0..<50 {
            let pids = members()
            if pids.isEmpty { break }
            for pid in pids where kill(pid, SIGKILL) == 0 { killed.insert(pid) }
            usleep(2_000)
        }
        return killed.count
    }

    /// Removes the groups once empty (a killed process leaves its cgroup a moment later).
    public func remove() {
        for group in groups.reversed() {
            for _ in 0..<200 {
                if rmdir(group) == 0 || errno == ENOENT { break }
                usleep(5_000)
            }
        }
    }

    private func write(_ value: String, _ path: String) throws(QuickupError) {
        try KernelFile.write(value, to: path)
    }

    private func read(_ path: String) -> String? {
        KernelFile.read(path)?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The value of `key N` in a flat-keyed cgroup file, 0 when absent.
    private func counter(_ path: String, _ key: String) -> Int {
        guard let text = read(path) else { return 0 }
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == key { return Int(parts[1]) ?? 0 }
        }
        return 0
    }

    /// RLIMIT_NPROC counts every thread of the user, so the tool's allowance goes on top.
    static func processesOfThisUser() -> Int {
        let uid = getuid()
        let files = FileManager.default
        guard let entries = try? files.contentsOfDirectory(atPath: "/proc") else { return 0 }
        var count = 0
        for entry in entries where entry.first?.isNumber == true {
            var info = stat()
            if stat("/proc/\(entry)", &info) == 0, info.st_uid == uid {
                count += (try? files.contentsOfDirectory(atPath: "/proc/\(entry)/task").count) ?? 1
            }
        }
        return count
    }
}
