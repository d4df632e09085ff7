import QuickupCore

/// How often and how patiently a driver tries to connect (SPEC D3: 3 tries with backoff).
///
/// Only failures to *reach* the server are retried (`datasourceUnreachable`); a wrong password or a
/// failed statement is not, since trying again cannot help and may lock an account. The policy is
/// plain data with an injectable `sleep`, so tests check the schedule without waiting for it.
public struct ConnectRetryPolicy: Sendable {
    /// Total tries, the first included; at least 1.
    public var tries: Int
    /// Wait after the first failure; each later wait is `factor` times the previous one.
    public var firstDelay: Duration
    public var factor: Double
    public var maxDelay: Duration
    /// Waits between tries; throws when the calling task is cancelled.
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(tries: Int, firstDelay: Duration, factor: Double = 2, maxDelay: Duration = .seconds(10),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.tries = max(1, tries)
        self.firstDelay = firstDelay
        self.factor = factor
        self.maxDelay = maxDelay
        self.sleep = sleep
    }

    /// 3 tries, waiting 0.5 s then 1 s: a restarting server or a flapping link gets a second chance,
    /// a dead one is reported within seconds (plus the connect timeouts).
    public static var standard: ConnectRetryPolicy { ConnectRetryPolicy(tries: 3, firstDelay: .milliseconds(500)) }

    /// One try, no waiting: for probes that report reachability themselves.
    public static var once: ConnectRetryPolicy { ConnectRetryPolicy(tries: 1, firstDelay: .zero) }

    /// The wait after failed try `number` (1-based).
    public func delay(afterTry number: Int) -> Duration {
        var delay = firstDelay
        var step = 1
        while step < number {
            delay = delay * factor
            step += 1
            if delay >= maxDelay { return maxDelay }
        }
        return min(delay, maxDelay)
    }

    /// Runs `attempt(tryNumber)` until it succeeds, throws an error other than
    /// `datasourceUnreachable`, or the tries are used up; the last error then says how many tries
    /// were made, so the message reads "… (3 tries)".
    public func run<T>(_ attempt: (Int) async throws(QuickupError) -> T) async throws(QuickupError) -> T {
        var number = 1
        while true {
            do {
                return try await attempt(number)
            } catch where error.code == .datasourceUnreachable && number < tries {
                do {
                    try await sleep(delay(afterTry: number))
                } catch {
                    throw QuickupError(.statementCancelled, "connecting was cancelled after \(number) of \(tries) tries")
                }
                number += 1
            } catch {
                guard error.code == .datasourceUnreachable, tries > 1 else { throw error }
                var final = error
                final.message += " (\(tries) tries)"
                throw final
            }
        }
    }
}

/// Connect and read timeouts of a datasource (SPEC D3): env.yaml's `connect_timeout` and
/// `read_timeout`, or these defaults.
extension DatasourceConfig {
    /// Long enough for a loaded server across a WAN link, short enough that three tries of an
    /// unreachable host end within half a minute or so.
    public static let defaultConnectTimeout = TimeSpan.seconds(10)
    /// How long a server may stay silent while a statement runs. Schema changes on big tables
    /// take minutes; the task's own timeout (E7) is the real limit, this only catches dead links.
    public static let defaultReadTimeout = TimeSpan.minutes(30)

    public var connectTimeoutOrDefault: TimeSpan { connectTimeout ?? Self.defaultConnectTimeout }
    public var readTimeoutOrDefault: TimeSpan { readTimeout ?? Self.defaultReadTimeout }
}
