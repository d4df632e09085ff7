import Foundation
import QuickupCore
import QuickupRelease

/// quickup-bench pack [--tasks N] [--release DIR] [--runs R]: R1's costs — `quickup pack`
/// (validate, hash, deflate, write), opening the zip the first time (hash the zip, extract,
/// verify every file, load) and again (hash the zip, re-verify the extracted copy, load),
/// against loading the directory itself. Without --release a release of N tasks is generated.
enum PackBench {
    static func run(_ arguments: [String]) -> Int32 {
        func value(_ name: String, _ fallback: String) -> String {
            guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return fallback }
            return arguments[i + 1]
        }
        let runs = Int(value("--runs", "5")) ?? 5
        let scratch = URL(fileURLWithPath: NSTemporaryDirectory() + "quickup-bench-pack-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let release: String
        if let given = arguments.firstIndex(of: "--release").map({ _ in value("--release", "") }) {
            release = given
        } else {
            let generated = GeneratedRelease(tasks: Int(value("--tasks", "5000")) ?? 5000, in: scratch)
            do { try generated.write() } catch {
                FileHandle.standardError.write(Data("cannot write the generated release: \(error)\n".utf8))
                return 1
            }
            release = generated.root.path
        }
        var pack: [Double] = [], first: [Double] = [], again: [Double] = [], directory: [Double] = []
        var files = 0, bytes: Int64 = 0
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            for index in 0..<runs {
                let zip = scratch.appendingPathComponent("release-\(index).zip").path
                let cache = ReleaseCache(root: scratch.appendingPathComponent("cache-\(index)").path)
                pack.append(try time {
                    let result = try ReleasePacker().pack(directory: release, to: zip)
                    (files, bytes) = (result.manifest.files.count, result.bytes)
                })
                first.append(try time { _ = try Workspace.open(release: zip, cache: cache) })
                again.append(try time { _ = try Workspace.open(release: zip, cache: cache) })
                directory.append(try time { _ = try Workspace.open(release: release) })
            }
        } catch {
            FileHandle.standardError.write(Data("pack benchmark failed: \(error)\n".utf8))
            return 1
        }
        print("release=\(release) files=\(files) zip=\(bytes) bytes runs=\(runs)")
        for (name, samples) in [("pack (validate+hash+zip)", pack), ("open zip, first (extract+verify+load)", first),
                                ("open zip, cached (re-verify+load)", again), ("open directory (load)", directory)] {
            let sorted = samples.sorted()
            print("\(name): min \(ms(sorted[0])) median \(ms(sorted[sorted.count / 2])) max \(ms(sorted[sorted.count - 1]))")
        }
        return 0
    }

    static func time(_ body: () throws -> Void) throws -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.0f ms", seconds * 1000) }
}
