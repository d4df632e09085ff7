import QuickupCore
import QuickupRemote

/// A1 on every host of env.yaml: all hosts measured at once (one probe script each over its
/// shared status connection), then held against the thresholds. `quickup assess` does this as
/// part of the assessment; the upgrade's precheck can call `check` on its own.
public enum HostSurvey {
    public typealias Measurement = (host: String, result: Result<HostResources, QuickupError>)

    /// Samples every probe in parallel; `paths` names the directories measured on each host.
    public static func measure(_ probes: [any ResourceProbe], paths: @Sendable (String) -> [String]) async -> [Measurement] {
        await withTaskGroup(of: (Int, String, Result<HostResources, QuickupError>).self) { group in
            for (index, probe) in probes.enumerated() {
                let wanted = paths(probe.host)
                group.addTask { (index, probe.host, await Assessor.sample(probe, paths: wanted.isEmpty ? ["/"] : wanted)) }
            }
            var all: [(Int, String, Result<HostResources, QuickupError>)] = []
            for await result in group { all.append(result) }
            return all.sorted { $0.0 < $1.0 }.map { (host: $0.1, result: $0.2) }
        }
    }

    /// Each host's CPU, memory and disk rows; a host that could not be measured is one FAIL row
    /// saying why (unreachable, refused key, no /proc).
    public static func evaluate(_ measurements: [Measurement], thresholds: Thresholds,
                                needs: (String) -> [ResourceAssessment.DiskNeed]) -> (hosts: [HostResources], checks: [CheckResult]) {
        var hosts: [HostResources] = [], checks: [CheckResult] = []
        for (name, result) in measurements {
            switch result {
            case .success(let host):
                hosts.append(host)
                checks += ResourceAssessment.evaluate(host, extraMemory: 0, thresholds: thresholds, disks: needs(host.host))
            case .failure(let error):
                checks.append(CheckResult(category: .resources, id: "resources.\(name)", title: "Resources of \(name)",
                                          status: .fail, summary: "cannot read the figures: \(error.message)", suggestion: error.hint))
            }
        }
        return (hosts, checks)
    }

    /// Measures every host of env.yaml over `connections` and checks it: the precheck's A1 for
    /// the hosts alone. `extra` adds needs by host name (install directories and package sizes);
    /// `footprints` give the datasources' double-write needs when they were measured.
    public static func check(_ environment: Environment, connections: SSHConnections,
                             extra: [String: [ResourceAssessment.DiskNeed]] = [:], footprints: [DatasourceFootprint] = [],
                             interval: Duration = .milliseconds(250)) async -> (hosts: [HostResources], checks: [CheckResult]) {
        let needs: @Sendable (String) -> [ResourceAssessment.DiskNeed] = {
            HostDiskNeeds.needs(ofHost: $0, environment: environment, footprints: footprints, extra: extra)
        }
        let probes = SSHResourceProbe.probes(for: environment, connections: connections, interval: interval)
        let measured = await measure(probes) { HostDiskNeeds.paths(needs($0)) }
        return evaluate(measured, thresholds: environment.thresholds, needs: needs)
    }
}
