import QuickupCore
import Synchronization

/// The run's estimates as they are corrected while it runs (A5): each running task's
/// `EstimateCheck` and the outage (the in_stop tasks, one after another) they add up to.
public final class LiveEstimates: Sendable {
    /// A corrected estimate, for the run's line, its detail log and journal event.
    public struct Correction: Sendable, Equatable {
        public var taskKey: String
        public var previous: Duration
        public var corrected: Duration
        public var elapsed: Duration
        public var fraction: Double?
        /// The outage estimate after the correction, when the task runs in the outage.
        public var outage: Duration?
        /// in_stop tasks that still have no estimate at all (the outage is a lower bound then).
        public var unknownInOutage: Int
    }

    private struct State {
        var checks: [String: EstimateCheck] = [:]
        var outageSeconds: Double = 0
        var unknownInOutage = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Starts from the plan's estimates (A4).
    public func start(_ plan: Plan) {
        let inStop = plan.stage(.inStop)?.components.flatMap(\.tasks) ?? []
        state.withLock { state in
            state = State()
            state.outageSeconds = inStop.compactMap { $0.estimate?.duration.seconds }.reduce(0, +)
            state.unknownInOutage = inStop.filter { $0.estimate == nil }.count
        }
    }

    public var outage: Duration { state.withLock { .milliseconds(Int64(($0.outageSeconds * 1000).rounded())) } }

    /// One progress sample of a running task; a correction when its estimate moved by > 20 %.
    func sample(_ planned: PlannedTask, elapsed: Duration, fraction: Double?) -> Correction? {
        guard let estimate = planned.estimate?.duration.seconds else { return nil }
        let key = planned.task.key
        let seconds = Double(elapsed.milliseconds) / 1000
        return state.withLock { (state: inout State) -> Correction? in
            var check = state.checks[key] ?? EstimateCheck(estimate: estimate)
            let previous = check.estimate
            let corrected = check.sample(elapsed: seconds, fraction: fraction)
            state.checks[key] = check
            guard let corrected else { return nil }
            let inOutage = planned.task.stage == .inStop
            if inOutage { state.outageSeconds += corrected - previous }
            return Correction(taskKey: key, previous: Self.duration(previous), corrected: Self.duration(corrected), elapsed: elapsed,
                              fraction: fraction, outage: inOutage ? Self.duration(state.outageSeconds) : nil,
                              unknownInOutage: state.unknownInOutage)
        }
    }

    /// The task's estimate in force: the last correction, else the plan's.
    func current(_ planned: PlannedTask) -> TimeSpan? {
        let corrected = state.withLock { $0.checks[planned.task.key]?.estimate }
        return corrected.map { TimeSpan(seconds: $0) } ?? planned.estimate?.duration
    }

    /// The task ended: its check is dropped (a retry starts again from the plan's estimate).
    func end(_ key: String) {
        _ = state.withLock { $0.checks.removeValue(forKey: key) }
    }

    private static func duration(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }
}

/// A correction as the operator and the record see it (A5): a line (and the live display), the
/// detail log and a journal event.
struct EstimateReport: Sendable {
    let runID: String
    let output: RunOutput
    let journal: Journal
    let writes: RecordWrites
    let now: @Sendable () -> Int64

    func report(_ correction: LiveEstimates.Correction, of planned: PlannedTask) {
        let task = planned.task
        let previous = TimeSpan(milliseconds: correction.previous.milliseconds)
        let corrected = TimeSpan(milliseconds: correction.corrected.milliseconds)
        var message = "\(task.qualifiedUID): estimate corrected from ~\(previous) to ~\(corrected)"
            + (correction.fraction.map { " (\(Int(($0 * 100).rounded())) % done after \(correction.elapsed.short))" }
                ?? " (still running after \(correction.elapsed.short), no progress reported)")
        if let outage = correction.outage {
            message += "; outage estimate now ~\(TimeSpan(milliseconds: outage.milliseconds))"
                + (correction.unknownInOutage > 0 ? " plus \(correction.unknownInOutage) task\(correction.unknownInOutage == 1 ? "" : "s") without an estimate" : "")
        }
        output.line("[ESTIMATE] \(message)")
        output.board?.reestimate(task.key, estimate: correction.corrected)
        var record = DetailRecord(run: runID, event: "estimate_corrected", at: now(), task: task, datasource: planned.datasource)
        record.durationMs = correction.corrected.milliseconds
        record.message = message
        output.record(record)
        writes.attempt("the estimate_corrected event of \(task.key) in the journal") { () throws(QuickupError) in
            try journal.append(EventRecord(runID: runID, at: now(), level: "info", kind: "estimate_corrected", taskKey: task.key, message: message))
        }
    }
}
