#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuickupCore

/// The files of a release directory as `quickup pack` ships them (R1): every regular file, sorted
/// by path, without interpreter and desktop litter (`.pyc`, `__pycache__`, `.DS_Store`). A symlink
/// to a file inside the release is shipped as that file's content; one that leads outside, or to
/// a directory, is refused, because the zip must not depend on what is beside the release.
struct ReleaseTree {
    struct File: Sendable {
        /// `/`-separated, relative to the root.
        var path: String
        var executable: Bool
    }

    let root: String
    /// Release-relative paths left out (the zip being written, when it is inside the release).
    var skipping: Set<String> = []
    /// Off when re-checking an extracted release: there, anything not in the manifest counts.
    var skipsLitter = true

    static func isLitter(_ name: String) -> Bool {
        name == ".DS_Store" || name == "__pycache__" || name.hasSuffix(".pyc")
    }

    func files() throws(QuickupErrors) -> [File] {
        guard let realRoot = ReleaseFiles.realPath(root) else {
            throw QuickupErrors([QuickupError(.fileNotFound, "release directory not found", at: SourceLocation(file: root))])
        }
        var found: [File] = []
        var problems: [QuickupError] = []
        var pending = [""]
        let listing = DirectoryListing()
        while let relative = pending.popLast() {
            let absolute = relative.isEmpty ? root : "\(root)/\(relative)"
            guard let entries = listing.entries(of: absolute) else {
                problems.append(QuickupError(.io, "cannot list the directory", at: SourceLocation(file: absolute)))
                continue
            }
            for (name, kind) in entries where !(skipsLitter && Self.isLitter(name)) {
                let path = relative.isEmpty ? name : "\(relative)/\(name)"
                if skipping.contains(path) { continue }
                let location = SourceLocation(file: "\(root)/\(path)")
                switch kind {
                case .directory:
                    pending.append(path)
                case .file:
                    found.append(File(path: path, executable: Self.isExecutable("\(root)/\(path)")))
                case .symlink:
                    guard let target = ReleaseFiles.realPath("\(root)/\(path)"), target.hasPrefix(realRoot + "/") else {
                        problems.append(QuickupError(.manifestInvalid, "symlink leads outside the release (or nowhere)", at: location,
                                                     hint: "copy the file into the release instead of linking to it"))
                        continue
                    }
                    guard !DirectoryListing.isDirectory(target) else {
                        problems.append(QuickupError(.manifestInvalid, "symlink to a directory cannot be packed", at: location,
                                                     hint: "replace it with the directory itself"))
                        continue
                    }
                    found.append(File(path: path, executable: Self.isExecutable(target)))
                case .other:
                    problems.append(QuickupError(.manifestInvalid, "neither a file nor a directory (a device, socket or pipe?)", at: location))
                }
            }
        }
        guard problems.isEmpty else { throw QuickupErrors(problems.sorted { $0.description < $1.description }) }
        return found.sorted { $0.path < $1.path }
    }

    static func isExecutable(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & 0o111 != 0
    }
}
