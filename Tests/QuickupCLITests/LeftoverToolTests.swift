import Foundation
import QuickupTestSupport
import Testing

/// Issue 13 item 1: a tool left running by `kill -9` of quickup must never run twice. The dead
/// run's tool dies with quickup where the kernel allows (parent-death signal); what it started
/// itself is stopped by the next run before that run starts anything; its cgroups are removed;
/// `status` calls the dead run interrupted, not running.
@Suite("Leftover tools after kill -9 (issue 13 item 1)", .serialized)
struct LeftoverToolTests {
    static func release(_ tree: TemporaryTree, tool: LongTool) throws {
        try tree.write("release/app/component.yaml", "plugin_class: core\ndatasources:\n  - name: db\n    type: sqlite\n")
        try tree.write("release/app/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties", """
            tool.long.id=L
            tool.long.description=long tool
            tool.long.package=tools/long.sh
            tool.long.stage=pre_stop
            tool.long.retryable=true
            """)
        try tool.write(into: "release/app/upgrade/V1.0.1")
        try tree.write("env.yaml", "site: LEFT\ndatasources:\n  db: {type: sqlite, path: \(tree.root.appendingPathComponent("app.db").path)}\n")
        try tree.write("app.db", "")
    }

    static func runArguments(_ tree: TemporaryTree, state: String) -> [String] {
        QuickupProcess.runArguments(tree, state: state, quiet: true)
    }

    @Test("kill -9 during a long tool, run again: the first copy is gone before the second starts, status says interrupted, no cgroup is left")
    func neverTwoCopies() throws {
        let tree = try TemporaryTree("qu-leftover")
        let tool = LongTool(tree: tree)
        defer {
            tool.killWorkers()
            tree.remove()
        }
        try Self.release(tree, tool: tool)
        let state = tree.root.appendingPathComponent("state").path

        let first = try QuickupProcess.start(Self.runArguments(tree, state: state))
        try tool.waitForStarts(1, while: first)
        let killedPid = first.pid
        // Issue 20.2: the launcher prepared for the next tool has joined its cgroups; the kill
        // leaves it unused, and the next run must remove it like any tool's.
        let prepared = ContinuousClock.now
        while !Self.toolGroups().contains(where: { $0.contains("/prepared.quickup-\(killedPid)-") && !Self.members($0).isEmpty }),
              prepared.duration(to: .now) < .seconds(30) {
            usleep(20_000)
        }
        #expect(Self.toolGroups().contains { $0.contains("/prepared.quickup-\(killedPid)-") && !Self.members($0).isEmpty },
                "precondition: a launcher was prepared and joined its cgroups — \(Self.launcherReport(quickup: killedPid))")
        kill(killedPid, SIGKILL)
        first.wait()
        #expect(!processesRunning(containing: tool.marker).isEmpty, "precondition: the tool's worker outlived quickup")

        // The tool's own process (the script that waits for its worker) dies with quickup.
        let launched = ContinuousClock.now
        while !processesRunning(containing: "tools/long.sh").filter({ Self.isDescendant($0, of: tree) }).isEmpty {
            if launched.duration(to: .now) > .seconds(30) {
                Issue.record("the tool's main process outlived quickup (no parent-death signal)")
                break
            }
            usleep(20_000)
        }

        let status = try CLI.run(["status", "--json", "--state", state])
        #expect(status.stdout.replacingOccurrences(of: " ", with: "").contains("\"status\":\"interrupted\""), "a killed run is not running: \(status.stdout)")

        tool.finish()
        let second = try CLI.run(Self.runArguments(tree, state: state))
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")

        let lines = tool.lines
        let starts = lines.filter { $0.hasPrefix("start ") }.map { String($0.dropFirst(6)) }
        try #require(starts.count == 2, "\(lines.filter { !$0.hasPrefix("tick") })")
        let firstCopy = starts[0], secondStart = try #require(lines.firstIndex(of: "start \(starts[1])"))
        let overlap = lines[secondStart...].filter { $0 == "tick \(firstCopy)" || $0 == "end \(firstCopy)" }
        #expect(overlap.isEmpty, "the first copy kept running beside the second (\(overlap.count) lines after the second started)")
        #expect(processesRunning(containing: tool.marker).isEmpty, "no copy of the tool is left running")

        // Every cgroup the killed quickup made for its tool is gone.
        let leftover = Self.toolGroups().filter { $0.contains(".quickup-\(killedPid)-") || $0.hasSuffix("-\(killedPid)") || $0.contains("-\(killedPid)-") }
        #expect(leftover.isEmpty, "cgroups of the killed quickup left behind: \(leftover)")
    }

    /// Tool cgroups on this machine (v2 or v1 layouts of quickup's parent group).
    static func toolGroups() -> [String] {
        let roots = ["/sys/fs/cgroup/quickup", "/sys/fs/cgroup/memory/quickup", "/sys/fs/cgroup/cpu/quickup", "/sys/fs/cgroup/pids/quickup"]
        return roots.flatMap { root in ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).map { "\(root)/\($0)" } }
    }

    /// What a failed wait saw: the prepared groups with their members, and quickup's children
    /// with their state and where they wait.
    static func launcherReport(quickup pid: pid_t) -> String {
        let groups = toolGroups().filter { $0.contains(".quickup-\(pid)-") }.map { "\($0): [\(members($0).joined(separator: " "))]" }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        let children = entries.compactMap(pid_t.init).compactMap { child -> String? in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, fields[1] == "\(pid)" else { return nil }
            let wchan = (try? String(contentsOfFile: "/proc/\(child)/wchan", encoding: .utf8)) ?? "?"
            let command = FileManager.default.contents(atPath: "/proc/\(child)/cmdline").map { String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "\0", with: " ") } ?? "?"
            return "\(child) \(fields[0]) \(wchan) \(command.prefix(160))"
        }
        return "groups: \(groups); quickup \(pid) children: \(children)"
    }

    static func members(_ group: String) -> [String] {
        ((try? String(contentsOfFile: "\(group)/cgroup.procs", encoding: .utf8)) ?? "").split(whereSeparator: \.isNewline).map(String.init)
    }

    /// Whether `pid` runs a script of this test's tree (other sessions run their own long.sh).
    static func isDescendant(_ pid: pid_t, of tree: TemporaryTree) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: data, as: UTF8.self).contains(tree.root.lastPathComponent)
    }
}
