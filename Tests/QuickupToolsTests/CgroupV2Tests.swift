import Foundation
import QuickupCore
import Testing
@testable import QuickupTools

/// cgroup v2 cannot run on this project's machines (their controllers are bound to v1), so the
/// v2 file formats are checked against a directory that stands in for the cgroup tree.
@Suite("cgroup v2 files (T3)")
struct CgroupV2Tests {
    @Test("limits are written in v2's formats and counters are read from v2's files")
    func files() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("quickup-cg2-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let support = IsolationSupport(mechanism: .cgroupV2(parent: parent), bubblewrap: nil, notes: [])
        var limits = PluginLimits.defaults(for: .business)
        limits.cpuPercent = 25
        let sandbox = try ToolSandbox(support: support, limits: limits, workDirectory: parent, name: "v2 tool/../x")
        let group = try #require(sandbox.groups.first)
        #expect(sandbox.groups.count == 1)
        #expect(group.hasPrefix("\(parent)/v2toolx.quickup-\(getpid())-"), "the name is reduced to safe characters and names its owner: \(group)")
        func read(_ file: String) throws -> String { try String(contentsOfFile: "\(group)/\(file)", encoding: .utf8) }
        #expect(try read("memory.max") == "\(256 << 20)")
        #expect(try read("memory.swap.max") == "0")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(try read("cpu.max") == "\(25 * cores * 1000) 100000")
        #expect(try read("pids.max") == "128")
        let wrapped = sandbox.wrap(["/bin/tool", "--flag"])
        #expect(wrapped.prefix(2) == ["/bin/sh", "-c"])
        #expect(wrapped.contains("\(group)/cgroup.procs"))
        #expect(wrapped.suffix(2) == ["/bin/tool", "--flag"])

        try "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n".write(toFile: "\(group)/memory.events", atomically: true, encoding: .utf8)
        try "max 2\n".write(toFile: "\(group)/pids.events", atomically: true, encoding: .utf8)
        try "usage_usec 1500000\nuser_usec 1000000\nnr_throttled 7\n".write(toFile: "\(group)/cpu.stat", atomically: true, encoding: .utf8)
        try "104857600\n".write(toFile: "\(group)/memory.peak", atomically: true, encoding: .utf8)
        let usage = sandbox.usage()
        #expect(usage == ToolSandbox.Usage(oomKills: 1, processLimitHits: 2, cpuSeconds: 1.5, peakMemory: 104_857_600, throttledPeriods: 7))
    }

    @Test("detection falls back to rlimits when no cgroup tree is usable, and says why")
    func detection() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quickup-nocg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let support = IsolationSupport.detect(cgroupRoot: root)
        #expect(support.mechanism == .rlimits)
        #expect(support.notes.contains { $0.contains("no cgroup hierarchy found at \(root)") })
        #expect(support.description.hasPrefix("rlimits"))
    }
}
