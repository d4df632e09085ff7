import Foundation
import QuickupCore
import QuickupTools

/// SHA-256 and size of the local files to send, computed once for all hosts with `sha256sum`
/// (the same tool that checks them on the hosts).
enum LocalChecksums {
    struct Sum: Sendable, Equatable {
        var sha256: String
        var size: Int64
    }

    static func compute(_ paths: [String]) async throws(QuickupError) -> [String: Sum] {
        guard !paths.isEmpty else { return [:] }
        var sizes: [String: Int64] = [:]
        for path in paths {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), attributes[.type] as? FileAttributeType == .typeRegular,
                  let size = (attributes[.size] as? NSNumber)?.int64Value else {
                throw QuickupError(.fileNotFound, "cannot send \(path): it is not a readable file", hint: "check the release package")
            }
            sizes[path] = size
        }
        let result = try await CommandProcess.run(["sha256sum", "--"] + paths)
        let lines = result.stdoutText.split(separator: "\n")
        guard result.succeeded, lines.count == paths.count else {
            throw QuickupError(.io, "sha256sum failed on the files to send: \(SSHConnection.firstLine(result.stderr) ?? "status \(result.status)")")
        }
        var sums: [String: Sum] = [:]
        for (path, line) in zip(paths, lines) {
            // Names with a backslash or newline are printed with a leading backslash.
            let hex = line.drop { $0 == "\\" }.prefix(64)
            sums[path] = Sum(sha256: String(hex), size: sizes[path] ?? 0)
        }
        return sums
    }
}
