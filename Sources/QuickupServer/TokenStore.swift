import Foundation
import QuickupCore
import Synchronization

/// The API's bearer tokens (H1): `--tokens FILE` holds one `sha256:<hex of the token>` per line,
/// optionally followed by a space and a name for the audit log, so the file holds no usable
/// secret. A presented token is hashed and compared with every entry in constant time. The file
/// is read again on SIGHUP (`reload()`); a file that no longer parses keeps the previous tokens.
public final class TokenStore: Sendable {
    public struct Entry: Sendable, Equatable {
        public var digest: [UInt8]
        public var name: String
    }

    public let file: String?
    private let entries: Mutex<[Entry]>

    /// No file: no tokens at all (only allowed on loopback, where every request is let through).
    public init(file: String?) throws(QuickupError) {
        self.file = file
        entries = Mutex(try file.map(Self.load) ?? [])
    }

    /// Whether requests need a token at all.
    public var isEnabled: Bool { file != nil }

    public var count: Int { entries.withLock { $0.count } }

    /// Reads the file again; on a problem the tokens stay as they were and the error says why.
    public func reload() throws(QuickupError) {
        guard let file else { return }
        let fresh = try Self.load(file)
        entries.withLock { $0 = fresh }
    }

    /// The name of the token's entry, or nil when the token is not in the file. Every entry is
    /// compared, each in constant time, so the time taken says nothing about which bytes matched.
    public func authenticate(_ token: String) -> String? {
        let digest = Self.digest(token)
        var match: String?
        for entry in entries.withLock({ $0 }) where Self.constantTimeEqual(entry.digest, digest) {
            match = entry.name
        }
        return match
    }

    /// `quickup serve --hash-token`: the line to put in the tokens file for `token`.
    public static func line(for token: String, name: String? = nil) -> String {
        "sha256:" + SHA256.hex(Array(token.utf8)) + (name.map { " \($0)" } ?? "")
    }

    static func digest(_ token: String) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(token.utf8)
        return hasher.finalize()
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    static func load(_ file: String) throws(QuickupError) -> [Entry] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw QuickupError(.fileNotFound, "tokens file not found or not readable", at: SourceLocation(file: file),
                               hint: "create it with lines from `quickup serve --hash-token`")
        }
        let text = try UTF8Text.decode(Array(data), file: file, what: "tokens file")
        var entries: [Entry] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ", maxSplits: 1)
            let hex = parts[0].hasPrefix("sha256:") ? String(parts[0].dropFirst(7)) : ""
            guard let digest = Self.bytes(hex: hex) else {
                throw QuickupError(.invalidArgument, "not a token line", at: SourceLocation(file: file, line: index + 1),
                                   hint: "expected `sha256:<64 hex digits> [name]`, as `quickup serve --hash-token` prints")
            }
            let name = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "token-\(index + 1)"
            entries.append(Entry(digest: digest, name: name))
        }
        return entries
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        for pair in stride(from: 0, to: 64, by: 2) {
            guard let byte = UInt8(String(decoding: digits[pair...pair + 1], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
