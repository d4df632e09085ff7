import QuickupCore

/// The size of the tables one datasource's tasks touch, and what backing them up needs (A1).
public struct DatasourceFootprint: Codable, Sendable, Hashable {
    public struct Table: Codable, Sendable, Hashable {
        public var name: String
        /// Nil when the table does not exist yet (created by the upgrade).
        public var bytes: Int64?
    }
    public var name: String
    public var type: DatasourceType
    public var status: CheckStatus
    public var tables: [Table]
    public var touchedBytes: Int64
    /// touched × 1.5 (source §5.2.1).
    public var backupBytes: Int64
    /// touched × 2 + 15 %: two copies while old and new are written, plus a buffer.
    public var doubleWriteBytes: Int64
    public var message: String?

    public static func backupNeed(_ touched: Int64) -> Int64 { Int64((Double(touched) * 1.5).rounded()) }
    public static func doubleWriteNeed(_ touched: Int64) -> Int64 { Int64((Double(touched) * 2 * 1.15).rounded()) }
}

/// What the upgrade needs from the machine running it (A1).
public struct ResourceNeeds: Codable, Sendable, Hashable {
    /// Sum of the datasources' backup needs.
    public var backupBytes: Int64
    /// Memory and disk the plan's components declare for their tools (component.yaml `resources`).
    public var toolMemoryBytes: Int64
    public var toolDiskBytes: Int64
    public init(backupBytes: Int64 = 0, toolMemoryBytes: Int64 = 0, toolDiskBytes: Int64 = 0) {
        self.backupBytes = backupBytes
        self.toolMemoryBytes = toolMemoryBytes
        self.toolDiskBytes = toolDiskBytes
    }
}

/// Holds a host's figures against the thresholds (A1): CPU idle ≥ 20 %, memory free ≥ 1 GiB plus
/// the tools' declared memory, disk free ≥ 2 × backup (plus the tools' declared disk) on the
/// machine running quickup, ≥ the double-write need of its datasources on a database host; WARN
/// within 10 % above a threshold. Pure: the figures come from a `ResourceProbe`.
public enum ResourceAssessment {
    /// What must fit on the file system holding `path`, and why (shown in the summary).
    public struct DiskNeed: Sendable, Hashable {
        public var path: String
        public var bytes: Double
        public var why: String
        public var hint: String
        public init(path: String, bytes: Double, why: String, hint: String) {
            self.path = path
            self.bytes = bytes
            self.why = why
            self.hint = hint
        }
    }

    /// The machine running quickup: backups go to the backup dir, tool scratch and logs to the state dir.
    public static func evaluate(_ host: HostResources, needs: ResourceNeeds, thresholds: Thresholds,
                                backupPath: String, statePath: String) -> [CheckResult] {
        let backup = thresholds.diskFactor * Double(needs.backupBytes)
        return evaluate(host, extraMemory: needs.toolMemoryBytes, thresholds: thresholds, disks: [
            DiskNeed(path: backupPath, bytes: backup, why: "\(formatFactor(thresholds.diskFactor)) × backup \(ByteSize(bytes: needs.backupBytes))",
                     hint: "or point backup.dir in env.yaml to a larger disk"),
            DiskNeed(path: statePath, bytes: Double(needs.toolDiskBytes),
                     why: needs.toolDiskBytes > 0 ? "tools \(ByteSize(bytes: needs.toolDiskBytes))" : "", hint: "or pass --state on a larger disk"),
        ])
    }

