import ArgumentParser
import Foundation
import QuickupCore
import QuickupRelease

/// `quickup pack RELEASE_DIR -o release.zip` (R1): validate, then write a deterministic zip with a
/// SHA-256 manifest that every `--release` accepts.
struct PackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Validate a release directory and write it as a zip with a SHA-256 manifest of every file.",
        discussion: """
            The zip holds the release tree (without .pyc, __pycache__ and .DS_Store) and QUICKUP-MANIFEST.json. \
            Packing the same tree twice gives identical bytes. Every command's --release accepts the zip and \
            refuses it when a file does not match the manifest. Exit 0 when written, 2 when the release is invalid.
            """)

    @Argument(help: "The release directory to pack.")
    var releaseDirectory: String
    @Option(name: [.short, .customLong("output")], help: "The zip to write (replaced atomically).")
    var output: String
    @OptionGroup var outputOptions: OutputOptions

    struct Report: Encodable {
        var output: String
        var bytes: Int64
        var files: Int
        var release: ReleaseManifest.ReleaseInfo
        var sha256: String
    }

    func run() async throws {
        try await runReporting {
            let result = try ReleasePacker().pack(directory: releaseDirectory, to: output)
            let digest = try ReleaseFileDigest.sha256(of: result.output)
            let info = result.manifest.release
            if outputOptions.json {
                try printJSON(Report(output: result.output, bytes: result.bytes, files: result.manifest.files.count,
                                     release: info, sha256: digest))
            } else {
                Console.out("Packed \(info.name) (\(result.manifest.files.count) files, versions "
                    + "\(info.versions.isEmpty ? "none" : info.versions.joined(separator: ", "))) into \(result.output): "
                    + "\(result.bytes) bytes, SHA-256 \(digest)")
            }
            return .success
        }
    }
}
