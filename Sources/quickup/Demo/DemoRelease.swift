import Foundation
import QuickupCore

/// The demo's sample release, carried in the binary (DemoReleaseFiles) so that an installed
/// quickup runs `quickup demo` anywhere, and the env.yaml that points it at one SQLite file.
enum DemoRelease {
    static let environment = """
        # Written by quickup demo: one embedded SQLite database, no server.
        site: DEMO
        name: quickup demo
        datasources:
          shop_db:
            type: sqlite
            path: shop.db

        """

    static func temporaryDirectory() throws(QuickupError) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("quickup-demo-\(UUID().uuidString.prefix(8))").path
        try createDirectory(path)
        return path
    }

    /// Writes the built-in release into `directory`; returns it.
    static func write(into directory: String) throws(QuickupError) -> String {
        for file in DemoReleaseFiles.files {
            let path = "\(directory)/\(file.path)"
            try createDirectory(URL(fileURLWithPath: path).deletingLastPathComponent().path)
            try writeFile(path, contents: file.text)
        }
        return directory
    }

    static func writeFile(_ path: String, contents: String) throws(QuickupError) {
        do { try Data(contents.utf8).write(to: URL(fileURLWithPath: path)) } catch {
            throw QuickupError(.io, "cannot write \(path): \(error.localizedDescription)", hint: "check the temp directory (TMPDIR) is writable")
        }
    }

    private static func createDirectory(_ path: String) throws(QuickupError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw QuickupError(.io, "cannot create \(path): \(error.localizedDescription)", hint: "check the temp directory (TMPDIR) is writable")
        }
    }
}
