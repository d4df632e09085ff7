import Foundation
import QuickupCore
import QuickupRelease

/// quickup-bench lint [--tasks N] [--runs R] [--dir DIR]: N1's cost on a generated release —
/// `validate` before lint (load + checks), the rules alone on the loaded release, `validate` as it
/// is now (with its errors-only lint) and `quickup lint`'s whole operation (load + rules). The
/// release is generated once into DIR and reused, as the plan benchmark does.
enum LintBench {
    static func run(_ arguments: [String]) -> Int32 {
        func value(_ name: String, _ fallback: String) -> String {
            guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return fallback }
            return arguments[i + 1]
        }
        let runs = Int(value("--runs", "5")) ?? 5
        let parent = URL(fileURLWithPath: value("--dir", NSTemporaryDirectory() + "quickup-bench"))
        let generated = GeneratedRelease(tasks: Int(value("--tasks", "100000")) ?? 100_000, in: parent)
        let marker = generated.root.appendingPathComponent(".complete").path
        do {
            if !FileManager.default.fileExists(atPath: marker) {
                try generated.write()
                _ = FileManager.default.createFile(atPath: marker, contents: nil)
            }
        } catch {
            FileHandle.standardError.write(Data("cannot write the generated release: \(error)\n".utf8))
            return 1
        }
        let release = generated.root.path
        var validate: [Double] = [], rules: [Double] = [], validateWithLint: [Double] = [], lint: [Double] = []
        var findings = 0, scripts = 0
        do {
            for _ in 0..<runs {
                var workspace: Workspace?
                validate.append(try PackBench.time { workspace = try Workspace.open(release: release) })
                if let workspace {
                    rules.append(try PackBench.time {
                        let report = ReleaseLinter().lint(workspace.release, root: workspace.releaseRoot)
                        (findings, scripts) = (report.findings.count, report.scripts)
                    })
                }
                validateWithLint.append(try PackBench.time {
                    let opened = try Workspace.open(release: release, lint: LintPass())
                    _ = ReleaseLint.validationErrors(opened)
                })
                lint.append(try PackBench.time { _ = try ReleaseLint.run(release: release) })
            }
        } catch {
            FileHandle.standardError.write(Data("lint benchmark failed: \(error)\n".utf8))
            return 1
        }
        print("tasks=\(generated.taskCount) scripts=\(scripts) findings=\(findings) runs=\(runs)")
        let median = { (samples: [Double]) in samples.sorted()[samples.count / 2] }
        for (name, samples) in [("validate before N1 (load+checks)", validate), ("lint rules alone", rules),
                                ("validate with errors-only lint", validateWithLint), ("quickup lint (load+rules)", lint)] {
            let sorted = samples.sorted()
            print("\(name): min \(PackBench.ms(sorted[0])) median \(PackBench.ms(median(samples))) max \(PackBench.ms(sorted[sorted.count - 1]))")
        }
        print(String(format: "rules over validate: +%.0f %% (median)", 100 * median(rules) / median(validate)))
        return 0
    }
}
