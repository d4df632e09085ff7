import Foundation
import QuickupAssess
import QuickupCore
import QuickupRelease

/// quickup-bench assess [--release DIR] [--env FILE] [--from V] [--to V] [--runs R] [--cpu-ms MS]
/// Times the whole assessment (A1–A4, issue 6 item 5) of a release against the servers its
/// env.yaml names: load + plan once, then `Assessor.assess` R times (each opens its own
/// connections, samples CPU over `--cpu-ms` (default 250, as `quickup assess`), runs every rule).
/// Prints min/median/max.
enum AssessBench {
    static func run(_ arguments: [String]) async -> Int32 {
        func value(_ name: String, _ fallback: String) -> String {
            guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return fallback }
            return arguments[i + 1]
        }
        let runs = max(1, Int(value("--runs", "10")) ?? 10)
        let probe = LocalResourceProbe(interval: .milliseconds(max(0, Int(value("--cpu-ms", "250")) ?? 250)))
        do {
            let from = try Version(parsing: value("--from", "V2.16.7"), origin: SourceLocation(file: "--from"))
            let to = try Version(parsing: value("--to", "V2.17.0"), origin: SourceLocation(file: "--to"))
            let workspace = try Workspace.open(release: value("--release", "examples/release"), environment: value("--env", "examples/env/site-a.yaml"))
            guard let environment = workspace.environment else { return 2 }
            let plan = try workspace.plan(from: from, to: to, site: nil)
            let state = NSTemporaryDirectory() + "quickup-bench-assess-state"
            let request = AssessmentRequest(plan: plan, release: workspace.release, releaseRoot: workspace.releaseRoot,
                                            environment: environment, stateDirectory: state)
            var seconds: [Double] = []
            var last: AssessmentReport?
            for _ in 0..<runs {
                let start = ContinuousClock.now
                last = await Assessor(probe: probe).assess(request)
                let elapsed = ContinuousClock.now - start
                seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
            seconds.sort()
            func ms(_ s: Double) -> String { String(format: "%.0f ms", s * 1000) }
            if let report = last {
                let counts = CheckStatus.allCases.map { "\(report.count($0)) \($0.rawValue)" }.joined(separator: ", ")
                print("release=\(report.release) \(report.from)→\(report.to) tasks=\(plan.taskCount) checks=\(report.checks.count) (\(counts)) datasources=\(report.datasources.count) runs=\(runs)")
            }
            print("assess: min \(ms(seconds[0])) median \(ms(seconds[seconds.count / 2])) max \(ms(seconds[seconds.count - 1]))")
            return 0
        } catch {
            FileHandle.standardError.write(Data("assess benchmark failed: \(error)\n".utf8))
            return 1
        }
    }
}
