import Foundation
import QuickupCore
import QuickupData
import QuickupRelease

/// quickup-bench plan --tasks N [--runs R] [--dir DIR]
/// Generates a release of N tasks at run time (never committed), then times load + validate +
/// plan R times in this process and prints min/median/max and the process's peak RSS (P5).
///
/// quickup-bench mariadb-script [--statements N] [--runs R]: see MariaDBScriptBench.swift.
if CommandLine.arguments.dropFirst().first == "tool-spawn" {
    exit(await ToolSpawnBench.run(Array(CommandLine.arguments.dropFirst(2))))
}
/// quickup-bench assess [--release DIR --env FILE --from V --to V --runs R]: see AssessBench.swift.
if CommandLine.arguments.dropFirst().first == "assess" {
    exit(await AssessBench.run(Array(CommandLine.arguments.dropFirst(2))))
}
/// quickup-bench pack [--tasks N | --release DIR] [--runs R]: see PackBench.swift (R1).
if CommandLine.arguments.dropFirst().first == "pack" {
    exit(PackBench.run(Array(CommandLine.arguments.dropFirst(2))))
}
/// quickup-bench splitter [--blocks N] [--runs R]: see SplitterBench.swift.
if CommandLine.arguments.dropFirst().first == "splitter" {
    exit(SplitterBench.run(Array(CommandLine.arguments.dropFirst(2))))
}
/// quickup-bench lint [--tasks N] [--runs R]: see LintBench.swift (N1).
if CommandLine.arguments.dropFirst().first == "lint" {
    exit(LintBench.run(Array(CommandLine.arguments.dropFirst(2))))
}
/// quickup-bench fanout --env FILE --state DIR [--command TEXT] [--close]: see FanoutBench.swift (issue 15).
if CommandLine.arguments.dropFirst().first == "fanout" {
    exit(await FanoutBench.run(Array(CommandLine.arguments.dropFirst(2))))
}
/// quickup-bench plan-output [--tasks N] [--json] [--whole]: see PlanOutputBench.swift (issue 20).
if CommandLine.arguments.dropFirst().first == "plan-output" {
    exit(PlanOutputBench.run(Array(CommandLine.arguments.dropFirst(2))))
}
/// quickup-bench backup --database DB --table T: see BackupBench.swift (F3).
if CommandLine.arguments.dropFirst().first == "backup" {
    exit(await BackupBench.run(Array(CommandLine.arguments.dropFirst(2))))
}
if CommandLine.arguments.dropFirst().first == "mariadb-script" {
    exit(await MariaDBScriptBench.run(Array(CommandLine.arguments.dropFirst(2))))
}

func argument(_ name: String, default value: String) -> String {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return value }
    return args[i + 1]
}

if CommandLine.arguments.dropFirst().first == "engine" {
    // quickup-bench engine --tasks 1000 --runs 3: the run engine on SQLite (see EngineBench).
    let tasks = Int(argument("--tasks", default: "1000")) ?? 1000
    let runs = Int(argument("--runs", default: "3")) ?? 3
    let parent = URL(fileURLWithPath: argument("--dir", default: NSTemporaryDirectory() + "quickup-bench"))
    let bench = EngineBench(tasks: tasks, runs: runs, parent: parent) { index in
        let path = parent.appendingPathComponent("engine-\(index).db").path
        try? FileManager.default.removeItem(atPath: path)
        // An empty file for SQLite; opening it creates one anyway if this fails.
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        var config = DatasourceConfig(name: "db", type: .sqlite, location: SourceLocation(file: "bench"))
        config.path = path
        return config
    }
    do { try await bench.run() } catch {
        FileHandle.standardError.write(Data("engine benchmark failed: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}

let tasks = Int(argument("--tasks", default: "500")) ?? 500
let runs = Int(argument("--runs", default: "10")) ?? 10
let parent = URL(fileURLWithPath: argument("--dir", default: NSTemporaryDirectory() + "quickup-bench"))
let generated = GeneratedRelease(tasks: tasks, in: parent)
do {
    // Reuse a release generated earlier with the same shape: writing 100,000 files takes a while.
    if !FileManager.default.fileExists(atPath: generated.root.appendingPathComponent(".complete").path) {
        try generated.write()
        // The marker only saves regenerating next time; without it the release is generated again.
        _ = FileManager.default.createFile(atPath: generated.root.appendingPathComponent(".complete").path, contents: nil)
    }
} catch {
    FileHandle.standardError.write(Data("cannot write the generated release: \(error)\n".utf8))
    exit(1)
}

var seconds: [Double] = []
var planned = 0
for _ in 0..<runs {
    let start = ContinuousClock.now
    do {
        let workspace = try Workspace.open(release: generated.root.path)
        let plan = try workspace.plan(from: Version(2, 0, 0), to: Version(3, 0, 0), site: "SITE-A")
        planned = plan.taskCount
    } catch {
        FileHandle.standardError.write(Data("benchmark release failed to plan: \(error)\n".utf8))
        exit(1)
    }
    let elapsed = ContinuousClock.now - start
    seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}
seconds.sort()
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
func ms(_ s: Double) -> String { String(format: "%.1f ms", s * 1000) }
print("tasks=\(generated.taskCount) planned=\(planned) components=\(generated.components) versions=\(generated.versions) runs=\(runs)")
print("load+validate+plan: min \(ms(seconds[0])) median \(ms(seconds[seconds.count / 2])) max \(ms(seconds[seconds.count - 1]))")
print("peak RSS: \(usage.ru_maxrss / 1024) MB")
