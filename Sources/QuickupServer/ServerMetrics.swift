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
            name: "quickup_task_duration_seconds",
            buckets: [.milliseconds(10), .milliseconds(100), .seconds(1), .seconds(10), .seconds(60), .seconds(600), .seconds(3600)],
            help: "Duration of the tasks of runs started through the API")
        inFlight = registry.makeGauge(name: "quickup_tasks_in_flight", help: "Tasks running now in runs started through the API")
    }

    func request(method: String, route: String, status: Int) {
        registry.makeCounter(name: "quickup_http_requests_total",
                             labels: [("method", method), ("route", route), ("status", String(status))],
                             help: "HTTP requests answered").increment()
    }

    func assessment(_ status: String) {
        registry.makeCounter(name: "quickup_assessments_total", labels: [("status", status)],
                             help: "Assessments made through the API, by result").increment()
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
            registry.makeGauge(name: "quickup_runs", labels: [("status", status.rawValue)],
                               help: "Runs recorded in the state journal, by status")
                .set(Double(runs.filter { $0.status == status }.count))
        }
        return registry.emitToString()
    }
}
