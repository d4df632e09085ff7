#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where quickup kills itself on purpose (`QUICKUP_CRASH_AT=<step key>@<point>`, comma-separated),
/// to prove that a `kill -9` at that point resumes (F4, F5). The upgrade's points: `<step>@begin`
/// (recorded RUNNING, nothing done), `<step>@end` (done, not yet recorded SUCCESS). A rollback's:
/// `<phase>@begin`, `<phase>@end` and points inside a phase (docs/BACKUPS.md). Data, read by the
/// front end; empty in production.
public struct CrashPoints: Sendable {
    public var points: Set<String>

    public init(_ text: String?) {
        points = Set((text ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    /// Sends this process SIGKILL when `key@point` is one of the points.
    public func check(_ key: String, _ point: String) {
        guard points.contains("\(key)@\(point)") else { return }
        kill(getpid(), SIGKILL)
    }
}
