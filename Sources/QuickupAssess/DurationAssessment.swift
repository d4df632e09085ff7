import QuickupCore

/// One task's estimated duration and where the figure came from (A4).
public struct TaskDuration: Codable, Sendable, Hashable {
    public var key: String
    public var component: String
    public var uid: String
    public var description: String
    public var seconds: Double?
    /// `volume` (declared), `measured_volume` (its SQL, run now), `history` (journal median), or nil.
    public var source: String?
    /// In words: "100 GiB at 50 MiB/s × 4", "median of 3 past runs".
    public var basis: String
    /// Longer than the long-task limit (5 min by default).
    public var flagged: Bool
}

/// One stage: pre_stop tasks run side by side (→ the longest), the others one after another (→ the sum).
public struct StageDuration: Codable, Sendable, Hashable {
    public enum Combine: String, Codable, Sendable { case max, sum }
    public var stage: Stage
    public var combine: Combine
    public var seconds: Double
    public var tasks: [TaskDuration]
    /// Tasks without any estimate: they count as 0 in `seconds`.
    public var unestimated: Int
}

/// The A4 figures: per stage, the outage (in_stop) and the whole upgrade.
public struct DurationSummary: Codable, Sendable, Hashable {
    public var stages: [StageDuration]
    public var outageSeconds: Double
    public var totalSeconds: Double
    public var longTaskSeconds: Double
    /// The backups before the first change (F3): in the whole upgrade, before the stop.
    public var backup: BackupDuration? = nil

    /// in_stop tasks without any estimate: the outage is unknown for them, not 0 (issue 14 item 4).
    public var outageUnestimated: Int { stages.first { $0.stage == .inStop }?.unestimated ?? 0 }

    /// The outage in words: `3m`, `unknown for 7 tasks`, or `3m + unknown for 2 tasks`.
    public func outageText(_ span: (Double) -> String) -> String {
        let unknown = outageUnestimated
        guard unknown > 0 else { return span(outageSeconds) }
        let text = "unknown for \(unknown) task\(unknown == 1 ? "" : "s")"
        return outageSeconds > 0 ? "\(span(outageSeconds)) + \(text)" : text
    }
}

/// Estimates each task (journal history first, then a volume measured live, then the declared
/// volume) and adds them up per stage (A4).
public enum DurationAssessment {
    public static func assess(_ plan: Plan, history: [String: [Int64]], measured: [String: Result<Double, QuickupError>],
                              longTask: TimeSpan = .minutes(5), backup: BackupDuration? = nil) -> (DurationSummary, [CheckResult]) {
        var checks: [CheckResult] = []
        var stages: [StageDuration] = []
        for stagePlan in plan.stages {
            let combine: StageDuration.Combine = stagePlan.stage == .preStop ? .max : .sum
            var tasks: [TaskDuration] = []
            for planned in stagePlan.components.flatMap(\.tasks) {
                let (task, problem) = estimate(planned, history: history[planned.task.key] ?? [], measured: measured[planned.task.key],
                                               longTask: longTask)
                tasks.append(task)
                if let problem { checks.append(problem) }
                if task.flagged, let seconds = task.seconds {
                    checks.append(CheckResult(
                        category: .duration, id: "duration.\(task.key)", title: "\(task.component) \(planned.task.qualifiedUID) (\(stagePlan.stage))",
                        status: .warn, summary: "estimated \(TimeSpan(seconds: seconds)) (\(task.basis)), over \(longTask)",
                        measured: seconds, threshold: longTask.seconds, unit: "seconds",
                        suggestion: suggestion(planned, stage: stagePlan.stage)))
                }
            }
            let known = tasks.compactMap(\.seconds)
            let seconds = combine == .max ? (known.max() ?? 0) : known.reduce(0, +)
            stages.append(StageDuration(stage: stagePlan.stage, combine: combine, seconds: seconds, tasks: tasks,
                                        unestimated: tasks.count - known.count))
        }
        // The backups add to the whole upgrade, and to the outage only for what is taken inside the stop window.
        let outage = (stages.first { $0.stage == .inStop }?.seconds ?? 0) + (backup?.inOutageSeconds ?? 0)
        let summary = DurationSummary(stages: stages, outageSeconds: outage,
                                      totalSeconds: stages.reduce(0) { $0 + $1.seconds } + (backup?.seconds ?? 0),
                                      longTaskSeconds: longTask.seconds, backup: backup)
        let unestimated = stages.reduce(0) { $0 + $1.unestimated }
        var outageCheck = CheckResult(
            category: .duration, id: "duration.outage", title: "Outage (in_stop, tasks one after another)", status: .pass,
            summary: "estimated outage \(summary.outageText(HumanDuration.compact)); whole upgrade \(HumanDuration.compact(summary.totalSeconds))"
                + (backup.map { "; \($0.text(HumanDuration.compact))" } ?? "")
                + (unestimated > 0 ? "; \(unestimated) task\(unestimated == 1 ? " has" : "s have") no estimate and count as 0" : ""),
            measured: outage, unit: "seconds")
        if unestimated > 0 { outageCheck.suggestion = "declare .volume and .rate for the tasks without an estimate, or run them once so the journal has their duration" }
        checks.insert(outageCheck, at: 0)
        return (summary, checks)
    }

