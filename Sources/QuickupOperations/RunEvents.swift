import Foundation
import QuickupCore

/// A run's events as every front end sees them (E10, H2): the lines of `runs/<id>/detail.jsonl`
/// that the executor writes, numbered from 1. The terminal board and the log files are fed by the
/// run itself; the API's SSE stream and log pages read them here, so a CLI run can be followed
/// through the API and an API run with `tail -f`, and a reconnecting client resumes after the
/// last number it saw (`Last-Event-ID`).
public struct RunEvents: Sendable {
    public var state: String
    public var runID: String

    public init(state: String, runID: String) {
        self.state = state
        self.runID = runID
    }

    public struct Event: Sendable, Equatable {
        /// 1-based line number in detail.jsonl: the SSE id.
        public var id: Int
        /// The `event` field of the line (`task_end`, `stage_end`, `run_end`…), `log` when absent.
        public var kind: String
        /// The line itself: one JSON object.
        public var json: String
    }

    public var detailPath: String { "\(state)/runs/\(runID)/detail.jsonl" }
    public var summaryPath: String { "\(state)/runs/\(runID)/summary.log" }

    /// Whole lines after line `after`, at most `limit`; a line still being written is left for later.
    public func events(after: Int, limit: Int = .max) -> [Event] {
        lines(of: detailPath, after: after, limit: limit).map { number, text in
            Event(id: number, kind: Self.kind(of: text), json: text)
        }
    }

    /// Where a follower is in detail.jsonl: the byte after the last whole line read, and that line's number.
    public struct Cursor: Sendable, Equatable {
        public var offset: UInt64 = 0
        public var line = 0
        public init() {}
    }

    /// The whole lines written since `cursor` (only the new bytes are read), and the cursor after
    /// them; lines numbered up to `skip` are read past without being returned.
    public func follow(_ cursor: Cursor, skip: Int = 0) -> ([Event], Cursor) {
        guard let handle = FileHandle(forReadingAtPath: detailPath) else { return ([], cursor) }
        defer { try? handle.close() }
        var cursor = cursor
        guard (try? handle.seek(toOffset: cursor.offset)) != nil, let data = try? handle.readToEnd(), !data.isEmpty else { return ([], cursor) }
        var events: [Event] = []
        var start = data.startIndex
        while start < data.endIndex, let newline = data[start...].firstIndex(of: UInt8(ascii: "\n")) {
            cursor.line += 1
            cursor.offset += UInt64(newline - start + 1)
            if cursor.line > skip {
                let text = String(decoding: data[start..<newline], as: UTF8.self)
                events.append(Event(id: cursor.line, kind: Self.kind(of: text), json: text))
            }
            start = data.index(after: newline)
        }
        return (events, cursor)
    }

    /// Lines of the summary log after line `after` (1-based numbers), at most `limit`.
    public func summary(after: Int, limit: Int) -> [(Int, String)] {
        lines(of: summaryPath, after: after, limit: limit)
    }

    private func lines(of path: String, after: Int, limit: Int) -> [(Int, String)] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var result: [(Int, String)] = []
        var number = 0
        var start = data.startIndex
        while start < data.endIndex, let newline = data[start...].firstIndex(of: UInt8(ascii: "\n")) {
            number += 1
            if number > after {
                result.append((number, String(decoding: data[start..<newline], as: UTF8.self)))
                if result.count >= limit { break }
            }
            start = data.index(after: newline)
        }
        return result
    }

    static func kind(of line: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let event = object["event"] as? String else { return "log" }
        return event
    }
}
