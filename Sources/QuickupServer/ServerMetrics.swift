import Foundation
import Prometheus
import QuickupRun

/// `/metrics` in Prometheus' text format (H1): runs by status (from the journal, so CLI runs
/// count too), task durations, tasks in flight, assessment results and HTTP requests. Labels
/// are fixed words and route patterns only — never a path, a site's value or a secret.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let taskDurations: DurationHistogram
    let inFlight: Gauge

    public init() {
        taskDurations = registry.makeDurationHistogram(
            descriptor: Self.name("task_duration", unit: "seconds", help: "Duration of the tasks of runs started through the API"),
            buckets: [.milliseconds(10), .milliseconds(100), .seconds(1), .seconds(10), .seconds(60), .seconds(600), .seconds(3600)])
        inFlight = registry.makeGauge(descriptor: Self.name("tasks_in_flight", help: "Tasks running now in runs started through the API"))
    }

    /// `quickup_<metric>[_<unit>]`, the names /metrics has always had.
    static func name(_ metric: String, unit: String = "", help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "quickup", metricName: metric, unitName: unit, helpText: help)
    }

    func request(method: String, route: String, status: Int) {
        registry.makeCounter(descriptor: Self.name("http_requests", unit: "total", help: "HTTP requests answered"),
                             labels: [("method", method), ("route", route), ("status", String(status))]).increment()
    }

    func assessment(_ status: String) {
        registry.makeCounter(descriptor: Self.name("assessments", unit: "total", help: "Assessments made through the API, by result"),
                             labels: [("status", status)]).increment()
    }

    func finished(_ result: RunResult) {
        for task in result.tasks {
            if let ms = task.durationMs { taskDurations.record(.milliseconds(ms)) }
        }
    }

    /// The text for one scrape; `runs` are the journal's runs, counted by status.
    func render(runs: [RunRecord], tasksInFlight: Int) -> String {
        inFlight.set(Double(tasksInFlight))
        for status in RunStatus.allCases {
            registry.makeGauge(descriptor: Self.name("runs", help: "Runs recorded in the state journal, by status"),
                               labels: [("status", status.rawValue)])
                .set(Double(runs.filter { $0.status == status }.count))
        }
        return registry.emitToString()
    }
}
