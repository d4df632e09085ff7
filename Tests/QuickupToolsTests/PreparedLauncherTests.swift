import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupTools

/// Issue 20.2: a tool takes a launcher that joined its cgroups before the tool was asked for.
/// Order of events only: the launcher is in its cgroups before its tool exists; the tool is
/// that same process, with the tool's limits, environment and context; afterwards nothing of
/// it is left; closing the pool ends the unused launcher and removes its cgroups.
@Suite("Pre-joined launchers (issue 20.2, T3)", .serialized, .timeLimit(.minutes(5)),
       .enabled(if: IsolationSupport.current.mechanism != .rlimits, "launchers only exist where there are cgroups to join"))
struct PreparedLauncherTests {
    @Test("the tool is the launcher that joined its cgroups first: its limits, environment and context, nothing left after")
    func toolIsThePreparedLauncher() async throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        let tool = try fixture.script("where.sh", """
            #!/bin/sh
            echo "pid $$"
            grep -E ':(memory|pids|cpu|cpu,cpuacct):' /proc/self/cgroup | sed 's/^/cgroup /'
            memory=$(grep -E ':memory:' /proc/self/cgroup | cut -d: -f3)
            echo "limit $(cat /sys/fs/cgroup/memory$memory/memory.limit_in_bytes)"
            printf 'odd=[%s]\\n' "$ODD"
            echo "cwd $(pwd)"
            echo "context $(cat)"
            """)
        let launchers = PreparedLaunchers(policy: .standard)
        var invocation = fixture.invocation(tool, context: #"{"k": "v w"}"#)
        invocation.environment["ODD"] = "it's $HOME `id` \"q\""
        invocation.limits.memory = .mebibytes(80)
        // Prepared for a tool of the same kind with the class's usual limits.
        await launchers.refill(for: fixture.invocation(tool), support: .current)
        let groups = try #require(launchers.readyGroups.first)
        #expect(groups.allSatisfy { $0.contains("/prepared.quickup-\(getpid())-") }, "named like a tool's group, owned by this process: \(groups)")
        // The launcher joins all of its cgroups while no tool waits for it.
        let launcher = try await Self.waitForMember(of: groups)
        try await launchers.untilReady()

        let events = EventLog()
        let outcome = try await ToolProcess.run(invocation, launchers: launchers) { events.append($0) }
        let lines = events.all.compactMap { event -> String? in
            if case .message(.text(let line)) = event { return line }
            return nil
        }
        #expect(outcome.succeeded, "\(outcome.ending): \(outcome.stderrTail)")
        #expect(lines.contains("pid \(launcher)"), "the tool is the launcher's process: \(lines)")
        for group in groups {
            let name = try #require(group.split(separator: "/").last)
            #expect(lines.contains { $0.hasPrefix("cgroup ") && $0.hasSuffix("/\(name)") }, "in \(group): \(lines)")
        }
        #expect(lines.contains("limit \(80 << 20)"), "the tool's own limit, written before it started: \(lines)")
        #expect(lines.contains("odd=[it's $HOME `id` \"q\"]"), "values pass as words, never as shell code: \(lines)")
        #expect(lines.contains("cwd \(fixture.directory)"))
        #expect(lines.contains(#"context {"k": "v w"}"#), "the context follows the launcher's line on stdin: \(lines)")
        #expect(groups.allSatisfy { Self.members(of: $0).allSatisfy { $0 != launcher } }, "nothing of the tool is left in its cgroups")

        // Its replacement was prepared meanwhile, in the same groups where they are recycled
        // (cgroup v1); closing the pool ends it and removes every group.
        let ready = launchers.readyGroups
        #expect(ready.count == PreparedLaunchers.Policy.standard.perKind)
        #expect(ready.contains(groups) == Self.recycles, "recycled only under cgroup v1: \(ready) after \(groups)")
        if !Self.recycles { #expect(groups.allSatisfy { !FileManager.default.fileExists(atPath: $0) }, "the used cgroups are removed") }
        var waiting: [pid_t] = []
        for next in ready { waiting.append(try await Self.waitForMember(of: next)) }
        #expect(!waiting.contains(launcher))
        await launchers.close()
        #expect(waiting.allSatisfy { kill($0, 0) != 0 }, "the unused launchers ended with their pool")
        #expect((ready + [groups]).joined().allSatisfy { !FileManager.default.fileExists(atPath: $0) })
        #expect(launchers.readyGroups.isEmpty)
    }

    /// Groups are recycled under cgroup v1 only (`ToolSandbox.recycled`).
    static var recycles: Bool {
        if case .cgroupV1 = IsolationSupport.current.mechanism { return true }
        return false
    }

    @Test("a recycled group counts only its new tool: peak memory reset, counters from where they were", .enabled(if: recycles))
    func recycledGroupCountsItsOwnTool() async throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        // 64 MiB held by the first tool's shell, a few by the second's.
        let big = try fixture.script("big.sh", "#!/bin/sh\nx=$(head -c 67108864 /dev/zero | tr '\\0' a)\ngrep -E ':memory:' /proc/self/cgroup\necho ${#x}\n")
        let small = try fixture.script("small.sh", "#!/bin/sh\ngrep -E ':memory:' /proc/self/cgroup\n")
        let launchers = PreparedLaunchers(policy: PreparedLaunchers.Policy(enabled: true, perKind: 1))
        await launchers.refill(for: fixture.invocation(big), support: .current)
        try await launchers.untilReady()
        let groups = try #require(launchers.readyGroups.first)
        let first = EventLog(), second = EventLog()
        let large = try await ToolProcess.run(fixture.invocation(big), launchers: launchers) { first.append($0) }
        try await launchers.untilReady()
        #expect(launchers.readyGroups == [groups], "the replacement took the ended tool's groups")
        let small1 = try await ToolProcess.run(fixture.invocation(small), launchers: launchers) { second.append($0) }
        await launchers.close()
        #expect(large.succeeded && small1.succeeded, "\(large.stderrTail) \(small1.stderrTail)")
        #expect(launchers.counts == PreparedLaunchers.Counts(taken: 2, missed: 0))
        let memoryGroup = { (events: [ToolEvent]) in events.compactMap { event -> String? in
            if case .message(.text(let line)) = event, line.contains(":memory:") { return line.split(separator: "/").last.map(String.init) }
            return nil
        } }
        #expect(memoryGroup(first.all) == memoryGroup(second.all), "both tools ran in the same memory group")
        let bigPeak = try #require(large.peakMemory?.bytes), smallPeak = try #require(small1.peakMemory?.bytes)
        #expect(bigPeak >= 64 << 20, "the first tool's peak: \(bigPeak)")
        #expect(smallPeak < bigPeak / 2, "the second tool's own peak, not the first's: \(smallPeak) after \(bigPeak)")
        #expect(groups.allSatisfy { !FileManager.default.fileExists(atPath: $0) }, "removed when the pool closed")
    }

