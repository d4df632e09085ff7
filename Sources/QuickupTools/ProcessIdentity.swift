import Foundation

/// A process named so that a recycled pid cannot pass for it: its pid plus its start time
/// (clock ticks since boot, /proc/PID/stat field 22) and the boot it started in. Recorded with
/// every lock holder and every tool quickup starts (E6, issue 13 item 1), so "is it still
/// running?" is answered for that very process, not for whatever now has its pid.
public struct ProcessIdentity: Sendable, Hashable, Codable {
    public var pid: Int32
    /// `BOOT-ID:TICKS`; nil when /proc could not be read (then only the pid is known).
    public var start: String?

    public init(pid: Int32, start: String?) {
        self.pid = pid
        self.start = start
    }

    /// This process.
    public static let current = ProcessIdentity(pid: getpid(), start: startToken(getpid()))

    /// The identity of a running process, nil when it does not exist.
    public static func of(_ pid: Int32) -> ProcessIdentity? {
        startToken(pid).map { ProcessIdentity(pid: pid, start: $0) }
    }

    public enum Liveness: Sendable, Equatable {
        case running
        /// No process has the pid.
        case gone
        /// Ended, waiting to be reaped by its parent: it does nothing any more.
        case zombie
        /// The pid belongs to another process now (started at another time).
        case reused
        public var isRunning: Bool { self == .running }
    }

    /// Whether this very process still runs on this machine.
    public var liveness: Liveness {
        guard let stat = ProcessStat.read(pid) else {
            // Exists but unreadable (another user's, hidepid): assume it is the one.
            return kill(pid, 0) == 0 || errno == EPERM ? .running : .gone
        }
        if stat.state == "Z" || stat.state == "X" { return .zombie }
        if let start, start != Self.token(ticks: stat.startTicks) { return .reused }
        return .running
    }

    static func startToken(_ pid: Int32) -> String? {
        ProcessStat.read(pid).map { token(ticks: $0.startTicks) }
    }

    static func token(ticks: UInt64) -> String { "\(bootID):\(ticks)" }

    /// Changes at every boot, so start ticks from before a reboot never match.
    static let bootID: String = {
        let text = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? ""
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return id.isEmpty ? "boot" : id
    }()
}

/// The fields of /proc/PID/stat quickup needs (the name in parentheses may hold spaces).
struct ProcessStat {
    var state: Character
    var group: pid_t
    var session: pid_t
    var startTicks: UInt64

    static func read(_ pid: pid_t) -> ProcessStat? {
        guard pid > 0, let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        // After the name: state(3) ppid(4) pgrp(5) session(6) … starttime(22).
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let group = pid_t(fields[2]), let session = pid_t(fields[3]),
              let start = UInt64(fields[19]) else { return nil }
        return ProcessStat(state: state, group: group, session: session, startTicks: start)
    }
}
