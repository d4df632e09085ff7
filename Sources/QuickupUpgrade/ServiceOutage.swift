import Foundation
import QuickupCore
import QuickupRun

/// The outage of one service observed during an upgrade (F1): the time during which none of its
/// hosts served, from the stop and start steps' own timings, next to A4's estimate.
public struct ServiceOutage: Sendable, Hashable, Codable {
    public var component: String
    public var observedMs: Int64
    /// A4's estimate of the outage (the in_stop stage) in seconds, when the precheck made one.
    public var estimateSeconds: Double?

    /// Each host is down from the start of its stop to its readiness after start; the service
    /// is down while every host is (the intersection). Hosts never stopped keep it up.
    public static func measure(_ steps: [StepRecord], scope: UpgradeScope, estimateSeconds: Double?) -> [ServiceOutage] {
        let latest = Dictionary(steps.map { ($0.key, $0) }, uniquingKeysWith: { a, b in a.attempt >= b.attempt ? a : b })
        return scope.deployments.map { deployment in
            var intervals: [(Int64, Int64)] = []
            for host in deployment.hosts {
                let stop = latest[UpgradeStep(.stop(host: host.name, component: deployment.component), flow: .formal).key]
                let start = latest[UpgradeStep(.start(host: host.name, component: deployment.component), flow: .formal).key]
                guard let began = StepDetail(stop?.detail)["stopBegan"].flatMap(Int64.init),
                      let ready = StepDetail(start?.detail)["readyAt"].flatMap(Int64.init) else { continue }
                intervals.append((began, ready))
            }
            let observed: Int64
            if intervals.count == deployment.hosts.count, let begin = intervals.map(\.0).max(), let end = intervals.map(\.1).min() {
                observed = max(0, end - begin)
            } else {
                observed = 0
            }
            return ServiceOutage(component: deployment.component, observedMs: observed, estimateSeconds: estimateSeconds)
        }
    }

    public var line: String {
        let estimate = estimateSeconds.map { String(format: "%.1f s", $0) } ?? "none"
        return "outage of \(component): observed \(String(format: "%.1f s", Double(observedMs) / 1000)) (A4 estimate of the in_stop outage: \(estimate))"
    }
}

/// A step's detail: a few named values kept as JSON in the journal.
public struct StepDetail: Sendable {
    public var values: [String: String]
    public init(_ json: String?) {
        values = json.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
    }
    public init(values: [String: String]) { self.values = values }
    public subscript(_ key: String) -> String? { values[key] }
    public var json: String? {
        guard let data = try? JSONEncoder().encode(values) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