    /// Any host: CPU idle, free memory (threshold + `extraMemory`), and each file system's needs summed.
    public static func evaluate(_ host: HostResources, extraMemory: Int64, thresholds: Thresholds, disks: [DiskNeed]) -> [CheckResult] {
        let margin = thresholds.warnMarginPercent
        var checks: [CheckResult] = []
        let prefix = "resources.\(host.host)"
        if let idle = host.cpuIdlePercent {
            let status = MinimumThreshold(minimum: thresholds.cpuIdlePercent, marginPercent: margin).status(of: idle)
            checks.append(CheckResult(category: .resources, id: "\(prefix).cpu", title: "CPU idle on \(host.host)", status: status,
                                      summary: "\(percent(idle)) idle\(host.cpuCount.map { " of \($0) cores" } ?? ""), needs ≥ \(percent(thresholds.cpuIdlePercent))",
                                      measured: idle, threshold: thresholds.cpuIdlePercent, unit: "percent",
                                      suggestion: status == .pass ? nil : "run the upgrade when the machine is less busy, or stop what loads it"))
        } else {
            checks.append(CheckResult(category: .resources, id: "\(prefix).cpu", title: "CPU idle on \(host.host)", status: .skipped,
                                      summary: "CPU figures are not available on this system"))
        }
        let memoryNeed = Double(thresholds.memoryFree.bytes + extraMemory)
        if let free = host.memoryAvailable {
            let status = MinimumThreshold(minimum: memoryNeed, marginPercent: margin).status(of: Double(free.bytes))
            let tools = extraMemory > 0 ? " (\(thresholds.memoryFree) + \(ByteSize(bytes: extraMemory)) for tools)" : ""
            checks.append(CheckResult(category: .resources, id: "\(prefix).memory", title: "Free memory on \(host.host)", status: status,
                                      summary: "\(free) free\(host.memoryTotal.map { " of \($0)" } ?? ""), needs ≥ \(ByteSize(bytes: Int64(memoryNeed)))\(tools)",
                                      measured: Double(free.bytes), threshold: memoryNeed, unit: "bytes",
                                      suggestion: status == .pass ? nil : "free memory (stop unneeded services) or run quickup on a larger machine"))
        } else {
            checks.append(CheckResult(category: .resources, id: "\(prefix).memory", title: "Free memory on \(host.host)", status: .skipped,
                                      summary: "memory figures are not available on this system"))
        }
        // Needs per file system: two paths on one file system share its free space.
        var needsByMount: [String: (paths: [String], bytes: Double, why: [String], hints: [String], free: ByteSize)] = [:]
        var order: [String] = []
        for need in disks {
            guard let disk = host.disk(for: need.path) else { continue }
            if needsByMount[disk.mount] == nil { order.append(disk.mount) }
            var entry = needsByMount[disk.mount] ?? ([], 0, [], [], disk.free)
            if !entry.paths.contains(need.path) { entry.paths.append(need.path) }
            entry.bytes += need.bytes
            if !need.why.isEmpty && need.bytes > 0 { entry.why.append(need.why) }
            if !entry.hints.contains(need.hint) { entry.hints.append(need.hint) }
            needsByMount[disk.mount] = entry
        }
        for mount in order {
            guard let entry = needsByMount[mount] else { continue }
            let status = entry.bytes > 0 ? MinimumThreshold(minimum: entry.bytes, marginPercent: margin).status(of: Double(entry.free.bytes)) : .pass
            let need = entry.bytes > 0 ? "needs ≥ \(ByteSize(bytes: Int64(entry.bytes))) (\(entry.why.joined(separator: " + ")))" : "nothing needed"
            checks.append(CheckResult(category: .resources, id: "\(prefix).disk.\(mount)", title: "Free disk for \(entry.paths.joined(separator: ", "))",
                                      status: status, summary: "\(entry.free) free on \(mount), \(need)",
                                      measured: Double(entry.free.bytes), threshold: entry.bytes, unit: "bytes",
                                      suggestion: status == .pass ? nil : "free space on \(mount) of \(host.host), \(entry.hints.joined(separator: ", "))"))
        }
        return checks
    }

    /// The row of one datasource: its touched size and backup/double-write needs.
    public static func check(_ footprint: DatasourceFootprint) -> CheckResult {
        let summary: String
        if let message = footprint.message {
            summary = message
        } else {
            let tables = footprint.tables.prefix(6).map { "\($0.name) \($0.bytes.map { ByteSize(bytes: $0).description } ?? "(not found)")" }
                .joined(separator: ", ") + (footprint.tables.count > 6 ? ", … (\(footprint.tables.count) tables)" : "")
            summary = footprint.tables.isEmpty ? "the plan's scripts touch no existing table"
                : "touches \(ByteSize(bytes: footprint.touchedBytes)) (\(tables)): backup ≈ \(ByteSize(bytes: footprint.backupBytes)), "
                    + "double-write ≈ \(ByteSize(bytes: footprint.doubleWriteBytes))"
        }
        var check = CheckResult(category: .resources, id: "resources.datasource.\(footprint.name)", title: "Tables touched on \(footprint.name)",
                                status: footprint.status, summary: summary, measured: Double(footprint.touchedBytes), unit: "bytes",
                                suggestion: footprint.status == .fail ? "check that the datasource is reachable with env.yaml's settings" : nil)
        check.datasource = footprint.name
        return check
    }

    static func percent(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) %" : "\((value * 10).rounded() / 10) %"
    }

    static func formatFactor(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))" : "\(value)"
    }
}
