#if canImport(Glibc)
import Glibc
#endif

/// CPU time the calling thread spends in a piece of work.
///
/// Tests that check growth (linear, not quadratic) compare two runs of the same code. Wall-clock
/// time cannot serve: on a loaded 2-core machine another process may take the CPU during one run
/// and not the other (issue 13 item 10 — a 10× margin on wall-clock time still failed in CI). The
/// thread's own CPU clock advances only while this thread runs, so other processes' load does not
/// enter the comparison.
public enum ThreadCPUTime {
    /// The thread's CPU time now.
    public static func now() -> Duration {
        var spec = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec) == 0 else { return .zero }
        return .seconds(spec.tv_sec) + .nanoseconds(spec.tv_nsec)
    }

    /// The least CPU time of `runs` runs of `work` (the least is the run least disturbed by cache
    /// and page-fault effects).
    public static func fastest(of runs: Int = 1, _ work: () throws -> Void) rethrows -> Duration {
        var best = Duration.seconds(3_600)
        for _ in 0..<max(1, runs) {
            let start = now()
            try work()
            best = min(best, now() - start)
        }
        return best
    }
}
