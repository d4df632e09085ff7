import Foundation
import QuickupCore

/// File-system access for the loader, confined to one release directory: paths that escape it
/// (`../`, absolute paths, symlinks pointing outside) are refused (M5).
struct ReleaseFiles {
    /// The directory as the user named it; used to print paths the way they typed them.
    let root: String
    /// The directory with symlinks resolved, for containment checks.
    let realRoot: String
    /// Listings are cached per loader; each concurrent component load gets its own (`fresh()`).
    private let listing = DirectoryListing()

    init?(root: String) {
        let trimmed = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        guard let real = ReleaseFiles.realPath(trimmed) else { return nil }
        self.root = trimmed
        self.realRoot = real
    }

    init(root: String, realRoot: String) {
        self.root = root
        self.realRoot = realRoot
    }


    /// Kind of a path relative to the root, from cached listings of its parent folders.
    private func kind(_ relative: String) -> DirectoryListing.Kind? {
        if relative.isEmpty { return .directory }
        guard let slash = relative.lastIndex(of: "/") else { return listing.kind(of: relative, in: root) }
        let parent = String(relative[..<slash])
        return listing.kind(of: String(relative[relative.index(after: slash)...]), in: display(parent))
    }

    /// `root/relative`, the form errors show.
    func display(_ relative: String) -> String { relative.isEmpty ? root : "\(root)/\(relative)" }

    func isDirectory(_ relative: String) -> Bool {
        switch kind(relative) {
        case .directory: return true
        case .symlink: return DirectoryListing.isDirectory(display(relative))
        default: return false
        }
    }

    func exists(_ relative: String) -> Bool {
        switch kind(relative) {
        case nil: return false
        case .symlink: return FileManager.default.fileExists(atPath: display(relative))
        default: return true
        }
    }

    /// Sorted entries of a directory (names only).
    func list(_ relative: String) -> [String] {
        (listing.entries(of: display(relative)).map { Array($0.keys) } ?? []).sorted()
    }

