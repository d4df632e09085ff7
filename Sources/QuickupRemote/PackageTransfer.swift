import Foundation
import QuickupCore
import QuickupTools

/// Puts release packages on the hosts that need them (S2): hosts in parallel (bounded), each
/// host's files in one sftp session over its transfer-class connection. A file already there
/// with the right SHA-256 is skipped; a partial file (`<name>.part`, left by an interrupted
/// transfer) is continued with sftp `reput`; every file sent is checked with `sha256sum` on the
/// host before it is renamed into place, and sent once more in full when the check fails.
public struct PackageTransfer: Sendable {
    public let connections: SSHConnections
    public var maxParallelHosts: Int
    /// Bandwidth cap per host in Kbit/s (sftp `-l`), so a transfer during business hours does
    /// not fill a customer's link; nil: as fast as it goes.
    public var limitKbitPerSecond: Int?

    public init(connections: SSHConnections, maxParallelHosts: Int = 4, limitKbitPerSecond: Int? = nil) {
        self.connections = connections
        self.maxParallelHosts = max(1, maxParallelHosts)
        self.limitKbitPerSecond = limitKbitPerSecond
    }

    public func send(_ transfers: [HostTransfer]) async throws(QuickupError) -> TransferReport {
        let sums = try await LocalChecksums.compute(Array(Set(transfers.flatMap { $0.files.map(\.local) })).sorted())
        let limit = maxParallelHosts
        do {
            let reports = try await withThrowingTaskGroup(of: (Int, HostTransferReport).self) { group in
                var results = [HostTransferReport?](repeating: nil, count: transfers.count)
                var next = 0
                func addNext() {
                    let index = next, transfer = transfers[index]
                    group.addTask { (index, try await send(transfer, sums: sums)) }
                    next += 1
                }
                while next < min(limit, transfers.count) { addNext() }
                while let (index, report) = try await group.next() {
                    results[index] = report
                    if next < transfers.count { addNext() }
                }
                return results.compactMap { $0 }
            }
            return TransferReport(hosts: reports)
        } catch let error as QuickupError {
            throw error
        } catch {
            throw QuickupError(.cancelled, "the transfer was stopped: \(error)")
        }
    }

    /// One host: probe, send what is missing, verify, fix what failed the check.
    func send(_ transfer: HostTransfer, sums: [String: LocalChecksums.Sum]) async throws(QuickupError) -> HostTransferReport {
        let started = ContinuousClock.now
        let host = transfer.host
        let connection = connections.connection(to: host, .transfer)
        var report = HostTransferReport(host: host.name)
        report.bytesTotal = transfer.files.reduce(0) { $0 + (sums[$1.local]?.size ?? 0) }
        let states = try await TransferScripts.probe(transfer.files, over: connection)
        var pending: [(file: TransferFile, sum: LocalChecksums.Sum, offset: Int64)] = []
        for (file, state) in zip(transfer.files, states) {
            guard let sum = sums[file.local] else { continue }
            if state.sha256 == sum.sha256 {
                report.filesSkipped += 1
                connections.context.log("\(host.name): \(file.remote) already present with the right checksum, skipped")
                continue
            }
            // A partial file no longer than the source is continued; anything else starts over.
            let offset = state.partSize.flatMap { $0 <= sum.size ? $0 : nil } ?? 0
            pending.append((file, sum, offset))
        }
        if !pending.isEmpty {
            report.filesResumed = pending.filter { $0.offset > 0 }.count
            report.bytesSent += pending.reduce(0) { $0 + $1.sum.size - $1.offset }
            try await sendResuming(pending, over: connection, report: &report)
            let failed = try await TransferScripts.verify(pending.map { ($0.file, $0.sum.sha256) }, over: connection)
            if !failed.isEmpty {
                let retry = pending.filter { entry in failed.contains { $0.file == entry.file } }.map { ($0.file, $0.sum, Int64(0)) }
                connections.context.log("\(host.name): \(retry.count) file(s) failed the checksum on the host; sending them again in full")
                report.bytesSent += retry.reduce(0) { $0 + $1.1.size }
                try await sendResuming(retry, over: connection, report: &report)
                report.filesResent = retry.count
                let stillFailed = try await TransferScripts.verify(retry.map { ($0.0, $0.1.sha256) }, over: connection)
                if let bad = stillFailed.first {
                    throw QuickupError(.transferChecksum, "\(bad.file.remote) on \(host.name) has SHA-256 \(bad.actual) after transfer, expected \(sums[bad.file.local]?.sha256 ?? "?")",
                                       at: host.location, hint: "check the disk on \(host.name) (full? failing?) and the local file \(bad.file.local), then run the transfer again")
                }
            }
            report.filesSent = pending.count
        }
        report.totalTime = started.duration(to: .now)
        return report
    }

