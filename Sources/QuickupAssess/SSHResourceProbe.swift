import Foundation
import QuickupCore
import QuickupRemote
import QuickupTools

/// A host's CPU, memory and disk read over SSH (A1, S1): one shell script per sample on the
/// host's shared status connection, so probing every host costs one round trip each once the
/// masters are up. It reads what `LocalResourceProbe` reads — /proc/stat twice `interval` apart,
/// /proc/meminfo, and `df -Pk` of each path (or its nearest existing parent) — so the local and
/// the remote figures mean the same thing.
public struct SSHResourceProbe: ResourceProbe {
    public let connection: SSHConnection
    /// How long CPU counters are sampled for.
    public var interval: Duration

    public init(connection: SSHConnection, interval: Duration = .milliseconds(250)) {
        self.connection = connection
        self.interval = interval
    }

    public var host: String { connection.host.name }

    /// One probe per host of env.yaml, on the pool's status-class connections.
    public static func probes(for environment: Environment, connections: SSHConnections,
                              interval: Duration = .milliseconds(250)) -> [any ResourceProbe] {
        environment.hosts.map { SSHResourceProbe(connection: connections.connection(to: $0, .status), interval: interval) }
    }

    public func sample(paths: [String]) async throws(QuickupError) -> HostResources {
        let result = try await connection.run(Self.script(paths: paths, interval: interval), retryOnDrop: true)
        guard result.succeeded else {
            throw QuickupError(.remoteCommandFailed, "cannot read the resources of \(host): \(Self.firstLine(result.stderr) ?? "status \(result.status)")",
                               at: connection.host.location, hint: "the probe needs /proc, df and sleep on the host (`quickup hosts check`)")
        }
        return Self.parse(result.stdoutText, host: host)
    }

    /// The script: every line tagged, so a missing figure is just a missing line.
    static func script(paths: [String], interval: Duration) -> String {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        var lines = [
            "LC_ALL=C; export LC_ALL",
            "printf 'stat1 '; head -n 1 /proc/stat",
            "sleep \(String(format: "%.3f", max(0.01, seconds)))",
            "printf 'stat2 '; head -n 1 /proc/stat",
            "printf 'cores %s\\n' \"$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null)\"",
            "grep -E '^(MemTotal|MemAvailable):' /proc/meminfo",
        ]
        for path in paths {
            let quoted = ShellQuoting.quote(path)
            lines.append("q=\(quoted); while [ ! -e \"$q\" ] && [ \"$q\" != / ]; do q=$(dirname \"$q\"); done; "
                         + "printf 'disk\\t%s\\t' \(quoted); df -Pk \"$q\" | tail -n 1")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func firstLine(_ text: String) -> String? {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
    }

    /// Reads the script's answer; figures it lacks stay nil (the check then says SKIPPED).
    static func parse(_ text: String, host: String) -> HostResources {
        var resources = HostResources(host: host)
        var first: (idle: UInt64, total: UInt64)?, second: (idle: UInt64, total: UInt64)?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("stat1 cpu ") { first = counters(line.dropFirst(6)) }
            else if line.hasPrefix("stat2 cpu ") { second = counters(line.dropFirst(6)) }
            else if line.hasPrefix("cores ") { resources.cpuCount = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) }
            else if line.hasPrefix("MemTotal:") { resources.memoryTotal = kibibytes(line) }
            else if line.hasPrefix("MemAvailable:") { resources.memoryAvailable = kibibytes(line) }
            else if line.hasPrefix("disk\t"), let disk = disk(line) { resources.disks.append(disk) }
        }
        if let first, let second, second.total > first.total {
            resources.cpuIdlePercent = Double(second.idle - first.idle) * 100 / Double(second.total - first.total)
        }
        return resources
    }

    /// Idle (idle + iowait) and total jiffies, as `LocalResourceProbe.cpuCounters` counts them.
    static func counters(_ line: Substring) -> (idle: UInt64, total: UInt64)? {
        let values = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard values.count >= 5 else { return nil }
        return (values[3] + values[4], values.prefix(8).reduce(0, +))
    }

    static func kibibytes(_ line: Substring) -> ByteSize? {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 2, let kib = Int64(parts[1]) else { return nil }
        return ByteSize(bytes: kib * 1024)
    }

    /// `disk<TAB>path<TAB>filesystem 1024-blocks used available capacity mount` (POSIX df).
    static func disk(_ line: Substring) -> DiskSpace? {
        let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let fields = parts[2].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 6, let blocks = Int64(fields[1]), let available = Int64(fields[3]) else { return nil }
        return DiskSpace(path: String(parts[1]), mount: fields[5...].joined(separator: " "),
                         free: ByteSize(bytes: available * 1024), total: ByteSize(bytes: blocks * 1024))
    }
}
