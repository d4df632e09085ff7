import Foundation

/// CPU, memory and disk I/O at a moment, from /proc, for timeout errors (E7).
struct ResourceSnapshot: Sendable, CustomStringConvertible {
    var loadAverage: String?
    var memoryAvailableMiB: Int?
    var memoryTotalMiB: Int?
    var diskReadMiB: Int?
    var diskWrittenMiB: Int?

    static func take() -> ResourceSnapshot {
        var snapshot = ResourceSnapshot()
        if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
            snapshot.loadAverage = load.split(separator: " ").prefix(3).joined(separator: " ")
        }
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            for line in meminfo.split(separator: "\n") {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                guard parts.count >= 2, let kib = Int(parts[1]) else { continue }
                if parts[0] == "MemAvailable:" { snapshot.memoryAvailableMiB = kib / 1024 }
                if parts[0] == "MemTotal:" { snapshot.memoryTotalMiB = kib / 1024 }
            }
        }
        if let diskstats = try? String(contentsOfFile: "/proc/diskstats", encoding: .utf8) {
            var read = 0, written = 0
            for line in diskstats.split(separator: "\n") {
                let f = line.split(separator: " ", omittingEmptySubsequences: true)
                // Whole disks only (sda, vda, nvme0n1), sectors of 512 bytes.
                guard f.count > 9, !f[2].hasPrefix("loop"), !f[2].hasPrefix("ram"),
                      f[2].last?.isNumber == false || f[2].hasPrefix("nvme") && !f[2].contains("p") else { continue }
                read += Int(f[5]) ?? 0
                written += Int(f[9]) ?? 0
            }
            snapshot.diskReadMiB = read / 2048
            snapshot.diskWrittenMiB = written / 2048
        }
        return snapshot
    }

    var description: String {
        var parts: [String] = []
        if let loadAverage { parts.append("load \(loadAverage) on \(ProcessInfo.processInfo.activeProcessorCount) cores") }
        if let memoryAvailableMiB, let memoryTotalMiB { parts.append("memory \(memoryAvailableMiB) MiB free of \(memoryTotalMiB) MiB") }
        if let diskReadMiB, let diskWrittenMiB { parts.append("disk I/O since boot \(diskReadMiB) MiB read, \(diskWrittenMiB) MiB written") }
        return parts.isEmpty ? "resource figures unavailable" : parts.joined(separator: ", ")
    }
}
