import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupTools

/// Issue 20.2, T1, T3: `quickup-launch`, each tool's first process, and the shell it replaces
/// (setpriv + sh, still used where quickup-launch is not installed) hand a tool exactly the same
/// things: directory, environment, arguments, cgroups, rlimits and stdin. And quickup-launch runs
/// nothing when it cannot do all of that.
@Suite("Tool launchers: quickup-launch and the shell (issue 20.2, T1, T3)")
struct ToolLauncherTests {
    enum Starter: String, CaseIterable, CustomTestStringConvertible {
        case quickupLaunch, shell
        var testDescription: String { rawValue }
        var support: IsolationSupport {
            self == .shell ? IsolationSupport.current.startingWithShell() : IsolationSupport.current
        }
    }

    static let words = ["a b", "it's", "", "$HOME `id` \"q\"", "ü;*", "--"]

    @Test("a tool gets its directory, environment, arguments, limits, cgroups and context, whichever starts it, prepared or not",
          arguments: Starter.allCases, [false, true])
    func sameToolEitherWay(starter: Starter, prejoined: Bool) async throws {
        let support = starter.support
        #expect((support.launcher != nil) == (starter == .quickupLaunch), "quickup-launch is built next to the tests: \(support)")
        let fixture = try ToolFixture(prejoined: prejoined)
        defer { fixture.remove() }
        let tool = try fixture.script("where.sh", """
            #!/bin/sh
            for word in "$@"; do printf 'arg=[%s]\\n' "$word"; done
            printf 'odd=[%s]\\n' "$ODD"
            echo "cwd $(pwd)"
            echo "cpu $(ulimit -St) $(ulimit -Ht)"
            echo "core $(ulimit -c)"
            echo "groups $(grep -cE ":(memory|pids|cpu|cpu,cpuacct):/.*/test-tool\\.quickup-$PPID-|:(memory|pids|cpu|cpu,cpuacct):/.*/prepared\\.quickup-$PPID-" /proc/self/cgroup)"
            echo "context $(cat)"
            """)
        var invocation = fixture.invocation(tool, context: #"{"k": "v w"}"#)
        invocation.arguments += Self.words
        invocation.environment["ODD"] = "it's $HOME `id` \"q\""
        invocation.limits.cpuTime = .seconds(7)
        let (outcome, events) = try await fixture.run(invocation, support: support)
        let lines = events.compactMap { event -> String? in
            if case .message(.text(let line)) = event { return line }
            return nil
        }
        #expect(outcome.succeeded, "\(outcome.ending): \(outcome.stderrTail)")
        #expect(lines.filter { $0.hasPrefix("arg=") } == Self.words.map { "arg=[\($0)]" }, "\(lines)")
        #expect(lines.contains("odd=[it's $HOME `id` \"q\"]"), "values pass as words, never as shell code: \(lines)")
        #expect(lines.contains("cwd \(fixture.directory)"))
        #expect(lines.contains("cpu 7 8"), "the class's CPU time, SIGKILL a second after SIGXCPU: \(lines)")
        #expect(lines.contains("core 0"))
        if support.mechanism != .rlimits {
            #expect(lines.contains("groups \(support.groupParents.count)"), "in its own group of every hierarchy: \(lines)")
        }
        #expect(lines.contains(#"context {"k": "v w"}"#), "stdin after the job is the tool's: \(lines)")
    }

    @Test("quickup doctor says how tools start and that they die with quickup")
    func doctorSaysHowToolsStart() throws {
        let launcher = try #require(IsolationSupport.current.launcher, "quickup-launch is built next to the tests")
        #expect(IsolationSupport.current.description.contains("tools start through \(launcher); tools die with quickup"), "\(IsolationSupport.current)")
        let shell = IsolationSupport.current.startingWithShell()
        #expect(shell.description.contains("tools start through a shell (no quickup-launch next to quickup)"), "\(shell)")
        #expect(shell.toolsDieWithQuickup == (shell.parentDeathSignal != nil))
    }

    @Test("a quickup-launch that does not run is noted, and tools start through the shell")
    func brokenLauncherIsNoted() throws {
        let tree = try TemporaryTree("quickup-launch")
        defer { tree.remove() }
        try tree.write("quickup-launch", "#!/bin/sh\nexit 125\n")
        let broken = "\(tree.path)/quickup-launch"
        chmod(broken, 0o755)
        let support = IsolationSupport(mechanism: .rlimits, bubblewrap: nil, notes: []).withHelperPrograms(launcher: broken)
        #expect(support.launcher == nil)
        #expect(support.notes.contains("\(broken) does not run here: tools start through setpriv and a shell"), "\(support.notes)")
        let working = IsolationSupport(mechanism: .rlimits, bubblewrap: nil, notes: []).withHelperPrograms()
        #expect(working.launcher == IsolationSupport.siblingLauncher() && working.launcher != nil)
        #expect(working.parentDeathSignal == nil, "quickup-launch sets the signal; setpriv is not needed")
    }

    // MARK: quickup-launch refuses what it cannot do, and then runs nothing

    struct Refusal: CustomTestStringConvertible, Sendable {
        var name: String
        var options: [String]
        var stdin: String = ""
        var message: String
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = [
        Refusal(name: "its parent is gone", options: ["--parent", "1", "--"], message: ""),
        Refusal(name: "a cgroup it cannot join", options: ["--join", "/nonexistent/cgroup.procs", "--"], message: "/nonexistent/cgroup.procs: No such file or directory"),
        Refusal(name: "a limit the kernel refuses", options: ["--limit", "cpu=9:3", "--"], message: "cpu=9:3: Invalid argument"),
        Refusal(name: "a limit that is not NAME=SOFT:HARD", options: ["--limit", "cpu=9", "--"], message: "a limit is not NAME=SOFT:HARD: cpu=9"),
        Refusal(name: "an unknown limit", options: ["--limit", "stack=1:1", "--"], message: "unknown limit: stack=1:1"),
        Refusal(name: "an unknown option", options: ["--jion", "x", "--"], message: "unknown option: --jion"),
        Refusal(name: "a job that ends early", options: ["--wait"], stdin: "40\nD/\0Atouch\0", message: "the job ended early"),
        Refusal(name: "a job whose header is no length", options: ["--wait"], stdin: "forty\n", message: "a job header is not a length: forty"),
        Refusal(name: "a job with an unknown field", options: ["--wait"], stdin: "6\nX/\0Aa\0", message: "unknown job field: X/"),
        Refusal(name: "a job in a directory that does not exist", options: ["--wait"], stdin: "17\nD/nonexistent\0Aa\0", message: "/nonexistent: No such file or directory"),
        Refusal(name: "no job: stdin closed", options: ["--wait"], message: ""),
    ]

    @Test("quickup-launch exits 125 naming what failed and runs nothing", arguments: refusals)
    func refuses(_ refusal: Refusal) throws {
        let launcher = try #require(IsolationSupport.current.launcher, "quickup-launch is built next to the tests")
        let tree = try TemporaryTree("quickup-launch")
        defer { tree.remove() }
        let marker = "\(tree.path)/ran"
        let arguments = refusal.options.last == "--" ? refusal.options + ["/usr/bin/touch", marker] : refusal.options
        let result = try Self.run(launcher, arguments, stdin: refusal.stdin)
        #expect(result.status == 125, "\(result)")
        // Silent only where nobody is left to read it (quickup gone, or it ended the launcher).
        #expect(refusal.message.isEmpty ? result.stderr.isEmpty : result.stderr.contains(refusal.message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker), "nothing ran")
    }

    @Test("quickup-launch: a limit marked optional may fail; a missing program is 127, as a shell says it")
    func optionalLimitAndMissingProgram() throws {
        let launcher = try #require(IsolationSupport.current.launcher, "quickup-launch is built next to the tests")
        let tree = try TemporaryTree("quickup-launch")
        defer { tree.remove() }
        let marker = "\(tree.path)/ran"
        let optional = try Self.run(launcher, ["--limit", "?cpu=9:3", "--", "/usr/bin/touch", marker])
        #expect(optional.status == 0 && FileManager.default.fileExists(atPath: marker), "\(optional)")
        let missing = try Self.run(launcher, ["--", "\(tree.path)/no-such-tool"])
        #expect(missing.status == 127 && missing.stderr.contains("cannot run \(tree.path)/no-such-tool: No such file or directory"), "\(missing)")
        // The job's PATH finds the program, as `exec` after `export PATH=…` does.
        let job = "D\(tree.path)\0EPATH=/usr/bin\0Atouch\0A\(marker)-2\0"
        let found = try Self.run(launcher, ["--wait"], stdin: "\(job.utf8.count)\n\(job)")
        #expect(found.status == 0 && FileManager.default.fileExists(atPath: "\(marker)-2"), "\(found)")
    }

    @Test("the shell and quickup-launch spell the same limits; only root and cgroups leave address space and processes out")
    func limitSpelling() {
        var limits = PluginLimits.defaults(for: .business)
        limits.cpuTime = TimeSpan(milliseconds: 4200)
        limits.memory = .mebibytes(256)
        limits.processes = 10
        let rlimits = ResourceLimit.forTool(limits, mechanism: .rlimits, processesOfThisUser: { 5 }, isRoot: false)
        #expect(rlimits.map(\.launchSpec) == ["core=0:0", "cpu=5:6", "as=268435456:268435456", "?nproc=15:15"])
        #expect(rlimits.map(\.shellCommand).joined(separator: "; ")
                == "ulimit -c 0; ulimit -St 5; ulimit -Ht 6; ulimit -v 262144; { ulimit -u 15 || ulimit -p 15; } 2>/dev/null")
        #expect(ResourceLimit.forTool(limits, mechanism: .rlimits, processesOfThisUser: { 5 }, isRoot: true).map(\.launchSpec)
                == ["core=0:0", "cpu=5:6", "as=268435456:268435456"])
        limits.cpuTime = nil
        #expect(ResourceLimit.forTool(limits, mechanism: .cgroupV2(parent: "/x"), processesOfThisUser: { 5 }, isRoot: false).map(\.shellCommand) == ["ulimit -c 0"])
    }

    static func run(_ program: String, _ arguments: [String], stdin: String = "") throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let input = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardError = error
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let message = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: message, as: UTF8.self))
    }
}
