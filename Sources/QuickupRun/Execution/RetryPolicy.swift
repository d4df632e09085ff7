import QuickupCore

/// How often a failed task is tried again and how long to wait between tries (E8, T4).
/// Data, not code paths: it comes from the task's manifest keys or its plugin class's defaults.
public struct RetryPolicy: Sendable, Hashable {
    /// Extra tries after the first.
    public var retries: Int
    public var interval: Duration

    public init(retries: Int, interval: Duration) {
        self.retries = max(0, retries)
        self.interval = interval
    }

    /// A plugin class's failure policy (T4) as retries.
    public init(_ policy: FailurePolicy) {
        self.init(retries: policy.tries - 1, interval: .milliseconds(policy.interval.milliseconds))
    }

    /// Failures that another try cannot fix: the run was cancelled, or the release is wrong.
    public static let neverRetried: Set<QuickupError.Code> = [.cancelled, .fileNotFound, .manifestInvalid, .unsupported, .toolNotStarted]

    public static let none = RetryPolicy(retries: 0, interval: .zero)

    /// The task's own `.retries`/`.retry_interval`, else `fallback`.
    public static func of(_ task: UpgradeTask, fallback: RetryPolicy = .none) -> RetryPolicy {
        RetryPolicy(retries: task.retries ?? fallback.retries,
                    interval: task.retryInterval.map { .milliseconds($0.milliseconds) } ?? fallback.interval)
    }

    /// Whether another try is allowed after `attempt` (1-based) failed. A task that may have
    /// changed data is retried only when it is transactional (rolled back) or declared retryable.
    public func allowsRetry(after attempt: Int, mayHaveChangedData: Bool, retryable: Bool) -> Bool {
        guard attempt <= retries else { return false }
        return !mayHaveChangedData || retryable
    }
}
