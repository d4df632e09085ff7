import Foundation
import Synchronization

/// The live display of a run on a terminal (E9): finished lines scroll by as usual while a
/// block at the bottom shows each running task, redrawn in place about once a second.
/// Plain output (pipes, files, `--quiet`) never sees escape sequences: it uses `RunOutput`'s
/// progress lines every 10 s instead.
public final class TerminalDisplay: Sendable {
    public let board: LiveBoard
    private let write: @Sendable (String) -> Void
    private let width: @Sendable () -> Int
    /// Lines of the block now on screen; guarded together with every write so lines never interleave.
    private let drawn = Mutex<Int>(0)

    public init(board: LiveBoard = LiveBoard(), width: @escaping @Sendable () -> Int = TerminalDisplay.columns,
                write: @escaping @Sendable (String) -> Void) {
        self.board = board
        self.width = width
        self.write = write
    }

    /// Whether standard output is a terminal that understands cursor movement.
    public static var isInteractive: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"].map { $0 != "dumb" && !$0.isEmpty } == true
    }

    @Sendable public static func columns() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 else { return 100 }
        return Int(size.ws_col)
    }

    /// A line that stays: printed above the block.
    public func line(_ text: String) {
        drawn.withLock { count in
            write(Self.erase(count) + text + "\n" + draw(&count))
        }
    }

    /// Redraws the block with fresh elapsed times and progress.
    public func refresh() {
        drawn.withLock { count in write(Self.erase(count) + draw(&count)) }
    }

    /// Removes the block (the run is over).
    public func finish() {
        drawn.withLock { count in
            write(Self.erase(count))
            count = 0
        }
    }

    /// Polls progress and redraws until cancelled.
    public func refreshLoop(every interval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            await board.poll()
            refresh()
            try? await Task.sleep(for: interval)
        }
        finish()
    }

    private func draw(_ count: inout Int) -> String {
        let lines = board.render(width: width())
        count = lines.count
        return lines.map { $0 + "\n" }.joined()
    }

    /// Moves the cursor to the block's first line and clears from there down.
    static func erase(_ lines: Int) -> String {
        lines > 0 ? "\u{1B}[\(lines)A\u{1B}[J" : ""
    }
}
