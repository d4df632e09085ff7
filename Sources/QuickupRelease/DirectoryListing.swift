#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cached directory listings, so checking that 100,000 referenced files exist costs one
/// `readdir` per folder instead of a `stat` and `realpath` per file (P5).
final class DirectoryListing {
    enum Kind { case file, directory, symlink, other }

    private var cache: [String: [String: Kind]?] = [:]
    /// Relative directory paths already known to contain no symlink on the way from the root.
    var linkFreeDirectories: Set<String> = [""]
    /// The folder the last reference resolved the short way went into (`ReleaseFiles`): a
    /// loader resolves a folder's files one after another (P5, issue 20.1).
    var knownFolder: KnownFolder?

    /// A link-free folder below `base` (`inside` it, nil for `base` itself), its path relative
    /// to the root, as shown, and its entries.
    struct KnownFolder {
        var base: String
        var inside: String?
        var path: String
        var shown: String
        var entries: [String: Kind]
    }

    /// The folder files were last read from, kept open: a loader reads a folder's files one
    /// after another, and `openat` from it walks one name instead of the whole path (P5:
    /// the kernel's path walk was ~5 % of loading 100,000 files). One, so a release with
    /// thousands of folders never holds more than one descriptor per loader.
    private var openDirectory: (path: String, descriptor: Int32)?
    /// One per loader, as the listings are, so its buffer serves every file the loader reads.
    private var reader = WholeFileReader()

    deinit {
        if let openDirectory { close(openDirectory.descriptor) }
    }

    /// `readFile("\(directory)/\(name)")`, opened relative to the directory. `regularFile`:
    /// the listing gave `name` as a regular file, so its first short read is its end.
    func readFile(_ name: String, in directory: String, regularFile: Bool = false) -> [UInt8]? {
        if openDirectory?.path != directory {
            if let openDirectory { close(openDirectory.descriptor) }
            let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            openDirectory = descriptor >= 0 ? (directory, descriptor) : nil
        }
        guard let openDirectory else { return readFile("\(directory)/\(name)") }
        return reader.readAll(openat(openDirectory.descriptor, name, O_RDONLY | O_CLOEXEC), regularFile: regularFile)
    }

    /// Entries of an absolute directory path, or nil when it cannot be opened.
    func entries(of path: String) -> [String: Kind]? {
        if let last, last.path == path { return last.entries }
        let listing: [String: Kind]?
        if let cached = cache[path] {
            listing = cached
        } else {
            listing = Self.readListing(path)
            cache[path] = .some(listing)
        }
        last = (path, listing)
        return listing
    }

    /// The folder asked about last: a task's file is looked up in it several times in a row
    /// (resolved, checked not to be a folder, read), and comparing the path costs less than
    /// hashing it each time (P5, issue 20.1).
    private var last: (path: String, entries: [String: Kind]?)?

    /// The kind of `name` inside `directory`, nil when absent.
    func kind(of name: String, in directory: String) -> Kind? {
        entries(of: directory)?[name]
    }

    private static func readListing(_ path: String) -> [String: Kind]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var result: [String: Kind] = [:]
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            result[name] = kind(Int32(entry.pointee.d_type), path: path + "/" + name)
        }
        return result
    }

    private static func kind(_ type: Int32, path: String) -> Kind {
        switch type {
        case Int32(DT_REG): return .file
        case Int32(DT_DIR): return .directory
        case Int32(DT_LNK): return .symlink
        case Int32(DT_UNKNOWN):
            // Some file systems do not fill d_type; ask lstat.
            var info = stat()
            guard lstat(path, &info) == 0 else { return .other }
            switch info.st_mode & S_IFMT {
            case S_IFREG: return .file
            case S_IFDIR: return .directory
            case S_IFLNK: return .symlink
            default: return .other
            }
        default: return .other
        }
    }

    /// Whether a path (following symlinks) is a directory.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Reads a whole file with plain system calls (Foundation's reader is several times slower).
    func readFile(_ path: String) -> [UInt8]? {
        reader.readAll(open(path, O_RDONLY | O_CLOEXEC))
    }
}
