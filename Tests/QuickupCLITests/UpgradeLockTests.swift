import Foundation
import QuickupTestSupport
import Testing

/// A whole upgrade holds its site's lock for its whole duration (E6, F1; issue 15), not only
/// while its stage runs run: a second `quickup upgrade` or `quickup run` of the site meanwhile is
/// refused (exit 4) naming the holder; the gate's pause releases it; the resume takes it again.
/// Ordered by events, not time: the business_check hook holds the first upgrade (in its precheck,
/// and in its post-checks once resumed) while `hold` exists, and says so by creating `reached`.
@Suite(.serialized) struct UpgradeLockTests {
    @Test("a second upgrade or run during an upgrade → exit 4 naming it; the gate's pause frees the site; the resume holds it again (E6)")
    func lockForTheWholeUpgrade() async throws {
        let site = try UpgradeSite()
        defer { site.remove() }
        let (hold, reached, holding) = ("\(site.root)/hold", "\(site.root)/reached", "\(site.root)/holding")
        // Only the first hook call of a round waits (mkdir is atomic): a second upgrade that were
        // let through would not wait for the test, it would run on and fail the expectations.
        try site.tree.write("release/app/hooks/check.sh", """
            #!/bin/sh
            if [ -f \(hold) ] && mkdir \(holding) 2>/dev/null; then
              touch \(reached)
              while [ -f \(hold) ]; do sleep 0.05; done
            fi
            exit 0

            """)
        chmod("\(site.release)/app/hooks/check.sh", 0o755)
        let versions = ["--from", "V1.0.0", "--to", "V1.1.0"]
        let second = { () async throws -> CLI.Result in try await site.upgrade(versions + ["--yes"]) }
        let run = { () throws -> CLI.Result in
            try CLI.run(["run", "--release", site.release, "--env", site.env, "--state", site.state, "--stage", "pre_stop"] + versions)
        }

        // Round 1: the upgrade holds in its precheck, before any stage run.
        _ = FileManager.default.createFile(atPath: hold, contents: nil)
        let first = Task { try await site.upgrade(versions) }
        try await Self.wait(for: reached, or: first)
        let refused = try await second()
        let refusedRun = try run()
        try FileManager.default.removeItem(atPath: hold)
        let paused = try await first.value
        #expect(paused.status == 5, "\(paused.stdout)\n\(paused.stderr)")
        let id = try #require(UpgradeSite.runID(paused.stdout))
        #expect(refused.status == 4 && refused.stderr.contains("is locked by run \(id)"), "\(refused.stdout)\n\(refused.stderr)")
        #expect(refusedRun.status == 4 && (refusedRun.stdout + refusedRun.stderr).contains("is locked by run \(id)"), "\(refusedRun.stdout)\n\(refusedRun.stderr)")
        #expect(UpgradeSite.runID(refused.stdout) == nil, "the refused upgrade started no run")
        #expect(try Self.locks(site) == 0, "paused at the gate, the upgrade holds no lock")

        // Round 2: the resume (past the gate) holds it again, here in its post-checks.
        try FileManager.default.removeItem(atPath: holding)
        try FileManager.default.removeItem(atPath: reached)
        _ = FileManager.default.createFile(atPath: hold, contents: nil)
        let resume = Task { try await site.upgrade(["--resume", id, "--verified"]) }
        try await Self.wait(for: reached, or: resume)
        let refusedAgain = try await second()
        try FileManager.default.removeItem(atPath: hold)
        let done = try await resume.value
        #expect(done.status == 0, "\(done.stdout)\n\(done.stderr)")
        #expect(refusedAgain.status == 4 && refusedAgain.stderr.contains("is locked by run \(id)"), "\(refusedAgain.stdout)\n\(refusedAgain.stderr)")
        #expect(try Self.locks(site) == 0)
        #expect(site.version(site.port) == "V1.1.0" && site.version(site.port + 1) == "V1.1.0")
    }

    /// Waits until the hook created `path`; fails at once if the upgrade ended first.
    static func wait(for path: String, or upgrade: Task<CLI.Result, Error>) async throws {
        let ended = Ended()
        Task { _ = try? await upgrade.value; ended.set() }
        while !FileManager.default.fileExists(atPath: path) {
            if ended.value {
                let r = try await upgrade.value
                Issue.record("the upgrade ended before its hook was reached: \(r.status)\n\(r.stdout)\n\(r.stderr)")
                throw CocoaError(.userCancelled)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Rows of the journal's run_lock table.
    static func locks(_ site: UpgradeSite) throws -> Int {
        let r = try CLI.run(["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from run_lock').fetchone()[0])",
                             "\(site.state)/journal.sqlite"], program: URL(fileURLWithPath: "/usr/bin/python3"))
        return Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    final class Ended: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        var value: Bool { lock.withLock { done } }
        func set() { lock.withLock { done = true } }
    }
}
