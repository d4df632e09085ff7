/// Exponential backoff between reconnect tries (S1, robustness doc §4.6.2 "指数退避"): data only;
/// whoever waits takes an injected sleep, so tests check the schedule without sleeping.
public struct Backoff: Sendable, Hashable, Codable {
    /// Wait after the first failed try; each later wait is `factor` times the previous one.
    public var firstDelay: TimeSpan
    public var factor: Double
    public var maxDelay: TimeSpan

    public init(firstDelay: TimeSpan, factor: Double = 2, maxDelay: TimeSpan = .seconds(30)) {
        self.firstDelay = firstDelay
        self.factor = max(1, factor)
        self.maxDelay = maxDelay
    }

    /// 1 s, 2 s, 4 s … at most 30 s: a rebooting switch or a restarting sshd gets time to come back.
    public static let standard = Backoff(firstDelay: .seconds(1))

    /// The wait after failed try `number` (1-based).
    public func delay(afterTry number: Int) -> TimeSpan {
        var delay = Double(firstDelay.milliseconds)
        for _ in 1..<max(1, number) {
            delay *= factor
            if delay >= Double(maxDelay.milliseconds) { return maxDelay }
        }
        return TimeSpan(milliseconds: min(Int64(delay), maxDelay.milliseconds))
    }

    /// The waits of `tries` failed tries, in order.
    public func schedule(tries: Int) -> [TimeSpan] {
        tries > 0 ? (1...tries).map(delay(afterTry:)) : []
    }
}
