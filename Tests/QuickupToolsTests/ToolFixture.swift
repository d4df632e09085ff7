import Foundation
import QuickupCore
import QuickupTestSupport
@testable import QuickupTools

/// A temporary work directory holding misbehaving tools written for one test.
struct ToolFixture {
    let tree: TemporaryTree
    var directory: String { tree.path }

    init() throws { tree = try TemporaryTree("quickup-tools") }

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

    /// Runs a tool and collects its events.
    func run(_ invocation: ToolInvocation) async throws -> (ToolOutcome, [ToolEvent]) {
        let events = EventLog()
        let outcome = try await ToolProcess.run(invocation) { events.append($0) }
        return (outcome, events.all)
    }
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
