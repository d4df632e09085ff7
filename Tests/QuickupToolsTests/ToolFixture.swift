import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupTools

/// A temporary work directory holding misbehaving tools written for one test.
struct ToolFixture {
    let tree: TemporaryTree
    var directory: String { tree.path }
    /// Tools start from a pre-joined launcher made ready for them (issue 20.2), not the usual way.
    let prejoined: Bool

    init(prejoined: Bool = false) throws {
        tree = try TemporaryTree("quickup-tools")
        self.prejoined = prejoined
    }

    func remove() { tree.remove() }

    /// Writes a script (executable when it starts with `#!`) and returns its path.
    @discardableResult
    func script(_ name: String, _ text: String) throws -> String {
        try tree.write(name, text)
        return "\(directory)/\(name)"
    }

    func invocation(_ path: String, limits: PluginLimits = .defaults(for: .business), name: String = "test-tool",
                    context: String = "{}", grace: Duration = .milliseconds(300)) -> ToolInvocation {
        ToolInvocation(arguments: [path], workDirectory: directory, environment: ["QUICKUP_TASK": name],
                       context: Data(context.utf8), limits: limits, name: name, terminationGrace: grace)
    }

    /// Runs a tool and collects its events. Pre-joined: a launcher is made ready first, the tool
    /// must have run in its cgroups, and every launcher is ended afterwards, whatever happened.
    func run(_ invocation: ToolInvocation, support: IsolationSupport = .current) async throws -> (ToolOutcome, [ToolEvent]) {
        let events = EventLog()
        guard prejoined, support.mechanism != .rlimits else {
            return (try await ToolProcess.run(invocation, support: support) { events.append($0) }, events.all)
        }
        let launchers = PreparedLaunchers(policy: .standard)
        await launchers.refill(for: invocation, support: support)
        try await launchers.untilReady()
        let ready = launchers.readyGroups
        let used = GroupsSeen()
        let watch = ToolProcess.ToolWatch(started: { _, groups in used.append(groups) }, ended: { _ in })
        let outcome: ToolOutcome
        do {
            outcome = try await ToolProcess.run(invocation, support: support, watch: watch, launchers: launchers) { events.append($0) }
        } catch {
            await launchers.close()
            throw error
        }
        await launchers.close()
        #expect(!ready.isEmpty && used.all == [ready[0]], "the tool ran in the oldest prepared launcher's cgroups \(ready), not \(used.all)")
        return (outcome, events.all)
    }
}

extension PreparedLaunchers {
    /// Until every launcher of the pool can be taken (its pid known, inside its groups): a tool
    /// never waits for one still being prepared. The bound is a hang guard.
    func untilReady() async throws {
        for _ in 0..<12_000 {
            let count = readyCount
            if count > 0, count == readyGroups.count { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        let members = readyGroups.flatMap { $0 }.map { "\($0): \(PreparedLauncherTests.members(of: $0))" }
        throw QuickupError(.timeout, "\(readyCount) of \(readyGroups.count) launchers ready after a minute: \(members)")
    }
}

final class GroupsSeen: @unchecked Sendable {
    private let lock = NSLock()
    private var groups: [[String]] = []
    func append(_ group: [String]) { lock.withLock { groups.append(group) } }
    var all: [[String]] { lock.withLock { groups } }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ToolEvent] = []
    func append(_ event: ToolEvent) { lock.withLock { events.append(event) } }
    var all: [ToolEvent] { lock.withLock { events } }
}

func residentMemory() -> Int64 {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kb = Int64(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb * 1024
}
