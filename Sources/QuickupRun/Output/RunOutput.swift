import Foundation
import QuickupCore

/// Where a run's lines go: the terminal (unless quiet), the summary log a person reads and the
/// JSON-lines detail log (E9, E10). Thread-safe; the files are per run under the state directory.
public final class RunOutput: @unchecked Sendable {
    private let lock = NSLock()
    private let console: (@Sendable (String) -> Void)?
    private var summary: FileHandle?
    private var detail: FileHandle?
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
            summary = Self.appendHandle("\(dir)/summary.log")
            detail = Self.appendHandle("\(dir)/detail.jsonl")
        }
        return dir
    }

    public func close() {
        lock.withLock {
            try? summary?.close()
            try? detail?.close()
            summary = nil
            detail = nil
        }
    }

    /// A line for people: terminal and summary log.
    public func line(_ text: String) {
        let text = ControlCharacters.escaped(text)
        console?(text)
        lock.withLock { summary?.write(Data((text + "\n").utf8)) }
    }

    /// A periodic progress line: always in the summary log; on the console only when no live
    /// display shows progress already (plain lines every ≤ 10 s otherwise, E9).
    public func progress(_ text: String) {
        let text = ControlCharacters.escaped(text)
        if board == nil { console?(text) }
        lock.withLock { summary?.write(Data((text + "\n").utf8)) }
    }

    /// A structured record for the detail log.
    public func record(_ fields: [String: String]) {
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        lock.withLock { detail?.write(data + Data("\n".utf8)) }
    }

    /// A typed record for the detail log (E10): one JSON object per line, keys sorted.
    public func record(_ value: DetailRecord) {
        let line = value.jsonLine + "\n"
        lock.withLock { detail?.write(Data(line.utf8)) }
    }

    private static func appendHandle(_ path: String) -> FileHandle? {
        // A log that cannot be created gives no handle: the run goes on without that file.
        if !FileManager.default.fileExists(atPath: path), !FileManager.default.createFile(atPath: path, contents: nil) { return nil }
        let handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
        return handle
    }
}
