import Foundation
import QuickupCore
import QuickupTestSupport
import QuickupTools
import Testing
@testable import QuickupRemote

/// M2 `.where=hosts` (issue 15 item 5): a tool sent to namespace hosts and run there as a remote
/// step under the T1 contract; counted on the host so "ran once" is measured, not assumed.
@Suite("Remote tools", .serialized)
struct RemoteToolTests {
    /// Counts its runs in $COUNT_DIR/<host>, reports progress and a result naming the host from
    /// its context, the variables it sees and its memory limit; optionally fails once or waits.
    static let script = """
    #!/bin/sh
    ctx=$(cat)
    host=$(printf '%s' "$ctx" | sed -n 's/.*"host" *: *"\\([^"]*\\)".*/\\1/p')
    n=$(cat "$COUNT_DIR/$host" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$COUNT_DIR/$host"
    echo '{"progress": {"percent": 50, "message": "half way"}}'
    [ "$MODE" = wait ] && { : > "$COUNT_DIR/$host.started"; sleep 4; }
    [ "$MODE" = fail-first ] && [ $n = 1 ] && { echo "first run fails" >&2; exit 7; }
    echo "{\\"result\\": {\\"host\\": \\"$host\\", \\"run\\": $n, \\"vars\\": $(env | wc -l), \\"vmem\\": \\"$(ulimit -v)\\", \\"step\\": \\"$QUICKUP_RUN_ID\\"}}"

    """

    static func tool(_ stepID: String, mode: String, counts: String) -> RemoteTool {
        RemoteTool(name: "app/V2/tool.check", markerGroup: "run-1", stepID: stepID, executable: Data(script.utf8),
                   context: { host in Data(#"{"protocol": 1, "environment": {"host": "\#(host.name)"}}"#.utf8) },
                   environment: ["COUNT_DIR": counts, "MODE": mode, "QUICKUP_RUN_ID": "run-1"],
                   limits: PluginLimits(memory: ByteSize(bytes: 512 << 20), cpuPercent: 100, processes: 64))
    }

    static func count(_ counts: String, _ host: String) -> Int {
        Int(((try? String(contentsOfFile: "\(counts)/\(host)", encoding: .utf8)) ?? "0").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    static func result(_ outcome: RemoteToolOutcome) -> [String: Any]? {
        for case .result(let json) in outcome.messages.reversed() {
            return (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
        }
        return nil
    }

    @Test("Two hosts at once: context on stdin names each host, a clean environment, the memory limit, progress and result read; a second call collects and does not run again")
    func twoHostsOnce() async throws {
        let servers = try (0..<2).map { _ in try TestSSHServer.start(isolated: true) }
        let state = try TemporaryTree("qutool")
        let connections = SSHConnections(context: RemoteContext(stateDirectory: state.path, keepalive: .uniform(RemoteFixture.relaxedPolicy)))
        defer { for server in servers { server.stop() }; state.remove() }
        let counts = "\(state.path)/counts"
        try FileManager.default.createDirectory(atPath: counts, withIntermediateDirectories: true)
        let hosts = servers.enumerated().map { $1.host(name: "app\($0 + 1)") }
        let runner = RemoteToolRunner(connections: connections, poll: TimeSpan(milliseconds: 50))
        let first = await runner.run(Self.tool("tool-check", mode: "ok", counts: counts), on: hosts)
        #expect(first.map(\.host.name) == ["app1", "app2"])
        for (host, result) in first {
            let outcome = try result.get()
            #expect(outcome.succeeded && outcome.startedByThisCall, "\(outcome)")
            #expect(outcome.messages.contains(.progress(fraction: 0.5, message: "half way")))
            let answer = try #require(Self.result(outcome))
            #expect(answer["host"] as? String == host.name)
            #expect(answer["vmem"] as? String == "\(512 << 10)", "ulimit -v from the plugin's memory limit")
            // PATH, LANG, HOME, COUNT_DIR, MODE, QUICKUP_RUN_ID and what sh itself sets (PWD, SHLVL, _).
            #expect((answer["vars"] as? Int ?? 99) <= 9, "only the tool's variables: \(answer)")
            #expect(Self.count(counts, host.name) == 1)
        }
        // The resume: the same step again only collects.
        let again = await runner.run(Self.tool("tool-check", mode: "ok", counts: counts), on: hosts)
        for (host, result) in again {
            let outcome = try result.get()
            #expect(outcome.succeeded && !outcome.startedByThisCall)
            #expect(Self.count(counts, host.name) == 1, "not run again on \(host.name)")
        }
        // The context (it may hold passwords) and the command holding it are gone from the host.
        let leftovers = FileManager.default.enumerator(atPath: hosts[0].remoteStateDir)?.compactMap { $0 as? String } ?? []
        #expect(!leftovers.contains { $0.hasSuffix("context.json") || $0.hasSuffix("/command") }, "\(leftovers)")
        await connections.closeAll()
    }

    @Test("A failed run is retried on the next call (counted twice); an unreachable host is an error of its own")
    func failedRunRetried() async throws {
        try await RemoteFixture.with { fixture in
            let counts = "\(fixture.state.path)/counts"
            try FileManager.default.createDirectory(atPath: counts, withIntermediateDirectories: true)
            let runner = RemoteToolRunner(connections: fixture.connections, poll: TimeSpan(milliseconds: 50))
            let tool = Self.tool("tool-flaky", mode: "fail-first", counts: counts)
            let failed = try await runner.run(tool, on: fixture.host)
            #expect(failed.exitCode == 7 && failed.stderrTail.contains("first run fails"))
            let retried = try await runner.run(tool, on: fixture.host)
            #expect(retried.succeeded && retried.startedByThisCall && Self.count(counts, fixture.host.name) == 2)
            var gone = fixture.host
            gone.name = "gone"
            gone.port = 1
            let unreachable = await runner.run(tool, on: [gone])
            #expect(throws: QuickupError.self) { try unreachable.first?.result.get() }
        }
    }

    @Test("The link cut while the tool runs: quickup reconnects and collects its result; the tool ran once")
    func linkCutMidTool() async throws {
        try await RemoteFixture.with(isolated: true) { fixture in
            let counts = "\(fixture.state.path)/counts"
            try FileManager.default.createDirectory(atPath: counts, withIntermediateDirectories: true)
            let runner = RemoteToolRunner(connections: fixture.connections, poll: TimeSpan(milliseconds: 100))
            let host = fixture.host
            async let outcome = runner.run(Self.tool("tool-slow", mode: "wait", counts: counts), on: host)
            for _ in 0..<300 where !FileManager.default.fileExists(atPath: "\(counts)/\(host.name).started") {
                try await Task.sleep(for: .milliseconds(50))
            }
            try fixture.server.cutLink()
            // Long enough for the master to notice (2 s of silence) before the link comes back.
            try await Task.sleep(for: .seconds(3))
            try fixture.server.restoreLink()
            let result = try await outcome
            #expect(result.succeeded, "\(result)")
            #expect(Self.count(counts, host.name) == 1, "ran once despite the drop")
            #expect(fixture.connection(.plugin).reconnects >= 1, "the drop was seen and recovered from")
            #expect(Self.result(result)?["run"] as? Int == 1)
        }
    }
}
