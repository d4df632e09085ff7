import Foundation

/// How this machine can contain a plugin (T3): cgroups v2 or v1 when quickup may create groups,
/// else rlimits; bubblewrap for the no-network, read-only view of third_party plugins.
public struct IsolationSupport: Sendable, Equatable, CustomStringConvertible {
    public enum Mechanism: Sendable, Equatable {
        /// A cgroup2 directory under which quickup creates one group per tool.
        case cgroupV2(parent: String)
        /// cgroup v1 hierarchies under which quickup creates groups. Only these three: moving a
        /// process into a v1 hierarchy costs a few milliseconds each (an RCU grace period).
        case cgroupV1(memory: String, cpu: String, pids: String)
        /// Only per-process rlimits (address space, CPU time, processes per user), set by the
        /// launching shell's `ulimit`.
        case rlimits
    }

    public var mechanism: Mechanism
    /// Path of `bwrap`, when installed and usable.
    public var bubblewrap: String?
    /// Why a stronger mechanism was not used, for `quickup doctor`.
    public var notes: [String]
    /// Path of a `setpriv` that can set a parent-death signal: a tool's main process is killed
    /// when quickup dies (kill -9), instead of running on beside the next run's copy.
    public var parentDeathSignal: String? = nil
    /// Path of `quickup-launch`, installed next to quickup: each tool's first process, which joins
    /// its cgroups, sets its limits and the parent-death signal, and execs it (issue 20.2). Without
    /// it, `setpriv` and a shell do the same with two more execs.
    public var launcher: String? = nil

    /// Whether a tool's main process is killed when quickup dies (kill -9).
    public var toolsDieWithQuickup: Bool { launcher != nil || parentDeathSignal != nil }

    /// The directories quickup creates its tools' cgroups in (none under rlimits).
    public var groupParents: [String] {
        switch mechanism {
        case .cgroupV2(let parent): [parent]
        case .cgroupV1(let memory, let cpu, let pids): [memory, cpu, pids]
        case .rlimits: []
        }
    }

    /// Short name for error messages.
    public var mechanismName: String {
        switch mechanism {
        case .cgroupV2: "cgroup v2"
        case .cgroupV1: "cgroup v1"
        case .rlimits: "rlimits"
        }
    }

    public var description: String {
        var text: String
        switch mechanism {
        case .cgroupV2(let parent): text = "cgroup v2 under \(parent) (memory, cpu, pids)"
        case .cgroupV1: text = "cgroup v1 (memory, cpu, pids controllers)"
        case .rlimits: text = "rlimits (address space, CPU time, processes)"
        }
        text += bubblewrap.map { "; bubblewrap at \($0) for third_party plugins" } ?? "; no bubblewrap (third_party plugins cannot run)"
        text += launcher.map { "; tools start through \($0)" } ?? "; tools start through a shell (no quickup-launch next to quickup)"
        if toolsDieWithQuickup { text += "; tools die with quickup (parent-death signal)" }
        return text
    }

    /// Looks once per process; creating and removing a probe group proves write access.
    public static let current: IsolationSupport = machineMechanism.withHelperPrograms()

    /// The cgroup mechanism alone, without trying bwrap and setpriv — two processes, ~15–20 ms
    /// before the first statement of every run (issue 20.3). A run's sweep of a dead quickup's
    /// tools needs only the groups' parents; the helper programs wait for the first tool.
    public static let machineMechanism: IsolationSupport = detectMechanism(cgroupRoot: "/sys/fs/cgroup", group: "quickup")

    public static func detect(cgroupRoot: String = "/sys/fs/cgroup", group: String = "quickup") -> IsolationSupport {
        detectMechanism(cgroupRoot: cgroupRoot, group: group).withHelperPrograms()
    }

    /// This support with the helper programs found and tried: bubblewrap for third_party
    /// plugins, quickup-launch (or setpriv) for starting tools.
    public func withHelperPrograms(launcher: String? = siblingLauncher()) -> IsolationSupport {
        var support = self
        if let launcher {
            if Self.works(launcher, ["--parent", "\(getpid())", "--limit", "core=0:0", "--", "/bin/true"]) {
                support.launcher = launcher
            } else {
                support.notes.append("\(launcher) does not run here: tools start through setpriv and a shell")
            }
        }
        if let bwrap = Self.executable("bwrap") {
            if Self.bubblewrapWorks(bwrap) {
                support.bubblewrap = bwrap
            } else {
                support.notes.append("bwrap at \(bwrap) cannot create namespaces here (needs root or unprivileged user namespaces)")
            }
        }
        if support.launcher != nil {
            // quickup-launch sets the parent-death signal itself.
        } else if let setpriv = Self.setprivWithParentDeathSignal() {
            support.parentDeathSignal = setpriv
        } else {
            support.notes.append("no setpriv with --pdeathsig (util-linux ≥ 2.33): a tool outlives a killed quickup until the next run stops it")
        }
        return support
    }

