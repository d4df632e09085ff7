import ArgumentParser
import Foundation
import QuickupCore
import QuickupTools

/// `quickup doctor`: what this machine offers quickup — which isolation mechanism contains tools
/// (T3), whether third_party tools can run, and the tools quickup relies on.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Show how this machine will contain tools (cgroups, rlimits, bubblewrap) and what is missing.")

    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var isolation: String
        var mechanism: String
        var bubblewrap: String?
        var python3: String?
        var notes: [String]
        var classes: [String: PluginLimits]
        var failurePolicies: [String: FailurePolicy]
    }

    func run() async throws {
        try await runReporting {
            let report = Self.makeReport()
            if output.json {
                try printJSON(report)
            } else {
                Console.out(Self.render(report))
            }
            return report.notes.isEmpty ? .success : .warnings
        }
    }

    /// What this machine offers; `bundle` includes it too (L1).
    static func makeReport() -> Report {
        let support = IsolationSupport.current
        var notes = support.notes
        let python = Self.find("python3")
        if python == nil { notes.append("python3 not found: Python tools and module:function entries cannot run") }
        if case .rlimits = support.mechanism, getuid() == 0 {
            notes.append("as root, RLIMIT_NPROC does not bound processes: a fork bomb is stopped only by its timeout")
        }
        if case .rlimits = support.mechanism { notes.append("without cgroups the CPU share is not enforced; CPU time limits still apply") }
        return Report(
            isolation: support.description, mechanism: support.mechanismName, bubblewrap: support.bubblewrap,
            python3: python, notes: notes,
            classes: Dictionary(uniqueKeysWithValues: PluginClass.allCases.map { ($0.rawValue, PluginLimits.defaults(for: $0)) }),
            failurePolicies: Dictionary(uniqueKeysWithValues: PluginClass.allCases.map { ($0.rawValue, FailurePolicy.defaults(for: $0)) }))
    }

    static func render(_ report: Report) -> String {
        var lines = ["Tool isolation: \(report.isolation)"]
        var table = TextTable(headers: ["CLASS", "MEMORY", "CPU", "PROCESSES", "NETWORK", "ROOT", "ON FAILURE"])
        for plugin in PluginClass.allCases {
            let limits = PluginLimits.defaults(for: plugin), policy = FailurePolicy.defaults(for: plugin)
            table.add([plugin.rawValue, "\(limits.memory)", "\(limits.cpuPercent) %", "\(limits.processes)",
                       limits.network ? "yes" : "no", limits.readOnlyRoot ? "read-only" : "writable",
                       "\(policy.action.rawValue) after \(policy.tries) tr\(policy.tries == 1 ? "y" : "ies")" + (policy.tries > 1 ? " \(policy.interval) apart" : "")])
        }
        lines.append(table.render())
        lines.append("python3: \(report.python3 ?? "missing")")
        lines += report.notes.map { "Note: \($0)" }
        return lines.joined(separator: "\n")
    }

    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }
}
