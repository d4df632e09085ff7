/// Checks the name of an entry in a release zip before anything is written for it (R1): a name
/// must be a plain relative path that stays inside the extraction directory. Names are taken
/// exactly as stored; nothing is normalised, so `a//b`, `./a` or `a/../b` are refused rather than
/// guessed at (a zip from `quickup pack` never contains them).
public enum ArchiveEntryName {
    public enum Problem: Equatable, Sendable, CustomStringConvertible {
        case empty, absolute, parentReference, dotSegment, emptySegment, backslash, controlCharacter

        public var description: String {
            switch self {
            case .empty: return "has an empty name"
            case .absolute: return "is an absolute path"
            case .parentReference: return "contains '..' and would be written outside the release directory"
            case .dotSegment: return "contains a '.' path segment"
            case .emptySegment: return "contains an empty path segment ('//')"
            case .backslash: return "contains a backslash (a Windows path separator)"
            case .controlCharacter: return "contains a control character"
            }
        }
    }

    /// The problem with `name`, or nil when it is safe. A trailing `/` (a directory entry) is allowed.
    public static func problem(_ name: String) -> Problem? {
        if name.isEmpty { return .empty }
        if name.hasPrefix("/") || name.hasPrefix("~") { return .absolute }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) { return .controlCharacter }
        if name.contains("\\") { return .backslash }
        let trimmed = name.hasSuffix("/") ? name.dropLast() : Substring(name)
        var segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        // A Windows drive (`C:`) is as absolute as `/`.
        if let first = segments.first, first.count == 2, first.last == ":" { return .absolute }
        if segments.contains("..") { return .parentReference }
        if segments.contains(".") { return .dotSegment }
        segments.removeAll { !$0.isEmpty }
        return segments.isEmpty ? nil : .emptySegment
    }
}
