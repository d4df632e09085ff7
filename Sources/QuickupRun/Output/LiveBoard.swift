import Foundation
import QuickupCore
import Synchronization

/// The tasks running right now, for the live display on a terminal (E9): what each is, since
/// when, its estimate, and how far it is when the server or the tool says so.
public final class LiveBoard: Sendable {
    public struct Entry: Sendable {
        public var title: String
        public var started: ContinuousClock.Instant
        public var estimate: Duration?
        public var fraction: Double?
        public var message: String?
        /// Asks the datasource or the tool how far it is (MariaDB PROCESSLIST, ClickHouse
        /// system.processes, tool progress messages).
        var probe: (@Sendable () async -> (Double?, String?))?
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let order = Mutex<[String]>([])

    public init() {}

    public func begin(_ id: String, title: String, estimate: Duration?, started: ContinuousClock.Instant = .now,
               probe: (@Sendable () async -> (Double?, String?))? = nil) {
        entries.withLock { $0[id] = Entry(title: title, started: started, estimate: estimate, probe: probe) }
        order.withLock { $0.removeAll { $0 == id }; $0.append(id) }
    }

    /// A corrected estimate (A5) replaces the plan's in the display.
    func reestimate(_ id: String, estimate: Duration) {
        entries.withLock { $0[id]?.estimate = estimate }
    }

    public func end(_ id: String) {
        entries.withLock { $0[id] = nil }
        order.withLock { $0.removeAll { $0 == id } }
    }

    /// Asks every running task for its progress (called by the display's refresh loop).
    public func poll() async {
        let probes = entries.withLock { $0.compactMap { id, entry in entry.probe.map { (id, $0) } } }
        for (id, probe) in probes {
            let (fraction, message) = await probe()
            entries.withLock { all in
                if let fraction { all[id]?.fraction = fraction }
                if let message { all[id]?.message = message }
            }
        }
    }

    public var isEmpty: Bool { entries.withLock { $0.isEmpty } }
    /// Tasks running now (the API's `quickup_tasks_in_flight`, H1).
    public var count: Int { entries.withLock { $0.count } }

    /// One line per running task, oldest first, each at most `width` characters.
    public func render(now: ContinuousClock.Instant = .now, width: Int = 100) -> [String] {
        let ids = order.withLock { $0 }
        let snapshot = entries.withLock { $0 }
        return ids.compactMap { id in
            guard let entry = snapshot[id] else { return nil }
            var text = "  ▸ \(entry.title)  \(entry.started.duration(to: now).short)"
            if let estimate = entry.estimate { text += " of ~\(estimate.short)" }
            if let fraction = entry.fraction { text += "  \(Int((fraction * 100).rounded(.down))) %" }
            if let message = entry.message, !message.isEmpty { text += "  \(message)" }
            text = ControlCharacters.escaped(text.replacingOccurrences(of: "\n", with: " "))
            return text.count > width ? String(text.prefix(max(1, width - 1))) + "…" : text
        }
    }
}
