/// A5: while a task runs, its progress is compared with its estimate every 30 s; when the
/// projected duration differs from the current estimate by more than 20 %, the estimate is
/// corrected. Pure: the caller samples (on its injected clock) and reports the correction.
public struct EstimateCheck: Sendable, Equatable {
    /// How far off the projection may be before the estimate is corrected.
    public static let tolerance = 0.2
    /// How often progress is compared with the estimate.
    public static let interval: Double = 30
    /// Below this share done a projection is noise (a slow start, a first batch).
    public static let minimumFraction = 0.02

    /// The estimate in force (seconds): the plan's, then each correction.
    public private(set) var estimate: Double
    /// Elapsed seconds at the last comparison.
    public private(set) var lastSample: Double = 0

    public init(estimate: Double) { self.estimate = estimate }

    /// The projected total when `elapsed` (seconds, since the task started) and `fraction` done
    /// put it more than 20 % away from the estimate, else nil. Without a fraction only an
    /// overrun is known: the projection is then the time elapsed so far (a lower bound).
    public static func projection(estimate: Double, elapsed: Double, fraction: Double?) -> Double? {
        guard estimate > 0, elapsed > 0 else { return nil }
        let projected: Double
        if let fraction, fraction >= minimumFraction, fraction <= 1 {
            projected = elapsed / fraction
        } else {
            projected = elapsed
            guard elapsed > estimate * (1 + tolerance) else { return nil }
        }
        return abs(projected - estimate) > estimate * tolerance ? projected : nil
    }

    /// Samples at most every 30 s of elapsed time; returns the new estimate when it changed.
    public mutating func sample(elapsed: Double, fraction: Double?) -> Double? {
        guard elapsed - lastSample >= Self.interval else { return nil }
        lastSample = elapsed
        guard let projected = Self.projection(estimate: estimate, elapsed: elapsed, fraction: fraction) else { return nil }
        estimate = projected
        return projected
    }
}
