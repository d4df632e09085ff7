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
                                  readOnlyPaths: invocation.readOnlyPaths, groups: groups)
        guard invocation.limits != limits else { return sandbox }
        do {
            try sandbox.writeLimits()
        } catch {
            throw QuickupError(.io, "cannot set the limits of a prepared cgroup: \(error)", hint: "run `quickup doctor`; quickup needs write access to the cgroup tree")
        }
        return sandbox
    }

    private init(support: IsolationSupport, limits: PluginLimits, workDirectory: String, readOnlyPaths: [String], groups: [String]) {
        self.support = support
        self.limits = limits
        self.workDirectory = workDirectory
        self.readOnlyPaths = readOnlyPaths
        self.groups = groups
    }

    private func writeLimits() throws {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let period = 100_000
        let quota = max(1000, limits.cpuPercent * cores * period / 100)
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

    /// The command line that joins the cgroups, applies rlimits and bubblewrap, then execs `argv`.
    /// One shell does it all with builtins (no `prlimit` exec: every millisecond counts when a
    /// tool is a 10 ms Python script), and joining happens before exec, so no process of the
    /// tool ever runs outside its cgroups.
    public func wrap(_ argv: [String]) -> [String] {
        shell(joinScript + "; " + limitScript + #"; exec "$@""#) + confinement + argv
    }

    /// A pre-joined launcher (issue 20.2): the same shell joins the cgroups at once — paying the
    /// kernel's grace period before any tool waits for it — then blocks until quickup writes a
    /// line on its stdin naming a script to source; that script (`launchScript`) sets the
    /// tool's directory, environment and rlimits and execs it. Whatever stdin holds after that
    /// line is the tool's (its context): `read` takes a pipe byte by byte.
    func launcher() -> [String] {
        shell(joinScript + #"; IFS= read -r job || exit 125; . "$job""#)
    }

    /// What a launcher sources to become `invocation`'s tool: only quoted words, so no value of
    /// the invocation is ever parsed as shell code. Needs `canExport(invocation)`.
    func launchScript(_ invocation: ToolInvocation) -> String {
        var script = "cd \(Self.quoted(invocation.workDirectory)) || exit 125\n"
        for (key, value) in invocation.fullEnvironment.sorted(by: { $0.key < $1.key }) { script += "export \(key)=\(Self.quoted(value))\n" }
        script += limitScript + "\nexec " + (confinement + invocation.arguments).map(Self.quoted).joined(separator: " ") + "\n"
        return script
    }

    /// Whether a shell can export every variable of the invocation (else it starts the usual way).
    static func canExport(_ invocation: ToolInvocation) -> Bool {
        invocation.fullEnvironment.keys.allSatisfy(isShellName)
    }

    /// `setpriv` (where it works) and `sh -c script` with the cgroups' procs files as arguments.
    private func shell(_ script: String) -> [String] {
        // The tool dies with quickup where the kernel allows (a parent-death signal, kept across
        // exec); what it started itself is found by the next run (LeftoverTools, issue 13 item 1).
        let command = support.parentDeathSignal.map { [$0, "--pdeathsig", "KILL"] } ?? []
        return command + ["/bin/sh", "-c", script, "quickup-tool"] + procsFiles + ["--"]
    }

    private var joinScript: String {
        #"while [ "$1" != "--" ]; do echo $$ > "$1" || exit 125; shift; done; shift"#
    }

    private var limitScript: String {
        var script = "ulimit -c 0"
        if let cpuTime = limits.cpuTime {
            let seconds = max(1, Int(cpuTime.seconds.rounded(.up)))
            script += "; ulimit -St \(seconds); ulimit -Ht \(seconds + 1)"
        }
        if case .rlimits = support.mechanism {
            script += "; ulimit -v \(max(1, limits.memory.bytes / 1024))"
            // RLIMIT_NPROC counts the user's other processes too and does not bind root.
            if getuid() != 0 {
                let processes = limits.processes + ToolSandbox.processesOfThisUser()
                script += "; { ulimit -u \(processes) || ulimit -p \(processes); } 2>/dev/null"
            }
        }
        return script
    }

    /// bubblewrap's command line for plugins without network or with a read-only system.
    private var confinement: [String] {
        guard let bwrap = support.bubblewrap, !limits.network || limits.readOnlyRoot else { return [] }
        var command = [bwrap, "--die-with-parent"]
        if limits.readOnlyRoot {
            command += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
            // After the private /tmp, or it would hide them (a state directory under /tmp).
            for path in readOnlyPaths where FileManager.default.fileExists(atPath: path) { command += ["--ro-bind", path, path] }
            command += ["--bind", workDirectory, workDirectory]
        } else {
            command += ["--bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        }
        if !limits.network { command.append("--unshare-net") }
        return command + ["--chdir", workDirectory, "--"]
    }

    /// `word` in single quotes, each `'` in it written `'\''`: the shell reads it back as it is.
    static func quoted(_ word: String) -> String {
        var result = "'"
        result.reserveCapacity(word.utf8.count + 2)
        for character in word.unicodeScalars {
            if character == "'" { result += #"'\''"# } else { result.unicodeScalars.append(character) }
        }
        return result + "'"
    }

    /// A name `export` accepts: an ASCII letter or `_`, then ASCII letters, digits or `_`.
    static func isShellName(_ name: String) -> Bool {
        let letter = { (byte: UInt8) in (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_") }
        guard let first = name.utf8.first, letter(first) else { return false }
        return name.utf8.allSatisfy { letter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
    }

    private var procsFiles: [String] {
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

    public func usage() -> Usage {
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
