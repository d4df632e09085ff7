import Foundation
import QuickupCore
import QuickupTools

/// What this machine offers quickup (T3): `quickup doctor`, and the bundles of both front ends (L1).
public struct DoctorReport: Encodable, Sendable {
    public var isolation: String
    public var mechanism: String
    public var bubblewrap: String?
    public var python3: String?
    public var notes: [String]
    public var classes: [String: PluginLimits]
    public var failurePolicies: [String: FailurePolicy]

    public static func make() -> DoctorReport {
        let support = IsolationSupport.current
        var notes = support.notes
        let python = Self.find("python3")
        if python == nil { notes.append("python3 not found: Python tools and module:function entries cannot run") }
        if case .rlimits = support.mechanism, getuid() == 0 {
            notes.append("as root, RLIMIT_NPROC does not bound processes: a fork bomb is stopped only by its timeout")
        }
        if case .rlimits = support.mechanism { notes.append("without cgroups the CPU share is not enforced; CPU time limits still apply") }
        return DoctorReport(
            isolation: support.description, mechanism: support.mechanismName, bubblewrap: support.bubblewrap,
            python3: python, notes: notes,
            classes: Dictionary(uniqueKeysWithValues: PluginClass.allCases.map { ($0.rawValue, PluginLimits.defaults(for: $0)) }),
            failurePolicies: Dictionary(uniqueKeysWithValues: PluginClass.allCases.map { ($0.rawValue, FailurePolicy.defaults(for: $0)) }))
    }

    public func render() -> String {
        var lines = ["Tool isolation: \(isolation)"]
        var table = TextTable(headers: ["CLASS", "MEMORY", "CPU", "PROCESSES", "NETWORK", "ROOT", "ON FAILURE"])
        for plugin in PluginClass.allCases {
            let limits = PluginLimits.defaults(for: plugin), policy = FailurePolicy.defaults(for: plugin)
            table.add([plugin.rawValue, "\(limits.memory)", "\(limits.cpuPercent) %", "\(limits.processes)",
                       limits.network ? "yes" : "no", limits.readOnlyRoot ? "read-only" : "writable",
                       "\(policy.action.rawValue) after \(policy.tries) tr\(policy.tries == 1 ? "y" : "ies")" + (policy.tries > 1 ? " \(policy.interval) apart" : "")])
        }
        lines.append(table.render())
        lines.append("python3: \(python3 ?? "missing")")
        lines += notes.map { "Note: \($0)" }
        return lines.joined(separator: "\n")
    }

    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }
}