    static func estimate(_ planned: PlannedTask, history: [Int64], measured: Result<Double, QuickupError>?,
                         longTask: TimeSpan) -> (TaskDuration, CheckResult?) {
        let task = planned.task
        var result = TaskDuration(key: task.key, component: task.component, uid: task.qualifiedUID, description: task.description,
                                  seconds: nil, source: nil, basis: "no volume, rate or history", flagged: false)
        var problem: CheckResult?
        let workers = max(task.parallel ?? 1, 1)
        let times = workers > 1 ? " × \(workers)" : ""
        if let median = median(history) {
            result.seconds = Double(median) / 1000
            result.source = Estimate.Source.history.rawValue
            result.basis = "median of \(history.count) past run\(history.count == 1 ? "" : "s")"
        } else if let measured, let rate = task.rate {
            switch measured {
            case .success(let amount):
                result.seconds = DurationEstimator.estimate(amount: amount, perSecond: rate.perSecond, parallel: task.parallel)?.seconds
                result.source = Estimate.Source.measuredVolume.rawValue
                let volume = rate.unit == .bytes ? ByteSize(bytes: Int64(amount)).description : "\(grouped(Int64(amount))) rows"
                result.basis = "\(volume) measured now at \(text(rate))\(times)"
            case .failure(let error):
                result.basis = "volume query failed"
                problem = CheckResult(category: .duration, id: "duration.volume.\(task.key)", title: "\(task.component) \(task.qualifiedUID) volume",
                                      status: .warn, summary: "cannot measure the volume: \(error.message)",
                                      suggestion: "fix the task's .volume query; until then its duration is unknown")
            }
        } else if let estimate = planned.estimate {
            result.seconds = estimate.duration.seconds
            result.source = estimate.source.rawValue
            result.basis = "\(task.volume.map(text) ?? "?") at \(task.rate.map(text) ?? "?")\(times)"
        }
        if let seconds = result.seconds { result.flagged = seconds > longTask.seconds }
        return (result, problem)
    }

    /// `20,000,000 rows` rather than `20000000 rows`.
    static func text(_ volume: Volume) -> String {
        if case .rows(let n) = volume { return "\(grouped(n)) rows" }
        return volume.description
    }

    static func text(_ rate: Rate) -> String {
        rate.unit == .rows ? "\(grouped(Int64(rate.perSecond))) rows/s" : rate.description
    }

    static func grouped(_ n: Int64) -> String {
        let digits = Array(String(n.magnitude))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return (n < 0 ? "-" : "") + out
    }

    static func median(_ values: [Int64]) -> Int64? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    static func suggestion(_ planned: PlannedTask, stage: Stage) -> String {
        var text = "split it into smaller batches or raise .parallel"
        if stage == .inStop {
            text += planned.compatibility == .compatible
                ? "; it is compatible with the running version, so it could move to pre_stop and shorten the outage"
                : "; it lengthens the outage"
        }
        return text
    }
}
