/// What a plugin (tool or hook) of a class may use (SPEC T3, robustness doc §4.4.1). Values, not
/// code paths: defaults per class, overridden field by field from component.yaml `limits:`.
public struct PluginLimits: Hashable, Sendable, Codable {
    /// Memory (address space under rlimits, resident + cache under cgroups).
    public var memory: ByteSize
    /// Share of one machine's CPU time, 1–100 % of all cores together.
    public var cpuPercent: Int
    /// Processes and threads the plugin may have at once (a fork bomb stops here).
    public var processes: Int
    /// CPU seconds in total; nil = bounded only by the task's timeout.
    public var cpuTime: TimeSpan?
    /// Whether the plugin may use the network.
    public var network: Bool
    /// Whether everything outside the plugin's work directory is read-only to it.
    public var readOnlyRoot: Bool

    public init(memory: ByteSize, cpuPercent: Int, processes: Int, cpuTime: TimeSpan? = nil,
                network: Bool = true, readOnlyRoot: Bool = false) {
        self.memory = memory
        self.cpuPercent = cpuPercent
        self.processes = processes
        self.cpuTime = cpuTime
        self.network = network
        self.readOnlyRoot = readOnlyRoot
    }

    public static func defaults(for pluginClass: PluginClass) -> PluginLimits {
        switch pluginClass {
        case .core: PluginLimits(memory: .mebibytes(512), cpuPercent: 50, processes: 256)
        case .business: PluginLimits(memory: .mebibytes(256), cpuPercent: 30, processes: 128)
        case .thirdParty: PluginLimits(memory: .mebibytes(128), cpuPercent: 20, processes: 64, network: false, readOnlyRoot: true)
        case .database: PluginLimits(memory: .mebibytes(1024), cpuPercent: 60, processes: 256)
        }
    }

    /// The class's defaults with the component's overrides applied.
    public static func of(_ component: Component) -> PluginLimits {
        var limits = defaults(for: component.pluginClass)
        let overrides = component.limits
        if let memory = overrides.memory { limits.memory = memory }
        if let cpu = overrides.cpuPercent { limits.cpuPercent = cpu }
        if let processes = overrides.processes { limits.processes = processes }
        if let cpuTime = overrides.cpuTime { limits.cpuTime = cpuTime }
        if let network = overrides.network { limits.network = network }
        if let readOnly = overrides.readOnlyRoot { limits.readOnlyRoot = readOnly }
        return limits
    }
}

/// Which limit stopped a plugin, for the error message (T3: "the error says which limit").
public enum PluginLimitKind: String, Sendable, Hashable, Codable {
    case memory, processes, cpuTime = "cpu_time", outputLine = "output_line"

    public func describe(_ limits: PluginLimits) -> String {
        switch self {
        case .memory: "its memory limit of \(limits.memory)"
        case .processes: "its limit of \(limits.processes) processes"
        case .cpuTime: "its CPU time limit of \(limits.cpuTime?.description ?? "?")"
        case .outputLine: "the output line limit"
        }
    }
}
