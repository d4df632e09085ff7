import Foundation
import Synchronization
import Testing
@testable import QuickupRun

/// E9: the live display on a terminal — a block of running tasks redrawn under the lines that stay.
@Suite("Live display (E9)")
struct LiveDisplayTests {
    final class Screen: Sendable {
        let text = Mutex("")
        func write(_ s: String) { text.withLock { $0 += s } }
        var all: String { text.withLock { $0 } }
    }

    @Test("the board shows each running task with elapsed, estimate, percent and message, cut to the width")
    func board() async {
        let board = LiveBoard()
        let start = ContinuousClock.now
        board.begin("a", title: "base V2.16.8 sql.alter_orders", estimate: .seconds(150), started: start) { (0.416, "copying rows") }
        board.begin("b", title: "gps V2.17.0 tool.migrate_tracks", estimate: nil, started: start)
        await board.poll()
        let lines = board.render(now: start.advanced(by: .seconds(62)), width: 200)
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("  ▸ base V2.16.8 sql.alter_orders  1m02s of ~2m30s  41 %  copying rows"), "\(lines[0])")
        #expect(lines[1].hasPrefix("  ▸ gps V2.17.0 tool.migrate_tracks  1m02s"), "\(lines[1])")
        #expect(board.render(width: 30).allSatisfy { $0.count <= 30 })
        board.end("a")
        #expect(board.render().count == 1)
        board.end("b")
        #expect(board.isEmpty)
    }

    @Test("a line that stays erases the block, prints, and redraws it; finish leaves no block")
    func redraw() {
        let screen = Screen()
        let display = TerminalDisplay(width: { 80 }) { screen.write($0) }
        display.board.begin("a", title: "t1", estimate: nil)
        display.board.begin("b", title: "t2", estimate: nil)
        display.refresh()
        #expect(screen.all.hasPrefix("  ▸ t1"))
        display.line("[SUCCESS] something")
        let afterLine = screen.all
        #expect(afterLine.contains("\u{1B}[2A\u{1B}[J[SUCCESS] something\n  ▸ t1"), "\(afterLine.debugDescription)")
        display.board.end("a")
        display.board.end("b")
        display.finish()
        #expect(screen.all.hasSuffix("\u{1B}[2A\u{1B}[J"))
        display.line("next")
        #expect(screen.all.hasSuffix("\u{1B}[2A\u{1B}[Jnext\n"), "no block left to erase")
    }

    @Test("with a board, periodic progress lines go to the summary log but not to the console")
    func progressLines() throws {
        let screen = Screen()
        let plain = RunOutput(console: { screen.write($0 + "\n") })
        plain.progress("[RUNNING] x 10s")
        #expect(screen.all == "[RUNNING] x 10s\n")
        let live = RunOutput(console: { screen.write("LIVE " + $0 + "\n") }, board: LiveBoard())
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qu-live-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let logs = live.open(stateDirectory: dir, runID: "R")
        live.progress("[RUNNING] y 20s")
        live.close()
        #expect(!screen.all.contains("LIVE"))
        #expect(try String(contentsOfFile: "\(logs)/summary.log", encoding: .utf8) == "[RUNNING] y 20s\n")
    }
}
