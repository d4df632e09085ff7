import QuickupCore

/// Free space on the file system holding one path that matters (state dir, backup dir).
public struct DiskSpace: Codable, Sendable, Hashable {
    /// The path asked about, e.g. the backup directory.
    public var path: String
    /// The mount point holding it.
    public var mount: String
    public var free: ByteSize
    public var total: ByteSize

    public init(path: String, mount: String, free: ByteSize, total: ByteSize) {
        self.path = path
        self.mount = mount
        self.free = free
        self.total = total
    }
}

/// What one machine has to spare (A1): nil where the figure could not be read.
public struct HostResources: Codable, Sendable, Hashable {
    public var host: String
    public var cpuIdlePercent: Double?
    public var cpuCount: Int?
    public var memoryAvailable: ByteSize?
    public var memoryTotal: ByteSize?
    public var disks: [DiskSpace]

    public init(host: String, cpuIdlePercent: Double? = nil, cpuCount: Int? = nil, memoryAvailable: ByteSize? = nil,
                memoryTotal: ByteSize? = nil, disks: [DiskSpace] = []) {
        self.host = host
        self.cpuIdlePercent = cpuIdlePercent
        self.cpuCount = cpuCount
        self.memoryAvailable = memoryAvailable
        self.memoryTotal = memoryTotal
        self.disks = disks
    }

    public func disk(for path: String) -> DiskSpace? { disks.first { $0.path == path } }
}

/// Reports a machine's free CPU, memory and disk. The machine running quickup has
/// `LocalResourceProbe`; a remote host answers the same question over SSH (a later issue), so the
/// assessment treats every host alike. Tests inject fixed figures with `FixedResourceProbe`.
public protocol ResourceProbe: Sendable {
    /// The host's name as the report shows it.
    var host: String { get }
    /// Samples the figures; `paths` are the directories whose file systems matter.
    func sample(paths: [String]) async throws(QuickupError) -> HostResources
}

/// Figures given in advance: for tests and for hosts whose figures came from elsewhere.
public struct FixedResourceProbe: ResourceProbe {
    public var resources: HostResources
    public var host: String { resources.host }

    public init(_ resources: HostResources) { self.resources = resources }

    /// The fixed figures; a path without a disk of its own gets the first disk's figures.
    public func sample(paths: [String]) async throws(QuickupError) -> HostResources {
        var result = resources
        result.disks = paths.compactMap { path in
            if let disk = resources.disk(for: path) { return disk }
            return resources.disks.first.map { DiskSpace(path: path, mount: $0.mount, free: $0.free, total: $0.total) }
        }
        return result
    }
}
