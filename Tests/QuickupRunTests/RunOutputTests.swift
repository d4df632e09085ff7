import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupRun

/// E9, E10: a run's log that cannot be written (a full disk) is said once on the console and the
/// run goes on; Foundation's `FileHandle.write(_:)` trapped on the first failed line, stopping
/// quickup in the middle of a task.
struct RunOutputTests {
    @Test func aFullDiskUnderTheSummaryLogIsReportedOnceAndTheRunGoesOn() throws {
        let tree = try TemporaryTree("quickup-full-log")
        defer { tree.remove() }
        let runDirectory = "\(tree.path)/runs/r1"
        try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
        // /dev/full answers every write with ENOSPC, as a full disk does.
        try FileManager.default.createSymbolicLink(atPath: "\(runDirectory)/summary.log", withDestinationPath: "/dev/full")
        let lines = RunFixture.Lines()
        let output = RunOutput(console: { lines.add($0) })
        output.open(stateDirectory: tree.path, runID: "r1")
        output.line("first")
        output.line("second")
        output.record(DetailRecord(run: "r1", event: "run_start", at: 1))
        output.close()

        let printed = lines.all
        let warnings = printed.filter { $0.hasPrefix("[WARN] cannot write") }
        #expect(printed.filter { !$0.hasPrefix("[WARN]") } == ["first", "second"], "the console still gets every line")
        #expect(warnings.count == 1, "said once, not per line: \(printed)")
        #expect(warnings.first?.contains("\(runDirectory)/summary.log") == true)
        #expect(warnings.first?.contains("No space left on device") == true)
        #expect(printed.contains("[WARN] 2 writes to \(runDirectory)/summary.log were lost"))
        // The other log is not affected.
        let detail = try String(contentsOfFile: "\(runDirectory)/detail.jsonl", encoding: .utf8)
        #expect(detail == "{\"at\":1,\"event\":\"run_start\",\"run\":\"r1\"}\n")
    }

    /// Issue 20.3: a task's routine lines may wait for the next trip to the server (`lineSoon`,
    /// `recordSoon`), but never reorder a log: anything written at once goes after them, and
    /// `flush` and `close` write them. The console shows a waiting line at once.
    @Test func linesWrittenSoonKeepTheirOrderInEachLog() throws {
        let tree = try TemporaryTree("quickup-soon-log")
        defer { tree.remove() }
        let lines = RunFixture.Lines()
        let output = RunOutput(console: { lines.add($0) })
        let directory = output.open(stateDirectory: tree.path, runID: "r1")
        let summary = "\(directory)/summary.log", detail = "\(directory)/detail.jsonl"
        func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

        output.lineSoon("[SUCCESS] a")
        output.recordSoon(DetailRecord(run: "r1", event: "task_end", at: 1))
        #expect(lines.all == ["[SUCCESS] a"])
        #expect(try read(summary).isEmpty && read(detail).isEmpty, "waiting for the next trip")
        output.line("[FAILED] b")
        #expect(try read(summary) == "[SUCCESS] a\n[FAILED] b\n", "written before a later line")
        #expect(try read(detail) == "{\"at\":1,\"event\":\"task_end\",\"run\":\"r1\"}\n", "and before any later write")

        output.recordSoon(DetailRecord(run: "r1", event: "task_start", at: 2))
        output.record(DetailRecord(run: "r1", event: "task_end", at: 3))
        output.recordSoon(DetailRecord(run: "r1", event: "task_start", at: 4))
        output.lineSoon("[SUCCESS] c")
        output.flush()
        output.lineSoon("[SUCCESS] d")
        output.close()
        #expect(try read(summary) == "[SUCCESS] a\n[FAILED] b\n[SUCCESS] c\n[SUCCESS] d\n")
        #expect(try read(detail).split(separator: "\n").compactMap { $0.split(separator: ",").first } ==
                ["{\"at\":1", "{\"at\":2", "{\"at\":3", "{\"at\":4"])
    }
}