    private static func detectMechanism(cgroupRoot: String, group: String) -> IsolationSupport {
        var notes: [String] = []
        let files = FileManager.default
        if files.fileExists(atPath: "\(cgroupRoot)/cgroup.controllers") {
            // Pure v2: the root is exempt from the no-internal-processes rule, so quickup's groups live there.
            let controllers = (try? String(contentsOfFile: "\(cgroupRoot)/cgroup.controllers", encoding: .utf8)) ?? ""
            let needed = ["memory", "pids", "cpu"]
            if needed.allSatisfy(controllers.split(separator: " ").map(String.init).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.contains),
               let parent = probe("\(cgroupRoot)/\(group)", setup: { path in
                   try? "+memory +pids +cpu".write(toFile: "\(cgroupRoot)/cgroup.subtree_control", atomically: false, encoding: .utf8)
                   try? "+memory +pids +cpu".write(toFile: "\(path)/cgroup.subtree_control", atomically: false, encoding: .utf8)
                   return files.fileExists(atPath: "\(path)/memory.max")
               }) {
                return IsolationSupport(mechanism: .cgroupV2(parent: parent), bubblewrap: nil, notes: notes)
            }
            notes.append("cgroup v2 at \(cgroupRoot) is not writable or lacks memory/pids/cpu")
        } else if files.fileExists(atPath: "\(cgroupRoot)/memory/memory.limit_in_bytes") {
            let paths = ["memory", "cpu", "pids"].map { "\(cgroupRoot)/\($0)/\(group)" }
            let usable = paths.allSatisfy { probe($0, setup: { _ in true }) != nil }
            if usable {
                return IsolationSupport(mechanism: .cgroupV1(memory: paths[0], cpu: paths[1], pids: paths[2]),
                                        bubblewrap: nil, notes: notes)
            }
            notes.append("cgroup v1 hierarchies at \(cgroupRoot) are not writable (quickup runs without root?)")
        } else {
            notes.append("no cgroup hierarchy found at \(cgroupRoot)")
        }
        return IsolationSupport(mechanism: .rlimits, bubblewrap: nil, notes: notes)
    }

    /// Creates `path` (kept: it is the parent of every tool's group) and checks it is usable.
    private static func probe(_ path: String, setup: (String) -> Bool) -> String? {
        let files = FileManager.default
        if !files.fileExists(atPath: path) {
            guard (try? files.createDirectory(atPath: path, withIntermediateDirectories: false)) != nil else { return nil }
        }
        let child = "\(path)/probe-\(getpid())"
        guard setup(path), (try? files.createDirectory(atPath: child, withIntermediateDirectories: false)) != nil else { return nil }
        rmdir(child)
        return path
    }

    /// This support starting tools as it does without quickup-launch: `setpriv` and a shell. Tests
    /// and the bench compare both ways in one process.
    public func startingWithShell() -> IsolationSupport {
        var support = self
        support.launcher = nil
        if support.parentDeathSignal == nil { support.parentDeathSignal = Self.setprivWithParentDeathSignal() }
        return support
    }

    private static func setprivWithParentDeathSignal() -> String? {
        guard let setpriv = executable("setpriv"), works(setpriv, ["--pdeathsig", "KILL", "/bin/true"]) else { return nil }
        return setpriv
    }

    /// `quickup-launch` in the directory of this process's executable: a build puts it beside
    /// `quickup` (and beside the test bundle).
    public static func siblingLauncher() -> String? {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let path = (executable as NSString).deletingLastPathComponent + "/quickup-launch"
        return access(path, X_OK) == 0 ? path : nil
    }

    static func executable(_ name: String) -> String? {
        for directory in ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"] {
            let path = "\(directory)/\(name)"
            if access(path, X_OK) == 0 { return path }
        }
        return nil
    }

    private static func bubblewrapWorks(_ path: String) -> Bool {
        works(path, ["--ro-bind", "/", "/", "--unshare-net", "--dev", "/dev", "--proc", "/proc", "/bin/true"])
    }

    private static func works(_ path: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
