import Foundation
import QuickupCore
import QuickupTestSupport
@testable import QuickupTools

/// A temporary work directory holding misbehaving tools written for one test.
struct ToolFixture {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("quickup-tools-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// Writes an executable script and returns its path.
    @discardableResult
    func script(_ name: String, _ text: String) throws -> String {
        let path = "\(directory)/\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
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