    @Test("a recycled group starts its next tool afresh: counters from zero (a hit the last one survived is not the next one's), CPU quota written again", .enabled(if: recycles))
    func recycledCountersStartAtZero() throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        var limits = PluginLimits.defaults(for: .business)
        limits.processes = 1
        let sandbox = try ToolSandbox(support: .current, limits: limits, workDirectory: fixture.directory, name: "recycle-test")
        defer { sandbox.remove() }
        // A shell that joins the groups and tries to start one more process: pids.max refuses it.
        let joins = sandbox.procsFiles.map { "echo $$ > \($0)" }.joined(separator: "; ")
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "\(joins); /bin/true 2>/dev/null; exit 0"]
        try shell.run()
        shell.waitUntilExit()
        #expect(sandbox.usage().processLimitHits > 0, "the kernel counted the refused fork")
        let next = try #require(sandbox.recycled(), "an emptied v1 group is recycled")
        #expect(next.groups == sandbox.groups)
        #expect(next.usage().processLimitHits == 0, "the next tool starts with none of its own")
        #expect(next.usage().oomKills == 0)

        // The tool that takes them, with the same limits, has its CPU quota written again: that
        // write refills the CFS period the tool before may have used up.
        let quotaFile = "\(sandbox.groups[1])/cpu.cfs_quota_us"
        let quota = try String(contentsOfFile: quotaFile, encoding: .utf8)
        try "-1".write(toFile: quotaFile, atomically: false, encoding: .utf8)
        _ = try next.adopted(by: fixture.invocation("/bin/true", limits: limits))
        #expect(try String(contentsOfFile: quotaFile, encoding: .utf8) == quota, "the quota is written when a tool takes the groups")
    }

    @Test("groups with something left in them or a limit hit are removed, not recycled", .enabled(if: recycles))
    func troubledGroupsAreNotRecycled() async throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        let leaving = try fixture.script("leaves.sh", "#!/bin/sh\nsleep 300 </dev/null >/dev/null 2>&1 &\necho started\n")
        var tight = PluginLimits.defaults(for: .business)
        tight.processes = 4
        let forking = try fixture.script("forks.sh", "#!/bin/sh\nfor i in 1 2 3 4 5 6 7 8; do sleep 1 & done\nwait\n")
        for (script, limits) in [(leaving, PluginLimits.defaults(for: .business)), (forking, tight)] {
            let launchers = PreparedLaunchers(policy: PreparedLaunchers.Policy(enabled: true, perKind: 1))
            let invocation = fixture.invocation(script, limits: limits)
            await launchers.refill(for: invocation, support: .current)
            try await launchers.untilReady()
            let groups = try #require(launchers.readyGroups.first)
            let outcome = try await ToolProcess.run(invocation, launchers: launchers) { _ in }
            #expect(outcome.leftoversKilled > 0 || outcome.limitHit != nil, "\(script): \(outcome)")
            #expect(!launchers.readyGroups.contains(groups), "\(script): its groups were recycled")
            #expect(groups.allSatisfy { !FileManager.default.fileExists(atPath: $0) }, "\(script): its groups are removed")
            await launchers.close()
        }
    }

    @Test("a launcher killed before its tool came is not used; the tool starts the usual way")
    func deadLauncherIsDiscarded() async throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        let tool = try fixture.script("ok.sh", "#!/bin/sh\necho \"pid $$\"\n")
        let launchers = PreparedLaunchers(policy: .standard)
        let invocation = fixture.invocation(tool)
        await launchers.refill(for: invocation, support: .current)
        let groups = try #require(launchers.readyGroups.first)
        let launcher = try await Self.waitForMember(of: groups)
        kill(launcher, SIGKILL)
        while !ProcessGroup.hasEnded(launcher) { try await Task.sleep(for: .milliseconds(5)) }
        let events = EventLog()
        let outcome = try await ToolProcess.run(invocation, launchers: launchers) { events.append($0) }
        await launchers.close()
        #expect(outcome.succeeded, "\(outcome.ending): \(outcome.stderrTail)")
        #expect(!events.all.contains(.message(.text("pid \(launcher)"))))
        #expect(groups.allSatisfy { !FileManager.default.fileExists(atPath: $0) }, "the dead launcher's cgroups are removed")
    }

    @Test("a tool waits for a launcher still joining its cgroups (Policy.joinWait) and takes it once it is inside")
    func joiningLauncherIsWaitedFor() async throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        let tool = try fixture.script("ok.sh", "#!/bin/sh\necho \"pid $$\"\n")
        let launchers = PreparedLaunchers(policy: PreparedLaunchers.Policy(enabled: true, perKind: 1, joinWait: .seconds(120)))
        let invocation = fixture.invocation(tool)
        let (launcher, groups) = try await Self.joiningLauncher(in: launchers, for: invocation)
        let last = try #require(groups.last)

        let events = EventLog()
        let run = Task { try await ToolProcess.run(invocation, launchers: launchers) { events.append($0) } }
        // The tool waits for it (the loop's bound is a hang guard) …
        var waiting = false
        for _ in 0..<6_000 where !waiting {
            waiting = launchers.waitingTools == 1
            if !waiting { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(waiting, "the tool did not wait for the joining launcher")
        // … until it is inside again.
        try "\(launcher)\n".write(toFile: "\(last)/cgroup.procs", atomically: false, encoding: .utf8)
        let outcome = try await run.value
        await launchers.close()
        #expect(outcome.succeeded, "\(outcome.ending): \(outcome.stderrTail)")
        #expect(events.all.contains(.message(.text("pid \(launcher)"))), "the tool is the launcher it waited for")
        #expect(launchers.counts == PreparedLaunchers.Counts(taken: 1, missed: 0, waited: 1))
        #expect(launchers.waitingTools == 0)
    }

    @Test("with no join wait, a launcher not inside its cgroups is not waited for: the tool starts the usual way, the launcher stays for the next")
    func unreadyLauncherIsNotWaitedFor() async throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        let tool = try fixture.script("ok.sh", "#!/bin/sh\necho \"pid $$\"\n")
        let launchers = PreparedLaunchers(policy: PreparedLaunchers.Policy(enabled: true, perKind: 1, joinWait: .zero))
        let invocation = fixture.invocation(tool)
        let (launcher, groups) = try await Self.joiningLauncher(in: launchers, for: invocation)
        let last = try #require(groups.last)

        let first = EventLog()
        let started = try await ToolProcess.run(invocation, launchers: launchers) { first.append($0) }
        #expect(started.succeeded, "\(started.ending): \(started.stderrTail)")
        #expect(!first.all.contains(.message(.text("pid \(launcher)"))), "a launcher outside its cgroups was used")
        #expect(launchers.readyGroups.contains(groups), "the launcher stays for a later tool")
        #expect(launchers.counts == PreparedLaunchers.Counts(taken: 0, missed: 1), "counted as a start the usual way")

        // Joined again, the next tool takes it.
        try "\(launcher)\n".write(toFile: "\(last)/cgroup.procs", atomically: false, encoding: .utf8)
        try await launchers.untilReady()
        let second = EventLog()
        let taken = try await ToolProcess.run(invocation, launchers: launchers) { second.append($0) }
        await launchers.close()
        #expect(taken.succeeded, "\(taken.ending): \(taken.stderrTail)")
        #expect(second.all.contains(.message(.text("pid \(launcher)"))), "the joined launcher became the tool")
        #expect(launchers.counts == PreparedLaunchers.Counts(taken: 1, missed: 1))
    }

    @Test("policy as data: off, a count, anything else the standard")
    func policy() {
        #expect(PreparedLaunchers.Policy.from(environment: [:]) == .standard)
        #expect(PreparedLaunchers.Policy.from(environment: ["QUICKUP_PREPARED_LAUNCHERS": "off"]) == .off)
        #expect(PreparedLaunchers.Policy.from(environment: ["QUICKUP_PREPARED_LAUNCHERS": "0"]) == .off)
        #expect(PreparedLaunchers.Policy.from(environment: ["QUICKUP_PREPARED_LAUNCHERS": "3"]) == .init(enabled: true, perKind: 3))
        #expect(!PreparedLaunchers(policy: .off).applies(to: .current))
    }

    /// A launcher made ready for `invocation`, then taken out of its last group again: as far as a
    /// tool can tell, it is still joining. Returns its pid and its groups.
    static func joiningLauncher(in launchers: PreparedLaunchers, for invocation: ToolInvocation) async throws -> (pid_t, [String]) {
        await launchers.refill(for: invocation, support: .current)
        let groups = try #require(launchers.readyGroups.first)
        let launcher = try await waitForMember(of: groups)
        try await launchers.untilReady()
        let last = try #require(groups.last)
        try "\(launcher)\n".write(toFile: "\((last as NSString).deletingLastPathComponent)/cgroup.procs", atomically: false, encoding: .utf8)
        #expect(launchers.readyCount == 0)
        return (launcher, groups)
    }

    /// The launcher's pid once it is a member of every group (the loop's bound is a hang guard).
    static func waitForMember(of groups: [String]) async throws -> pid_t {
        for _ in 0..<3_000 {
            let sets = groups.map { Set(members(of: $0)) }
            if let pid = sets.dropFirst().reduce(sets[0], { $0.intersection($1) }).first { return pid }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw QuickupError(.timeout, "no launcher joined \(groups)")
    }

    static func members(of group: String) -> [pid_t] {
        ((try? String(contentsOfFile: "\(group)/cgroup.procs", encoding: .utf8)) ?? "").split(whereSeparator: \.isNewline).compactMap { pid_t($0) }
    }
}
