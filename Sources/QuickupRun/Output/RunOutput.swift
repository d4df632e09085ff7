import Foundation
import QuickupCore

/// Where a run's lines go: the terminal (unless quiet), the summary log a person reads and the
/// JSON-lines detail log (E9, E10). Thread-safe; the files are per run under the state directory.
public final class RunOutput: @unchecked Sendable {
    private let lock = NSLock()
    private let console: (@Sendable (String) -> Void)?
    private var summary: LogFile?
    private var detail: LogFile?
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
            let problems = [summary?.close(), detail?.close()].compactMap { $0 }
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
        guard let problem = lock.withLock({ self[keyPath: file]?.append(data) }) else { return }
        report(problem)
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
