import Foundation
import QuickupRun

/// README.txt of a support bundle: which run, what each file holds, what is missing and why.
struct BundleIndex {
    var run: RunRecord
    var documents: [BundleDocument]
    var notes: [String]
    var now: Date

    var text: String {
        var lines = [
            "quickup support bundle",
            "",
            "Run \(run.id): \(run.status.rawValue), release \(run.release) \(run.from) -> \(run.to)"
                + (run.site.map { " at site \($0)" } ?? "") + ", stage \(run.stage), on \(run.host)",
            "Made \(ISO8601DateFormatter().string(from: now)).",
            "",
            "No file of this bundle holds a secret: env.yaml's literal passwords, tokens and",
            "secrets and credentials inside URLs are replaced by <redacted>, and those values are also",
            "scrubbed from every other file. password_env / password_file only name where a secret lives;",
            "they were not read.",
            "",
            "Files:",
        ]
        let width = documents.map(\.path.count).max() ?? 0
        for document in documents {
            lines.append("  \(document.path.padding(toLength: width, withPad: " ", startingAt: 0))  \(document.about)")
        }
        if !notes.isEmpty {
            lines.append("")
            lines.append("Notes:")
            lines += notes.map { "  - \($0)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
