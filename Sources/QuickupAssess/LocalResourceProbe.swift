import Foundation
import QuickupCore

/// CPU, memory and disk of the machine running quickup, from /proc and statvfs (A1).
/// CPU idle is measured over a short interval, not since boot, so it reflects the load now.
public struct LocalResourceProbe: ResourceProbe {
    public var host: String
    /// How long CPU counters are sampled for.
    public var interval: Duration

    public init(host: String = ProcessInfo.processInfo.hostName, interval: Duration = .milliseconds(250)) {
        self.host = host
        self.interval = interval
    }

    public func sample(paths: [String]) async throws(QuickupError) -> HostResources {
        var resources = HostResources(host: host, cpuCount: ProcessInfo.processInfo.activeProcessorCount)
        let first = Self.cpuCounters()
        (resources.memoryAvailable, resources.memoryTotal) = Self.memory()
        let mounts = Self.mountPoints()
        resources.disks = paths.compactMap { Self.disk($0, mounts: mounts) }
        if let first {
            do { try await Task.sleep(for: interval) } catch {
                throw QuickupError(.statementCancelled, "the resource check was cancelled")
            }
            if let second = Self.cpuCounters(), second.total > first.total {
                resources.cpuIdlePercent = Double(second.idle - first.idle) * 100 / Double(second.total - first.total)
            }
        }
        return resources
    }

    /// Idle (idle + iowait) and total jiffies of all CPUs, from the first line of /proc/stat.
    static func cpuCounters() -> (idle: UInt64, total: UInt64)? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let values = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard values.count >= 5 else { return nil }
        // user nice system idle iowait irq softirq steal (guest time is already in user).
        return (values[3] + values[4], values.prefix(8).reduce(0, +))
    }

    static func memory() -> (available: ByteSize?, total: ByteSize?) {
        guard let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else {
            return (nil, ByteSize(bytes: Int64(ProcessInfo.processInfo.physicalMemory)))
        }
        var available: ByteSize?, total: ByteSize?
        for line in meminfo.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let kib = Int64(parts[1]) else { continue }
            if parts[0] == "MemAvailable:" { available = ByteSize(bytes: kib * 1024) }
            if parts[0] == "MemTotal:" { total = ByteSize(bytes: kib * 1024) }
        }
        return (available, total)
    }

    /// Mount points from /proc/mounts, longest first (octal escapes such as `\040` decoded).
    static func mountPoints() -> [String] {
        guard let text = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return ["/"] }
        let points = text.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            return fields.count > 1 ? decodeOctal(String(fields[1])) : nil
        }
        return Array(Set(points)).sorted { $0.count > $1.count }
    }

    static func decodeOctal(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var bytes: [UInt8] = []
        var chars = Array(text.utf8)[...]
        while let c = chars.popFirst() {
            if c == UInt8(ascii: "\\"), chars.count >= 3, let value = UInt8(String(decoding: chars.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                chars = chars.dropFirst(3)
            } else {
                bytes.append(c)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// statvfs of the path, or of its nearest existing parent (a backup dir not made yet).
    static func disk(_ path: String, mounts: [String]) -> DiskSpace? {
        var url = URL(fileURLWithPath: path).standardizedFileURL
        while !FileManager.default.fileExists(atPath: url.path), url.path != "/" {
            url = url.deletingLastPathComponent()
        }
        let existing = url.resolvingSymlinksInPath().path
        var stats = statvfs()
        guard statvfs(existing, &stats) == 0 else { return nil }
        let block = Int64(stats.f_frsize)
        let mount = mounts.first { existing == $0 || existing.hasPrefix($0 == "/" ? "/" : $0 + "/") } ?? "/"
        return DiskSpace(path: path, mount: mount, free: ByteSize(bytes: Int64(stats.f_bavail) * block),
                         total: ByteSize(bytes: Int64(stats.f_blocks) * block))
    }
}
