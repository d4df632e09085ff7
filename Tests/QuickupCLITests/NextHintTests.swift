import Foundation
import QuickupTestSupport
import Testing

/// Every "what to do next" quickup prints must work when typed exactly as printed (issue 14
/// item 3, L2): each test runs the printed command through the shell, in the folder the
/// operator was in, with paths that need quoting.
@Suite("Printed next steps run as printed (L2)")
struct NextHintTests {
    @Test("a failed run says the error once and prints the resume command that works; a dry run of one stage counts what it listed")
    func resumeAsPrinted() throws {
        let fixture = try TwoTaskRelease()
        defer { fixture.remove() }
        let dry = try CLI.run(["run"] + fixture.common + ["--from", "V1.0.0", "--to", "V1.0.1", "--stage", "pre_stop", "--dry-run"], in: fixture.root)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.split(separator: "\n").filter { $0.hasPrefix("-- app") }.count == 1, "\(dry.stdout)")
        #expect(dry.stdout.contains("Dry run complete: 1 task listed;"), "\(dry.stdout)")

        let failed = try CLI.run(["run"] + fixture.common + ["--from", "V1.0.0", "--to", "V1.0.1"], in: fixture.root)
        #expect(failed.status == 1)
        #expect(failed.stdout.split(separator: "\n").filter { $0.hasPrefix("FAILED:") }.count == 1, "\(failed.stdout)")
        #expect(!failed.stderr.contains("error:"), "the error is printed once, not again as error: — \(failed.stderr)")
        let next = try #require(CLI.hint(after: "Next:", in: failed.stdout), "\(failed.stdout)")
        #expect(next.contains("resume") && next.contains("'my state'"), "\(next)")

        try fixture.fix()
        let resumed = try CLI.shell(next, in: fixture.root)
        #expect(resumed.status == 0, "`\(next)`: \(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stdout.contains("[SUCCESS] app V1.0.1 sql.b"), "\(resumed.stdout)")
    }

    @Test("rollback: a dry run that would stop says so without \"0 failed … FAILED\"; the stop's hint runs as printed")
    func rollbackAsPrinted() throws {
        let fixture = try TwoTaskRelease()
        defer { fixture.remove() }
        try fixture.fix()
        let applied = try CLI.run(["run"] + fixture.common + ["--from", "V1.0.0", "--to", "V1.0.1"], in: fixture.root)
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        let runID = try #require(applied.stdout.split(separator: "\n").first { $0.hasPrefix("Run ") }?.split(separator: " ")[1]
            .trimmingCharacters(in: CharacterSet(charactersIn: ":")))

        let dry = try CLI.run(["rollback", runID, "--dry-run"] + fixture.common, in: fixture.root)
        #expect(!dry.stdout.contains("FAILED") && !dry.stdout.contains("0 failed"), "\(dry.stdout)")
        #expect(dry.stdout.contains("It stops at app/V1.0.1/sql.b.") && dry.stdout.contains("STOPPED: "), "\(dry.stdout)")
        #expect(!dry.stderr.contains("error:"), "\(dry.stderr)")

        let stopped = try CLI.run(["rollback", runID] + fixture.common, in: fixture.root)
        #expect(stopped.status == 1, "\(stopped.stdout)\(stopped.stderr)")
        #expect(stopped.stdout.contains("0 rolled back, 0 skipped, 0 failed. It stops at app/V1.0.1/sql.b."), "\(stopped.stdout)")
        #expect(!stopped.stdout.contains("FAILED") && !stopped.stderr.contains("error:"), "\(stopped.stdout)\(stopped.stderr)")
        let hint = try #require(CLI.hint(after: "STOPPED:", in: stopped.stdout), "\(stopped.stdout)")
        #expect(hint.hasSuffix("rollback \(runID) \(fixture.commonText) --undone-by-hand b"), "\(hint)")
        let rolled = try CLI.shell(hint, in: fixture.root)
        #expect(rolled.status == 0, "`\(hint)`: \(rolled.stdout)\(rolled.stderr)")
        #expect(rolled.stdout.contains("[ROLLED_BACK] app V1.0.1 sql.b (undone by hand, recorded)"))
        #expect(rolled.stdout.contains("[ROLLED_BACK] app V1.0.1 sql.a ("), "\(rolled.stdout)")
    }

    @Test("the history hint of an unknown run works as printed")
    func historyAsPrinted() throws {
        let fixture = try TwoTaskRelease()
        defer { fixture.remove() }
        let unknown = try CLI.run(["resume", "no-such-run"] + fixture.common, in: fixture.root)
        #expect(unknown.status == 2)
        let hint = try #require(CLI.hint(after: "error:", in: unknown.stderr), "\(unknown.stderr)")
        let history = try CLI.shell(hint, in: fixture.root)
        #expect(history.status == 0 && history.stdout.contains("No runs recorded in my state."), "`\(hint)`: \(history.stdout)\(history.stderr)")
    }
}
