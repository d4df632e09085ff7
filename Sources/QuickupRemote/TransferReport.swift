import QuickupCore

/// One file to put on a host.
public struct TransferFile: Sendable, Hashable {
    public var local: String
    /// Absolute path on the host; its directory is created when missing.
    public var remote: String

    public init(local: String, remote: String) {
        self.local = local
        self.remote = remote
    }
}

/// The files one host needs.
public struct HostTransfer: Sendable {
    public var host: HostConfig
    public var files: [TransferFile]

    public init(host: HostConfig, files: [TransferFile]) {
        self.host = host
        self.files = files
    }
}

/// What a transfer to one host did (S2).
public struct HostTransferReport: Sendable, Equatable {
    public var host: String
    public var filesSent = 0
    /// Already on the host with the right SHA-256: not sent.
    public var filesSkipped = 0
    /// Continued from a partial file left by an interrupted transfer.
    public var filesResumed = 0
    /// Sent again in full because the host's copy (or partial copy) failed the checksum.
    public var filesResent = 0
    /// Times the link dropped during sftp and the transfer continued from the partial files.
    public var resumedAfterDrop = 0
    /// Bytes that crossed the link (file contents; resumed files count only their rest).
    public var bytesSent: Int64 = 0
    /// Size of every file, sent or not.
    public var bytesTotal: Int64 = 0
    /// Time spent in sftp.
    public var transferTime: Duration = .zero
    /// From the first probe to the last verification.
    public var totalTime: Duration = .zero

    public init(host: String) { self.host = host }

    /// Bytes per second while sftp ran; nil when nothing was sent.
    public var throughput: Double? {
        let seconds = Double(transferTime.components.seconds) + Double(transferTime.components.attoseconds) / 1e18
        return bytesSent > 0 && seconds > 0 ? Double(bytesSent) / seconds : nil
    }
}

/// Every host's report, in the order the hosts were given.
public struct TransferReport: Sendable, Equatable {
    public var hosts: [HostTransferReport]
    public var bytesSent: Int64 { hosts.reduce(0) { $0 + $1.bytesSent } }
    public var filesSent: Int { hosts.reduce(0) { $0 + $1.filesSent } }
    public var filesSkipped: Int { hosts.reduce(0) { $0 + $1.filesSkipped } }

    /// One line per host: `app1: 3 sent (1 resumed), 2 skipped, 210.0 MB in 1.9 s (110.5 MB/s)`.
    public var summary: [String] {
        hosts.map { report in
            var line = "\(report.host): \(report.filesSent) sent"
            if report.filesResumed > 0 { line += " (\(report.filesResumed) resumed)" }
            if report.filesResent > 0 { line += ", \(report.filesResent) resent after a checksum mismatch" }
            line += ", \(report.filesSkipped) skipped, \(Self.megabytes(report.bytesSent)) in \(report.transferTime)"
            if let rate = report.throughput { line += " (\(Self.megabytes(Int64(rate)))/s)" }
            return line
        }
    }

    static func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}