    /// Every regular file below a directory, as paths relative to the release root, sorted.
    func files(under relative: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: display(relative)) else { return [] }
        var out: [String] = []
        while let item = enumerator.nextObject() as? String {
            let path = "\(relative)/\(item)"
            if !isDirectory(path) { out.append(path) }
        }
        return out.sorted()
    }

    /// Whether a resolved reference is a folder: the listing's answer when `resolveFile` had it.
    func isDirectory(_ file: ResolvedFile) -> Bool {
        guard let place = file.place else { return isDirectory(file.path) }
        return place.kind == .directory
    }

    /// A resolved reference's bytes, read from its folder without splitting its path again.
    func read(_ file: ResolvedFile) -> [UInt8]? {
        guard let place = file.place else { return read(file.path) }
        return listing.readFile(place.name, in: place.folder, regularFile: place.kind == .file)
    }

    func read(_ relative: String) -> [UInt8]? {
        guard let slash = relative.utf8.lastIndex(of: UInt8(ascii: "/")) else { return listing.readFile(display(relative)) }
        return listing.readFile(String(relative[relative.index(after: slash)...]), in: display(String(relative[..<slash])))
    }

    /// The file as UTF-8 text (a leading BOM dropped); a file that is not UTF-8 is reported to
    /// `sink` with its line and column (issue 13 item 7) and gives nil.
    func readText(_ relative: String, sink: DiagnosticSink) -> String? {
        guard let bytes = read(relative) else { return nil }
        do { return try UTF8Text.decode(bytes, file: display(relative), what: "manifest") } catch {
            sink.diagnostics.append(error)
            return nil
        }
    }

    /// The file as UTF-8 text, or nil when it is missing or not UTF-8 — for passes that run after
    /// the loader (lint), which has already reported such a file with its line and column.
    func readLoadedText(_ relative: String) -> String? {
        guard let bytes = read(relative) else { return nil }
        return try? UTF8Text.decode(bytes, file: display(relative), what: "script")
    }

    /// Resolves `reference` (as written in a manifest) against `base`, both relative to the root.
    /// Returns the normalised relative path, or an error message saying why it is refused.
    func resolve(_ reference: String, from base: String) -> Result<String, ResolveError> {
        resolveFile(reference, from: base).map(\.path)
    }

    /// `resolve`, with what checking and reading the file needs next when the short way found
    /// it: a loader resolves, checks and reads 100,000 task files (P5, issue 20.1).
    func resolveFile(_ reference: String, from base: String) -> Result<ResolvedFile, ResolveError> {
        if let file = resolveInKnownFolder(reference, from: base) { return .success(file) }
        return resolveTheLongWay(reference, from: base).map { ResolvedFile(path: $0, place: nil) }
    }

    private func resolveTheLongWay(_ reference: String, from base: String) -> Result<String, ResolveError> {
        if reference.hasPrefix("/") { return .failure(.absolute) }
        var parts = base.split(separator: "/").map(String.init)
        for part in reference.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { return .failure(.escapes) }
                parts.removeLast()
            default: parts.append(String(part))
            }
        }
        let relative = parts.joined(separator: "/")
        guard exists(relative) else { return .failure(.missing(display(relative))) }
        // Lexically inside the root; only a symlink on the way could lead out, so only then resolve it.
        var crossesLink = false
        var prefix = ""
        for (index, part) in parts.enumerated() {
            prefix = prefix.isEmpty ? part : prefix + "/" + part
            let isLast = index == parts.count - 1
            if !isLast, listing.linkFreeDirectories.contains(prefix) { continue }
            if kind(prefix) == .symlink { crossesLink = true; break }
            if !isLast { listing.linkFreeDirectories.insert(prefix) }
        }
        if crossesLink {
            guard let real = ReleaseFiles.realPath(display(relative)),
                  real == realRoot || real.hasPrefix(realRoot + "/") else { return .failure(.escapes) }
        }
        return .success(relative)
    }

    /// The common case of `resolve`, without splitting and joining paths or walking every
    /// folder of the way (P5: 100,000 task files): a plain `dir/name` reference into a folder
    /// already known to have no symlink on its way from the root (the first file of a folder
    /// goes the long way and records that), naming an entry that is there and is not a symlink.
    /// Then `resolve` would give `base/dir/name` too. Nil sends the caller the long way.
    private func resolveInKnownFolder(_ reference: String, from base: String) -> ResolvedFile? {
        guard Self.isPlain(reference) else { return nil }
        let inside: Substring?, name: String
        if let slash = reference.utf8.lastIndex(of: UInt8(ascii: "/")) {
            inside = reference[..<slash]
            name = String(reference[reference.index(after: slash)...])
        } else {
            inside = nil
            name = reference
        }
        guard let folder = knownFolder(base: base, inside: inside) else { return nil }
        switch folder.entries[name] {
        case nil, .symlink?: return nil
        case let kind?:
            return ResolvedFile(path: folder.path.isEmpty ? name : folder.path + "/" + name, place: (folder.shown, name, kind))
        }
    }

    /// The folder `inside` names below `base` when it is known to be link-free, kept for the
    /// next reference: a version's files are resolved one after another from the same base
    /// into the same `sql/`, so its path is joined, shown and looked up once, not per file.
    private func knownFolder(base: String, inside: Substring?) -> DirectoryListing.KnownFolder? {
        if let known = listing.knownFolder, known.base == base, Self.same(known.inside, inside) { return known }
        guard Self.isPlain(base) else { return nil }
        let path = inside.map { base.isEmpty ? String($0) : base + "/" + $0 } ?? base
        let shown = display(path)
        guard listing.linkFreeDirectories.contains(path), let entries = listing.entries(of: shown) else { return nil }
        let known = DirectoryListing.KnownFolder(base: base, inside: inside.map(String.init), path: path, shown: shown, entries: entries)
        listing.knownFolder = known
        return known
    }

    private static func same(_ a: String?, _ b: Substring?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (a?, b?): return a == b
        default: return false
        }
    }

    /// Relative, without empty, `.` or `..` parts: a path `resolve` would join back unchanged.
    private static func isPlain(_ path: String) -> Bool {
        var partStart = true, dots = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") {
                // An empty part (leading, doubled) or a part of only dots (`.`, `..`).
                if partStart || dots > 0 && dots <= 2 { return false }
                partStart = true
                dots = 0
                continue
            }
            if byte == UInt8(ascii: "."), partStart || dots > 0 { dots += 1 } else { dots = 0 }
            partStart = false
        }
        return !partStart && !(dots > 0 && dots <= 2) || path.isEmpty
    }

    /// A reference `resolveFile` accepted: its path relative to the root and, when the
    /// folder's listing gave it, the folder as `display` writes it, the name and its kind.
    struct ResolvedFile {
        let path: String
        fileprivate let place: (folder: String, name: String, kind: DirectoryListing.Kind)?
    }

    enum ResolveError: Error, Equatable {
        case absolute, escapes
        case missing(String)

        var message: String {
            switch self {
            case .absolute: return "is an absolute path; paths must be relative to the version directory"
            case .escapes: return "escapes the release directory"
            case .missing(let path): return "refers to a missing file: \(path)"
            }
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
