/// Defaults that apply when a manifest says nothing, kept in one place ("policies are data").
public struct TaskDefaults: Sendable, Hashable {
    public var timeouts: [TaskKind: TimeSpan]

    public init(timeouts: [TaskKind: TimeSpan]) { self.timeouts = timeouts }

    public static let standard = TaskDefaults(timeouts: [
        .sql: .minutes(30),
        .tool: .minutes(60),
        .redis: .minutes(10),
        .config: .minutes(5),
    ])

    public func timeout(for task: UpgradeTask) -> TimeSpan {
        task.timeout ?? timeouts[task.kind] ?? .minutes(30)
    }
}

/// Duration arithmetic of A4: `volume / (rate × parallel)`; units must match (bytes with bytes/s).
public enum DurationEstimator {
    public static func estimate(volume: Volume?, rate: Rate?, parallel: Int?) -> TimeSpan? {
        guard let volume, let rate, rate.perSecond > 0 else { return nil }
        let amount: Double
        switch (volume, rate.unit) {
        case (.bytes(let b), .bytes): amount = Double(b)
        case (.rows(let r), .rows): amount = Double(r)
        default: return nil
        }
        return estimate(amount: amount, perSecond: rate.perSecond, parallel: parallel)
    }

    public static func estimate(amount: Double, perSecond: Double, parallel: Int?) -> TimeSpan? {
        let workers = Double(max(parallel ?? 1, 1))
        guard perSecond > 0, amount.isFinite, amount >= 0 else { return nil }
        return TimeSpan(seconds: amount / (perSecond * workers))
    }
}
