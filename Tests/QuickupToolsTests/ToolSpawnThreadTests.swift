import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupTools

/// Runs every job on a thread of its own that ends right after it: the harshest case of a
/// thread pool that retires idle threads, as Swift's cooperative pool does on Linux.
final class ThreadPerJob: TaskExecutor, Sendable {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        Thread { job.runSynchronously(on: self.asUnownedTaskExecutor()) }.start()
    }
}

/// T1, T3, E4: a tool's parent-death signal (`setpriv --pdeathsig KILL`) is bound to the *thread*
/// that started it, and Swift's cooperative pool retires threads that sit idle (measured: a
/// `setpriv --pdeathsig KILL sleep 40` started by posix_spawn from a task, the process then idle
/// 15 s: SIGKILL). Tools are safe because swift-subprocess starts every process from one worker
/// thread of its own that lives as long as the process; this test keeps it that way — a tool
/// must die with quickup, never with the thread that happened to ask for it.
@Suite("Tools outlive the thread that asked for them (T1, T3)")
struct ToolSpawnThreadTests {
    @Test("a tool asked for from a thread that ends at once still runs to its end",
          .enabled(if: IsolationSupport.current.toolsDieWithQuickup, "needs quickup-launch or setpriv --pdeathsig (util-linux ≥ 2.33)"))
    func outlivesTheCallersThread() async throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        // It outlives the caller's thread by design: that thread ends at the caller's first await.
        let tool = try fixture.script("steady.sh", "#!/bin/sh\nsleep 2\necho '{\"result\": \"survived\"}'\n")
        let (outcome, _) = try await Task(executorPreference: ThreadPerJob()) {
            try await fixture.run(fixture.invocation(tool, name: "steady"))
        }.value
        #expect(outcome.succeeded, "\(outcome)")
        #expect(outcome.result == #""survived""#)
    }

    @Test("the control: a process started on such a thread itself, with the same signal, is killed when the thread ends",
          .enabled(if: IsolationSupport.current.toolsDieWithQuickup, "needs quickup-launch or setpriv --pdeathsig (util-linux ≥ 2.33)"))
    func theHazardIsReal() async throws {
        // What starts tools sets the signal: quickup-launch, else setpriv.
        let support = IsolationSupport.current
        let arguments = try support.launcher.map { [$0, "--", "/bin/sleep", "30"] }
            ?? [try #require(support.parentDeathSignal), "--pdeathsig", "KILL", "/bin/sleep", "30"]
        let pid = await Task(executorPreference: ThreadPerJob()) { () -> pid_t in
            var pid: pid_t = 0
            var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            guard posix_spawn(&pid, arguments[0], nil, nil, &argv, environ) == 0 else { return -1 }
            // The thread must outlive the launcher's prctl: once the process is `sleep`, it has.
            for _ in 0..<10_000 {
                if (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) == "sleep\n" { break }
                usleep(1_000)
            }
            return pid
        }.value
        try #require(pid > 0)
        var status: Int32 = 0
        // Blocks until the sleep ends: killed at once when its thread ended, or after 30 s.
        #expect(waitpid(pid, &status, 0) == pid)
        #expect(status & 0x7f == SIGKILL, "status \(status)")
    }
}
