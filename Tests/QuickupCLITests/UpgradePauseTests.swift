import Foundation
import QuickupTestSupport
import Testing

/// An upgrade paused at the manual verification gate holds no lock (its process has exited), but
/// the site is half-upgraded: a new `quickup upgrade` or `quickup run` of the site is refused
/// like a lock refusal (exit 4, E6; F1, issue 15), naming the paused run and its two ways on —
/// `quickup upgrade --resume RUN --verified` and `quickup rollback RUN` — which run as printed.
/// Once rolled back the site takes a new upgrade; the paused run's own resume is never refused.
@Suite(.serialized) struct UpgradePauseTests {
    @Test("a paused upgrade refuses a new upgrade or run (exit 4) naming it; its printed rollback and resume both run", .timeLimit(.minutes(10)))
    func pausedUpgradeRefusesNewWork() async throws {
        let site = try UpgradeSite(withRollback: true)
        defer { site.remove() }
        let versions = ["--from", "V1.0.0", "--to", "V1.1.0"]
        let run = { () throws -> CLI.Result in
            try CLI.run(["run", "--release", site.release, "--env", site.env, "--state", site.state, "--stage", "pre_stop"] + versions)
        }

        let first = try await site.upgrade(versions)
        #expect(first.status == 5, "\(first.stdout)\n\(first.stderr)")
        let paused = try #require(UpgradeSite.runID(first.stdout))
        let refused = try await site.upgrade(versions + ["--yes"])
        let text = refused.stdout + refused.stderr
        #expect(refused.status == 4 && text.contains("upgrade \(paused) paused at the manual verification gate"), "\(text)")
        #expect(UpgradeSite.runID(refused.stdout) == nil, "the refused upgrade started no run")
        let refusedRun = try run()
        #expect(refusedRun.status == 4 && (refusedRun.stdout + refusedRun.stderr).contains("upgrade \(paused) paused"),
                "\(refusedRun.stdout)\n\(refusedRun.stderr)")
        #expect(site.current("a") == "releases/V1.1.0", "nothing was changed by the refused ones")

        // The printed rollback runs as printed; afterwards the site takes a new upgrade.
        let (resume, rollback) = try Self.ways(text, paused)
        let back = try CLI.shell(rollback, in: URL(fileURLWithPath: site.root))
        #expect(back.status == 0, "\(rollback)\n\(back.stdout)\n\(back.stderr)")
        #expect(site.current("a") == "releases/V1.0.0" && site.version(site.port) == "V1.0.0")
        #expect(resume.contains(" upgrade --resume \(paused) ") && resume.hasSuffix(" --verified"), "\(resume)")

        let second = try await site.upgrade(versions)
        #expect(second.status == 5, "a rolled-back pause no longer refuses: \(second.stdout)\n\(second.stderr)")
        let pausedAgain = try #require(UpgradeSite.runID(second.stdout))
        let refusedAgain = try await site.upgrade(versions + ["--yes"])
        let again = refusedAgain.stdout + refusedAgain.stderr
        #expect(refusedAgain.status == 4 && again.contains("upgrade \(pausedAgain) paused") && !again.contains(paused), "\(again)")

        // The printed resume runs as printed: the paused run itself is not refused.
        let (resumeAgain, _) = try Self.ways(again, pausedAgain)
        let done = try CLI.shell(resumeAgain, in: URL(fileURLWithPath: site.root))
        #expect(done.status == 0, "\(resumeAgain)\n\(done.stdout)\n\(done.stderr)")
        #expect(site.version(site.port) == "V1.1.0" && site.version(site.port + 1) == "V1.1.0")
        let after = try run()
        #expect(after.status != 4, "finished, the upgrade refuses nothing: \(after.stdout)\n\(after.stderr)")
    }

    /// The two commands between backticks the refusal names for `run`: resume, rollback.
    static func ways(_ text: String, _ run: String) throws -> (resume: String, rollback: String) {
        let commands = text.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        let resume = try #require(commands.first { $0.contains("upgrade --resume \(run)") && $0.contains("--verified") }, "\(text)")
        let rollback = try #require(commands.first { $0.contains(" rollback \(run) ") }, "\(text)")
        return (resume, rollback)
    }
}
