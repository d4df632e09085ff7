import Foundation
import QuickupCore

/// Where a run's lines go: the terminal (unless quiet), the summary log a person reads and the
/// JSON-lines detail log (E9, E10). Thread-safe; the files are per run under the state directory.
public final class RunOutput: @unchecked Sendable {
    private let lock = NSLock()
    private let console: (@Sendable (String) -> Void)?
    private var summary: LogFile?
    private var detail: LogFile?
    /// Lines and records that may wait for `flush()` (issue 20.3): written in order, before
    /// anything written after them.
    private var pending = PendingWrites()
    /// Running tasks for a live terminal display; nil when the output is plain (E9).
    public let board: LiveBoard?

    public init(console: (@Sendable (String) -> Void)?, board: LiveBoard? = nil) {
        self.console = console
        self.board = board
    }

    /// Opens `runs/<id>/summary.log` and `detail.jsonl`; returns their directory.
    @discardableResult
    public func open(stateDirectory: String, runID: String) -> String {
        let dir = "\(stateDirectory)/runs/\(runID)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        lock.withLock {
            summary = LogFile(path: "\(dir)/summary.log")
            detail = LogFile(path: "\(dir)/detail.jsonl")
        }
        return dir
    }

    public func close() {
        let problems = lock.withLock {
            let problems = (writePending() + [summary?.close(), detail?.close()]).compactMap { $0 }
            summary = nil
            detail = nil
            return problems
        }
        problems.forEach(report)
    }

    /// A line for people: terminal and summary log.
    public func line(_ text: String) {
        let text = ControlCharacters.escaped(text)
        console?(text)
        write(Data((text + "\n").utf8), to: \.summary)
    }

    /// A periodic progress line: always in the summary log; on the console only when no live
    /// display shows progress already (plain lines every ≤ 10 s otherwise, E9).
    public func progress(_ text: String) {
        let text = ControlCharacters.escaped(text)
        if board == nil { console?(text) }
        write(Data((text + "\n").utf8), to: \.summary)
    }

    /// A line for people that may reach the summary log at the next `flush()` (or the next write
    /// that may not wait); the terminal shows it at once. For a task's routine lines on the run's
    /// critical path: the run engine flushes while a datasource works on the next trip, so the
    /// file gets them without a write of their own between two round trips (issue 20.3).
    public func lineSoon(_ text: String) {
        let text = ControlCharacters.escaped(text)
        console?(text)
        lock.withLock { pending.summary.append(contentsOf: (text + "\n").utf8) }
    }

    /// A detail record that may wait for the next `flush()`, like `lineSoon`; encoded then.
    public func recordSoon(_ value: DetailRecord) {
        lock.withLock { pending.details.append(value) }
    }

    /// Writes what waits: one write per file.
    public func flush() {
        let problems = lock.withLock { writePending() }
        problems.compactMap { $0 }.forEach(report)
    }

    /// A structured record for the detail log.
    public func record(_ fields: [String: String]) {
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        write(data + Data("\n".utf8), to: \.detail)
    }

    /// A typed record for the detail log (E10): one JSON object per line, keys sorted.
    public func record(_ value: DetailRecord) {
        write(Data((value.jsonLine + "\n").utf8), to: \.detail)
    }

    private func write(_ data: Data, to file: KeyPath<RunOutput, LogFile?>) {
        let problems = lock.withLock { writePending() + [self[keyPath: file]?.append(data)] }
        problems.compactMap { $0 }.forEach(report)
    }

    /// Under the lock: what waits, summary first (a task's records are each file's own order).
    private func writePending() -> [String?] {
        guard !pending.isEmpty else { return [] }
        let waiting = pending
        pending = PendingWrites()
        var problems: [String?] = []
        if !waiting.summary.isEmpty { problems.append(summary?.append(Data(waiting.summary))) }
        if !waiting.details.isEmpty {
            var lines = ""
            for record in waiting.details {
                lines += record.jsonLine
                lines += "\n"
            }
            problems.append(detail?.append(Data(lines.utf8)))
        }
        return problems
    }

    /// A log that cannot be written is said on the console — on standard error when the run is
    /// quiet, which keeps errors — never dropped without a word.
    private func report(_ problem: String) {
        let text = "[WARN] \(problem)"
        if let console {
            console(text)
        } else {
            do { try FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8)) } catch {
                // Standard error is gone as well: nothing is left to tell.
            }
        }
    }
}

/// What `lineSoon` and `recordSoon` left for the next flush.
private struct PendingWrites {
    var summary: [UInt8] = []
    var details: [DetailRecord] = []
    var isEmpty: Bool { summary.isEmpty && details.isEmpty }
}
