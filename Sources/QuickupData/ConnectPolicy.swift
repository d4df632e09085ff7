import QuickupCore

/// How a driver connects (SPEC D3): timeouts, how many tries, how long to wait between them.
/// Plain data so that it can come from env.yaml and be shown in a plan; the waiting itself is
/// done by a `RetrySleeper`, which tests replace so that backoff needs no real time.
public struct ConnectPolicy: Sendable, Hashable {
    /// Bound on reaching the server and logging in, per try.
    public var connectTimeout: TimeSpan
    /// Bound on waiting for one reply. `nil` (the default) means no bound: an `ALTER TABLE` may
    /// legitimately answer after hours; task timeouts (E7) stop statements with `KILL QUERY`.
    public var readTimeout: TimeSpan?
    /// Bound on sending one request (a stuck network, a frozen server).
    public var writeTimeout: TimeSpan?
    /// Tries in all, at least 1 (D3: 3).
    public var tries: Int
    /// Wait before the 2nd, 3rd … try; the last value repeats when there are more tries.
    public var backoff: [TimeSpan]

    public init(connectTimeout: TimeSpan = .seconds(10), readTimeout: TimeSpan? = nil,
                writeTimeout: TimeSpan? = .seconds(60), tries: Int = 3,
                backoff: [TimeSpan] = [TimeSpan(milliseconds: 500), .seconds(1)]) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.writeTimeout = writeTimeout
        self.tries = tries
        self.backoff = backoff
    }

    public static let standard = ConnectPolicy()

    /// The same policy with the timeouts a datasource sets in env.yaml taking precedence.
    public func applying(_ config: DatasourceConfig) -> ConnectPolicy {
        var policy = self
        if let timeout = config.connectTimeout { policy.connectTimeout = timeout }
        if let timeout = config.readTimeout { policy.readTimeout = timeout }
        return policy
    }

    /// The wait before try number `attempt` (2-based: there is no wait before the first).
    public func delay(beforeTry attempt: Int) -> TimeSpan {
        guard attempt >= 2, let last = backoff.last else { return TimeSpan(milliseconds: 0) }
        let index = attempt - 2
        return index < backoff.count ? backoff[index] : last
    }
}

/// Waits between connection tries. `.real` sleeps (and stops early when the task is cancelled);
/// tests pass one that records the requested waits and returns at once.
public struct RetrySleeper: Sendable {
    public var sleep: @Sendable (TimeSpan) async throws -> Void

    public init(_ sleep: @escaping @Sendable (TimeSpan) async throws -> Void) { self.sleep = sleep }

    public static let real = RetrySleeper { span in
        try await Task.sleep(for: .milliseconds(span.milliseconds))
    }
}

/// One failed try, as the retry loop sees it.
public struct ConnectFailure: Error, Sendable {
    /// Whether another try may succeed: a refused or timed-out connection may, a wrong password
    /// or an unknown database will not (and retrying them could lock the account out).
    public var isTransient: Bool
    /// What to report if this was the last try; the loop adds the number of tries.
    public var error: QuickupError

    public init(isTransient: Bool, error: QuickupError) {
        self.isTransient = isTransient
        self.error = error
    }
}

/// The retry loop of D3, apart from any driver so it can be tested without a server.
public enum ConnectRetry {
    /// Calls `attempt` (with the 1-based try number) until it succeeds, fails for a reason a
    /// retry cannot fix, or `policy.tries` have failed; waits `policy.delay(beforeTry:)` between.
    /// The error of the last try is thrown with "after N tries" added to its message.
    public static func run<T: Sendable>(
        policy: ConnectPolicy, sleeper: RetrySleeper,
        attempt: (Int) async throws(ConnectFailure) -> T
    ) async throws(QuickupError) -> T {
        let tries = max(1, policy.tries)
        var tried = 0
        while true {
            tried += 1
            do {
                return try await attempt(tried)
            } catch {
                guard error.isTransient, tried < tries else {
                    var reported = error.error
                    if tried > 1 { reported.message += " (after \(tried) tries)" }
                    throw reported
                }
            }
            do {
                try await sleeper.sleep(policy.delay(beforeTry: tried + 1))
            } catch {
                throw QuickupError(.cancelled, "connecting was cancelled after \(tried) of \(tries) tries")
            }
            if Task.isCancelled {
                throw QuickupError(.cancelled, "connecting was cancelled after \(tried) of \(tries) tries")
            }
        }
    }
}
