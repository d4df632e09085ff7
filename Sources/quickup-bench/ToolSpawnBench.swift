import Foundation
import QuickupCore
import QuickupTools
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// quickup-bench tool-spawn [--runs N] [--no-prejoin]: starting a Python tool through quickup
/// (sandbox, session, JSON context on stdin, the quickup_tool helper, a result line read back)
/// against a bare `python3 -c pass`, both with the same interpreter (`--python PATH`, default:
/// the one behind `python3`), interleaved, median of N (issue 7 item 8). Under cgroups the tool
/// is started both ways in the same binary, interleaved: from a pre-joined launcher (issue 20.2)
/// and the usual way (quickup-launch joins the cgroups, then execs); `--no-prejoin` leaves the first out.
/// `--settle-ms N` (default 50) pauses after every run. The floor — the tool's own command
/// started directly, without anything quickup adds — is measured beside them.
/// `--back-to-back N`: N tools in a row through the pool instead (see `backToBack`).
/// `--ballast MB`: this process holds MB of touched memory first, as a run with a large release
/// loaded does — every process quickup starts is a fork of it (swift-subprocess on Linux).
enum ToolSpawnBench {
    static func run(_ arguments: [String]) async -> Int32 {
        let runs = arguments.firstIndex(of: "--runs").flatMap { Int(arguments[$0 + 1]) } ?? 30
        let ballastBytes = (arguments.firstIndex(of: "--ballast").flatMap { Int(arguments[$0 + 1]) } ?? 0) << 20
        let ballast = UnsafeMutableRawPointer.allocate(byteCount: max(ballastBytes, 1), alignment: 4096)
        ballast.initializeMemory(as: UInt8.self, repeating: 1, count: max(ballastBytes, 1))
        defer { ballast.deallocate() }
        do {
            var python = arguments.firstIndex(of: "--python").map { arguments[$0 + 1] } ?? ""
            if python.isEmpty { python = try await interpreter() }
            let work = NSTemporaryDirectory() + "quickup-tool-bench-\(getpid())"
            try FileManager.default.createDirectory(atPath: "\(work)/tools", withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: work) }
            try Data("def main(ctx):\n    return {\"ok\": True, \"run\": ctx.run_id}\n".utf8).write(to: URL(fileURLWithPath: "\(work)/tools/bench_tool.py"))
            let helper = try PythonHelper.install(in: "\(work)/helper")
            let context = ToolContext(runID: "BENCH", from: "V1.0.0", to: "V1.0.1", stage: "pre_stop", site: nil, component: "bench",
                                      attempt: 1, workDirectory: work, environment: [:], datasources: [:])
            var command = PythonHelper.arguments(module: "bench_tool", function: "main", searchPath: "tools")
            command[0] = python
            var limits = PluginLimits.defaults(for: .business)
            if let cpu = arguments.firstIndex(of: "--cpu").flatMap({ Int(arguments[$0 + 1]) }) { limits.cpuPercent = cpu }
            let invocation = ToolInvocation(arguments: command, workDirectory: work, environment: context.variables.merging(["PYTHONPATH": helper]) { $1 },
                                            context: context.json(), limits: limits, name: "bench")
            if let count = arguments.firstIndex(of: "--back-to-back").flatMap({ Int(arguments[$0 + 1]) }) {
                return try await backToBack(count, invocation: invocation, python: python)
            }
            var rlimitOnly = IsolationSupport.current
            rlimitOnly.mechanism = .rlimits
            let prejoin = !arguments.contains("--no-prejoin")
            let launchers = PreparedLaunchers(policy: .standard)
            var bare: [Double] = [], sandboxed: [Double] = [], rlimited: [Double] = [], prejoined: [Double] = [], floor: [Double] = []
            for _ in 0..<3 { _ = try await time { try await runBare(python) } }  // warm the page cache
            if prejoin { try await runTool(invocation, support: .current, launchers: launchers) }  // the first prepares one
            // A pause after every run: what a run leaves working (a launcher being prepared for the
            // next tool, off the tool's path) must not fall into the next measured run.
            let settle = Duration.milliseconds(arguments.firstIndex(of: "--settle-ms").flatMap { Int(arguments[$0 + 1]) } ?? 50)
            for _ in 0..<runs {
                bare.append(try await time { try await runBare(python) })
                try await Task.sleep(for: settle)
                sandboxed.append(try await time { try await runTool(invocation, support: .current) })
                try await Task.sleep(for: settle)
                rlimited.append(try await time { try await runTool(invocation, support: rlimitOnly) })
                try await Task.sleep(for: settle)
                if prejoin {
                    prejoined.append(try await time { try await runTool(invocation, support: .current, launchers: launchers) })
                    try await Task.sleep(for: settle)
                }
                floor.append(try await time { try await runUncontained(invocation) })
                try await Task.sleep(for: settle)
            }
            await launchers.close()
            if arguments.contains("--phases") {
                var create: [Double] = [], trueCg: [Double] = [], trueRl: [Double] = [], trueBare: [Double] = []
                let trueInvocation = ToolInvocation(arguments: ["/bin/true"], workDirectory: work, limits: .defaults(for: .business), name: "true")
                for _ in 0..<runs {
                    create.append(try await time {
                        let sandbox = try ToolSandbox(support: .current, limits: .defaults(for: .business), workDirectory: work, name: "phase")
                        sandbox.remove()
                    })
                    trueCg.append(try await time { _ = try await ToolProcess.run(trueInvocation, support: .current) { _ in } })
                    trueRl.append(try await time { _ = try await ToolProcess.run(trueInvocation, support: rlimitOnly) { _ in } })
                    trueBare.append(try await time { _ = try await Subprocess.run(.path("/bin/true"), output: .discarded) })
                }
                print("sandbox create+remove: \(format(create)); /bin/true cgroup: \(format(trueCg)); /bin/true rlimits: \(format(trueRl)); bare /bin/true: \(format(trueBare))")
            }
            let b = median(bare), s = median(sandboxed), r = median(rlimited)
            print("python3: \(python); runs=\(runs), median (min–max)")
            print("bare `python3 -c pass`:          \(format(bare))")
            print("quickup tool, \(IsolationSupport.current.mechanismName): \(format(sandboxed))  ratio \(String(format: "%.2f", s / b))×")
            print("quickup tool, rlimits only:      \(format(rlimited))  ratio \(String(format: "%.2f", r / b))×")
            let f = median(floor)
            print("the tool's own command, started directly: \(format(floor))  ratio \(String(format: "%.2f", f / b))×")
            if prejoin {
                let p = median(prejoined)
                print("quickup tool, \(IsolationSupport.current.mechanismName), pre-joined launcher: \(format(prejoined))  ratio \(String(format: "%.2f", p / b))×")
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("tool-spawn benchmark failed: \(error)\n".utf8))
            return 1
        }
    }

    /// `--back-to-back N`: what a data migration does — N tools of one kind one after another,
    /// nothing between them, through the run's pool of launchers (each taken launcher's
    /// replacement is prepared while the next tools run) — against N bare `python3 -c pass`
    /// one after another. Tools start through quickup-launch and, as without it, through setpriv
    /// and a shell (each with its own pool); the tool's own command started directly is the
    /// floor (the helper's own cost). Blocks of 20 alternate, so all see the same machine.
    static func backToBack(_ count: Int, invocation: ToolInvocation, python: String) async throws -> Int32 {
        struct Side {
            var name: String
            var support: IsolationSupport?
            /// The tool's own command started directly (the floor: no sandbox, launcher or supervision).
            var direct = false
            var launchers = PreparedLaunchers(policy: .from())
            var times: [Double] = []
            var cpu = 0.0
        }
        var sides = [Side(name: "bare `python3 -c pass`", support: nil)]
        if IsolationSupport.current.launcher != nil { sides.append(Side(name: "quickup tools through quickup-launch", support: .current)) }
        sides.append(Side(name: "quickup tools through setpriv and sh", support: IsolationSupport.current.startingWithShell()))
        sides.append(Side(name: "the tool's own command, started directly", support: nil, direct: true))
        for _ in 0..<3 { _ = try await time { try await runBare(python) } }
        for side in sides {
            if let support = side.support { try await runTool(invocation, support: support, launchers: side.launchers) }  // the first prepares the pool
        }
        try await Task.sleep(for: .milliseconds(200))
        for _ in 0..<max(1, count / 20) {
            for index in sides.indices {
                let before = cpuSeconds()
                for _ in 0..<20 {
                    let side = sides[index]
                    sides[index].times.append(try await time {
                        if let support = side.support {
                            try await runTool(invocation, support: support, launchers: side.launchers)
                        } else if side.direct {
                            try await runUncontained(invocation)
                        } else {
                            try await runBare(python)
                        }
                    })
                }
                sides[index].cpu += cpuSeconds() - before
            }
        }
        let bare = sides[0]
        print("python3: \(python); \(bare.times.count) back to back, \(IsolationSupport.current.mechanismName), median (min–max), total; CPU per start (this process and its children, user + system)")
        for side in sides {
            let total = side.times.reduce(0, +)
            var line = "\(side.name): \(format(side.times)), total \(String(format: "%.2f", total)) s, CPU \(String(format: "%.1f", side.cpu / Double(side.times.count) * 1000)) ms"
            if side.support != nil || side.direct {
                line += String(format: "  ratio %.2f× median, %.2f× total", median(side.times) / median(bare.times), total / bare.times.reduce(0, +))
            }
            if side.support != nil {
                let counts = side.launchers.counts
                await side.launchers.close()
                line += "; \(counts.taken) took a launcher (\(counts.waited) after waiting for it to join), \(counts.missed) started the usual way"
            }
            print(line)
        }
        return 0
    }

    /// User + system time of this process and its reaped children.
    static func cpuSeconds() -> Double {
        var own = rusage(), children = rusage()
        getrusage(RUSAGE_SELF.rawValue, &own)
        getrusage(RUSAGE_CHILDREN.rawValue, &children)
        let seconds = { (t: timeval) in Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(own.ru_utime) + seconds(own.ru_stime) + seconds(children.ru_utime) + seconds(children.ru_stime)
    }

    static func runBare(_ python: String) async throws {
        let result = try await Subprocess.run(.path(FilePath(python)), arguments: ["-c", "pass"], output: .discarded, error: .discarded)
        guard result.terminationStatus.isSuccess else { throw QuickupError(.taskFailed, "python3 -c pass failed") }
    }

    static func runTool(_ invocation: ToolInvocation, support: IsolationSupport, launchers: PreparedLaunchers? = nil) async throws {
        let outcome = try await ToolProcess.run(invocation, support: support, launchers: launchers) { _ in }
        guard outcome.succeeded, outcome.result == #"{"ok":true,"run":"BENCH"}"# else {
            throw QuickupError(.taskFailed, "bench tool: \(outcome.ending) \(outcome.stderrTail)")
        }
    }

    /// The floor: the tool's own command (helper, tool module, context in, result line out),
    /// started directly — no sandbox, session, watchdog or line streaming.
    static func runUncontained(_ invocation: ToolInvocation) async throws {
        let environment = Environment.custom(Dictionary(uniqueKeysWithValues: invocation.fullEnvironment.map { (Environment.Key(stringLiteral: $0.key), $0.value) }))
        let result = try await Subprocess.run(.path(FilePath(invocation.arguments[0])), arguments: Arguments(Array(invocation.arguments.dropFirst())),
                                              environment: environment, workingDirectory: FilePath(invocation.workDirectory),
                                              input: .array(Array(invocation.context)), output: .string(limit: 1 << 16), error: .discarded)
        guard result.terminationStatus.isSuccess, result.standardOutput.contains("BENCH") else {
            throw QuickupError(.taskFailed, "bench tool started directly: \(result.terminationStatus)")
        }
    }

    /// The real interpreter behind `python3` (not a pyenv shim), so both sides start the same binary.
    static func interpreter() async throws -> String {
        let result = try await Subprocess.run(.name("python3"), arguments: ["-c", "import sys; print(sys.executable)"], output: .string(limit: 4096))
        let path = result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !path.isEmpty else {
            throw QuickupError(.fileNotFound, "python3 not found")
        }
        return path
    }

    static func time(_ work: () async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        try await work()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    static func format(_ values: [Double]) -> String {
        let sorted = values.sorted()
        return String(format: "%.1f ms (%.1f–%.1f)", median(values) * 1000, sorted[0] * 1000, sorted[sorted.count - 1] * 1000)
    }
}