    /// Sends the files; when the link drops mid-way (the connection is back when the error
    /// arrives), looks at the partial files again and continues each from where it stopped,
    /// up to the class's reconnect tries.
    private func sendResuming(_ files: [(file: TransferFile, sum: LocalChecksums.Sum, offset: Int64)], over connection: SSHConnection,
                              report: inout HostTransferReport) async throws(QuickupError) {
        var batch = files.map { ($0.file, $0.offset, $0.sum.size) }
        var drops = 0
        while true {
            do {
                try await sendBatch(batch, over: connection, report: &report)
                return
            } catch where error.code == .remoteLinkDropped && drops < max(1, connection.policy.reconnectTries) {
                drops += 1
                report.resumedAfterDrop += 1
                let states = try await TransferScripts.probe(files.map(\.file), over: connection)
                batch = zip(files, states).map { entry, state in
                    (entry.file, state.partSize.flatMap { $0 <= entry.sum.size ? $0 : nil } ?? 0, entry.sum.size)
                }
                connections.context.log("\(connection.host.name): transfer interrupted by a dropped link; continuing from the partial files")
            }
        }
    }

    /// One sftp session for the files: `put` from the start (removing any partial file first)
    /// or `reput` from `offset`. Not repeated blindly after a drop: the caller re-probes.
    private func sendBatch(_ files: [(file: TransferFile, offset: Int64, size: Int64)], over connection: SSHConnection,
                           report: inout HostTransferReport) async throws(QuickupError) {
        var lines: [String] = []
        for (file, offset, size) in files {
            let part = TransferScripts.partPath(file.remote)
            if offset == 0 { lines.append("-rm \(SFTPQuoting.quote(part))") }
            if offset > 0, offset == size { continue } // complete already; the checksum decides
            lines.append("\(offset > 0 ? "reput" : "put") -p \(SFTPQuoting.quote(file.local)) \(SFTPQuoting.quote(part))")
        }
        let started = ContinuousClock.now
        defer { report.transferTime += started.duration(to: .now) }
        if connection.host.kind == .local {
            // A local host: a plain copy to the partial file; the checksum step is the same.
            let script = files.map { "cp -p \(ShellQuoting.quote($0.file.local)) \(ShellQuoting.quote(TransferScripts.partPath($0.file.remote)))" }
            let copied = try await connection.run(script.joined(separator: " && \\\n") + "\n", retryOnDrop: true)
            guard copied.succeeded else {
                throw QuickupError(.remoteCommandFailed, "copy to \(connection.host.name) failed: \(SSHConnection.lastLine(copied.stderr) ?? "status \(copied.status)")",
                                   at: connection.host.location, hint: "check free space and permissions of the target directories")
            }
            return
        }
        let result = try await connection.execute(connection.commandLine.sftpBatch(limitKbitPerSecond: limitKbitPerSecond), input: Data((lines.joined(separator: "\n") + "\n").utf8),
                                                  retryOnDrop: false, anyFailureMayBeDrop: true)
        guard result.succeeded else {
            let host = connection.host
            throw QuickupError(.remoteCommandFailed, "sftp to \(host.name) failed: \(SSHConnection.lastLine(result.stderr) ?? "status \(result.status)")",
                               at: host.location, hint: "check free space and permissions of the target directories on \(host.name)")
        }
    }
}

/// sftp batch files take paths in double quotes with backslash escapes.
enum SFTPQuoting {
    static func quote(_ path: String) -> String {
        "\"" + path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
