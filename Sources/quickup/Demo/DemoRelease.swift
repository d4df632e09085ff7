import Foundation
import QuickupCore

/// The demo's sample release, carried in the binary (DemoReleaseFiles) so that an installed
/// quickup runs `quickup demo` anywhere, and the env.yaml that points it at one SQLite file and
/// one `local` host (node0) whose orders settings the release's config task changes (issue 18).
enum DemoRelease {
    static func environment(folder: String) -> String {
        """
        # Written by quickup demo: one embedded SQLite database, no server; one local host (no SSH).
        site: DEMO
        name: quickup demo
        datasources:
          shop_db:
            type: sqlite
            path: shop.db
        hosts:
          - {name: node0, kind: local, state_dir: \(folder)/hosts/node0/quickup, components: [orders]}
        services:
          orders:   # `quickup run` starts no service: install_dir says where the config task's file is
            start: exec true
            process_match: demo-service-node0
            port: 1
            install_dir: \(folder)/hosts/{host}/orders

        """
    }

    /// The component's site settings as a site has them before the upgrade: the package's
    /// `conf/<component>.properties` of `version`, copied to `<installDir>/conf/` (the file the
    /// release's config task changes); nothing when the package has none.
    static func placeSiteSettings(release: String, component: String, version: Version, installDir: String) throws(QuickupError) {
        let name = "conf/\(component).properties"
        guard let data = FileManager.default.contents(atPath: "\(release)/\(component)/package/\(version)/\(name)") else { return }
        try createDirectory("\(installDir)/conf")
        do { try data.write(to: URL(fileURLWithPath: "\(installDir)/\(name)")) } catch {
            throw QuickupError(.io, "cannot write \(installDir)/\(name): \(error.localizedDescription)", hint: "check the temp directory (TMPDIR) is writable")
        }
    }

    /// `<installDir>/conf/<component>.properties` on `host` in one line (its settings, comments
    /// left out), or nil when there is none.
    static func siteSettings(component: String, host: String, installDir: String) -> String? {
        guard let text = try? String(contentsOfFile: "\(installDir)/conf/\(component).properties", encoding: .utf8) else { return nil }
        let settings = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        return "\(component) on \(host) has conf/\(component).properties: " + settings.joined(separator: "; ")
    }

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
