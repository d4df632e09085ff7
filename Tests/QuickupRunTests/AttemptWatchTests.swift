import QuickupCore
import Testing
@testable import QuickupRun

/// Issue 20.3: one timer task watches every SQL attempt of a component (E7 warnings and limit,
/// E9 progress), as `Deadline` does for one attempt, on the injected clock (DeadlineTests runs
/// the same scenarios on both).
@Suite("One watch for a component's attempts (E7, E9)")
struct AttemptWatchTests {
    @Test("attempts one after the other arm no timer of their own: 200 attempts, the watch sleeps a couple of times")
    func oneTimerForMany() async throws {
        let clock = ManualClock()
        let watch = AttemptWatch(clock: clock)
        let watcher = Task { await watch.watch() }
        defer { watcher.cancel() }
        let warnings = Warnings()
        for n in 0..<200 {
            let value = try await watch.run(limit: .seconds(600), warn: { f, _ in warnings.add(f) },
                                            progress: .init(interval: .seconds(10)) { _ in }) { n }
            #expect(value == n)
        }
        // The first attempt wakes the idle watch once; every later one's events come after the
        // wake-up it planned (equal timeouts, the same interval). A timer per attempt: 200 sleeps.
        #expect(clock.sleepCalls <= 3, "\(clock.sleepCalls) sleeps")
        #expect(warnings.values.isEmpty)
        // Still watching: a stuck attempt after them times out.
        let running = Gate()
        let stuck = Task {
            try await watch.run(limit: .seconds(60), warn: { _, _ in }) {
                running.open()
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(1)) }
                return -1
            }
        }
        await running.wait()  // registered: the watch already sleeps (since the first attempt)
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(60))
        await #expect(throws: Deadline<ManualClock>.TimedOut.self) { try await stuck.value }
    }

    @Test("a task preferring a dedicated thread runs on it, where blocking is allowed; elsewhere it is not")
    func dedicatedThread() async {
        let thread = DedicatedThread(name: "quickup-test")
        defer { thread.stop() }
        #expect(!DedicatedThread.isCurrent)
        let inside = await withTaskExecutorPreference(thread) { () async -> [Bool] in
            var seen = [DedicatedThread.isCurrent]
            await Task.yield()
            seen.append(DedicatedThread.isCurrent)
            // A child inherits the preference.
            seen.append(await Task { DedicatedThread.isCurrent }.value == false)  // unstructured: no preference
            async let child = DedicatedThread.isCurrent
            seen.append(await child)
            return seen
        }
        #expect(inside == [true, true, true, true])
    }
}
