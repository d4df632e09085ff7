import QuickupCore

/// One rlimit a tool starts with (T3), in `setrlimit`'s units: seconds of CPU, bytes of address
/// space, processes. Written for `quickup-launch` (`--limit` and its job) or, without it, as the
/// launching shell's `ulimit` commands — one list, two spellings.
struct ResourceLimit: Sendable, Equatable {
    enum Resource: String, Sendable {
        case core
        case cpu
        case addressSpace = "as"
        case processes = "nproc"
    }

    var resource: Resource
    var soft: Int
    var hard: Int
    /// A failure to set it is ignored: RLIMIT_NPROC cannot be lowered everywhere (containers).
    var optional = false

    /// `quickup-launch`'s spelling: `[?]NAME=SOFT:HARD`.
    var launchSpec: String {
        (optional ? "?" : "") + "\(resource.rawValue)=\(soft):\(hard)"
    }

    /// The shell's spelling, with dash's `ulimit` (address space in KiB).
    var shellCommand: String {
        let (flag, scale) = switch resource {
        case .core: ("c", 1)
        case .cpu: ("t", 1)
        case .addressSpace: ("v", 1024)
        case .processes: ("u", 1)
        }
        if resource == .processes, optional {
            return "{ ulimit -u \(hard) || ulimit -p \(hard); } 2>/dev/null"
        }
        if soft == hard { return "ulimit -\(flag) \(soft / scale)" }
        return "ulimit -S\(flag) \(soft / scale); ulimit -H\(flag) \(hard / scale)"
    }

    /// The limits of a tool with `limits`, contained by `mechanism`: no core files; CPU time if
    /// the class has one (SIGXCPU at the soft limit, SIGKILL a second later); and where no cgroup
    /// contains the tool, its address space and process count.
    static func forTool(_ limits: PluginLimits, mechanism: IsolationSupport.Mechanism, processesOfThisUser: () -> Int, isRoot: Bool) -> [ResourceLimit] {
        var result = [ResourceLimit(resource: .core, soft: 0, hard: 0)]
        if let cpuTime = limits.cpuTime {
            let seconds = max(1, Int(cpuTime.seconds.rounded(.up)))
            result.append(ResourceLimit(resource: .cpu, soft: seconds, hard: seconds + 1))
        }
        if case .rlimits = mechanism {
            let bytes = max(1, limits.memory.bytes / 1024) * 1024
            result.append(ResourceLimit(resource: .addressSpace, soft: Int(bytes), hard: Int(bytes)))
            // RLIMIT_NPROC counts the user's other processes too and does not bind root.
            if !isRoot {
                let processes = limits.processes + processesOfThisUser()
                result.append(ResourceLimit(resource: .processes, soft: processes, hard: processes, optional: true))
            }
        }
        return result
    }
}
