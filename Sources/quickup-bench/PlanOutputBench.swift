import Foundation
import QuickupCore
import QuickupRelease

/// quickup-bench plan-output [--tasks N] [--dir DIR] [--json] [--whole]: what `quickup plan`
/// does, as one process, on the plan benchmark's generated release (issue 20 item 1): load,
/// validate, plan, then write the plan to stdout — streamed (as the CLI now does) or, with
/// `--whole`, built in memory first as the CLI did before (JSONEncoder / one String). Run it
/// under `/usr/bin/time -v … > /dev/null` for the process's peak RSS; it prints each phase's
/// time on stderr.
enum PlanOutputBench {
    static func run(_ arguments: [String]) -> Int32 {
        func value(_ name: String, _ fallback: String) -> String {
            guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return fallback }
            return arguments[i + 1]
        }
        let parent = URL(fileURLWithPath: value("--dir", NSTemporaryDirectory() + "quickup-bench"))
        let generated = GeneratedRelease(tasks: Int(value("--tasks", "100000")) ?? 100_000, in: parent)
        let marker = generated.root.appendingPathComponent(".complete").path
        do {
            if !FileManager.default.fileExists(atPath: marker) {
                try generated.write()
                _ = FileManager.default.createFile(atPath: marker, contents: nil)
            }
            let json = arguments.contains("--json"), whole = arguments.contains("--whole")
            var workspace: Workspace?
            let load = try PackBench.time { workspace = try Workspace.open(release: generated.root.path) }
            guard let workspace else { return 1 }
            var plan: Plan?
            let planning = try PackBench.time { plan = try workspace.plan(from: Version(2, 0, 0), to: Version(3, 0, 0), site: "SITE-A") }
            guard let plan else { return 1 }
            let output = try PackBench.time {
                var out = StandardOutput()
                switch (json, whole) {
                case (true, true):
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = PlanJSON.formatting
                    out.raw(ControlCharacters.escaped(String(decoding: try encoder.encode(PlanDocument(plan)), as: UTF8.self)))
                case (true, false): try PlanJSON.write(plan, to: &out)
                case (false, true): out.raw(ControlCharacters.escaped(PlanRenderer().render(plan)))
                case (false, false): PlanRenderer().render(plan, to: &out)
                }
                out.write("\n")
            }
            FileHandle.standardError.write(Data(("tasks=\(plan.taskCount) \(json ? "json" : "text") \(whole ? "whole" : "streamed"): load+validate "
                + "\(PackBench.ms(load)), plan \(PackBench.ms(planning)), output \(PackBench.ms(output))\n").utf8))
            return 0
        } catch {
            FileHandle.standardError.write(Data("plan-output benchmark failed: \(error)\n".utf8))
            return 1
        }
    }

    /// stdout with `print`, control characters escaped as the CLI's console does.
    struct StandardOutput: TextOutputStream {
        mutating func write(_ string: String) { raw(ControlCharacters.escaped(string)) }

        /// As the CLI's `print` of text it escaped already.
        func raw(_ text: String) { print(text, terminator: "") }
    }
}
