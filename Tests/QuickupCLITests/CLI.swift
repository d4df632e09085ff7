import Foundation
import QuickupTestSupport

/// Runs the built `quickup` executable, which SwiftPM places next to the test bundle.
enum CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var executable: URL {
        if let override = ProcessInfo.processInfo.environment["QUICKUP_BIN"] { return URL(fileURLWithPath: override) }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("quickup")
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs a command line as printed by quickup (a "Next:" hint), through `/bin/sh -c`.
    static func shell(_ line: String, in directory: URL) throws -> Result {
        try run(["-c", line], in: directory, program: URL(fileURLWithPath: "/bin/sh"))
    }

    /// The first `command` between backticks on the first line starting with `prefix`.
    static func hint(after prefix: String, in text: String) -> String? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        let parts = line.split(separator: "`", omittingEmptySubsequences: false)
        return parts.count >= 3 ? String(parts[1]) : nil
    }

    /// `run` on a thread of its own, for long commands (a whole upgrade): waiting there does not
    /// hold one of Swift concurrency's pool threads — two on a 2-core machine — that every async
    /// test of the process shares, so SSH keepalive and timeout tests beside it are not starved.
    static func runOffPool(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, Error>) in
            Thread {
                continuation.resume(with: Swift.Result { try run(arguments, environment: environment) })
            }.start()
        }
    }

    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
                    program: URL? = nil) throws -> Result {
        let output = try ChildProcess.run([(program ?? executable).path] + arguments,
                                          environment: environment.isEmpty ? nil : ChildProcess.environment(adding: environment),
                                          directory: (directory ?? repositoryRoot).path)
        return Result(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }
}
