import Foundation
import QuickupCore

/// When `--release` holds no components it is usually one level off: a component folder, its
/// `upgrade/` or version folder (too low), or the folder that holds releases (too high).
/// Says what a release looks like and where the release probably is (issue 14 item 2).
struct ReleaseLocator {
    let files: ReleaseFiles

    static let expected = "a release directory holds release.yaml and one folder per component (component.yaml, upgrade/<version>/)"

    func hint() -> String {
        if let release = probableRelease() { return "\(Self.expected); this looks like \(release.what): pass --release \(release.path)" }
        let below = releasesBelow()
        if !below.isEmpty {
            return "\(Self.expected); releases found one level down: pass --release " + below.joined(separator: " or ")
        }
        return Self.expected
    }

    /// A folder inside a release: returns what it is and the release's path.
    private func probableRelease() -> (what: String, path: String)? {
        let name = URL(fileURLWithPath: files.root).lastPathComponent
        if files.exists("component.yaml") || (files.isDirectory("upgrade") && name != "upgrade") {
            return ("the component folder '\(name)'", Self.parent(of: files.root, levels: 1))
        }
        if name == "upgrade", files.list("").contains(where: { Version.parse($0) != nil }) {
            return ("a component's upgrade folder", Self.parent(of: files.root, levels: 2))
        }
        if Version.parse(name) != nil, files.list("").contains(where: { $0.hasPrefix("upgrade_tasks_") }) {
            return ("the version folder \(name)", Self.parent(of: files.root, levels: 3))
        }
        return nil
    }

    /// Sub-folders that look like releases: a release.yaml, or a folder holding a component.yaml.
    private func releasesBelow() -> [String] {
        files.list("").filter { entry in
            guard !entry.hasPrefix("."), files.isDirectory(entry) else { return false }
            if files.exists("\(entry)/release.yaml") { return true }
            return files.list(entry).contains { files.exists("\(entry)/\($0)/component.yaml") }
        }.map { files.display($0) }
    }

    /// `levels` folders up from `path` as the user typed it (relative stays relative).
    static func parent(of path: String, levels: Int) -> String {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for _ in 0..<levels {
            if let last = parts.last, !last.isEmpty, last != ".", last != ".." {
                parts.removeLast()
            } else {
                parts.append("..")
            }
        }
        let joined = parts.joined(separator: "/")
        if joined.isEmpty { return path.hasPrefix("/") ? "/" : "." }
        return joined
    }
}
