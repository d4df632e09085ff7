import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupRemote

/// S2: package transfer over sftp with SHA-256 verified on the host, skip, resume, parallel hosts.
@Suite(.serialized) struct PackageTransferTests {
    /// `count` bytes that do not repeat (so a wrong offset cannot pass the checksum by luck).
    static func randomBytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        var data = Data(count: count)
        data.withUnsafeMutableBytes { raw in
            let words = raw.bindMemory(to: UInt64.self)
            for i in words.indices { words[i] = generator.next() }
        }
        return data
    }

    static func write(_ data: Data, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path))
    }

    static func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// Bytes the master process has written so far (to its socket, in practice): what crossed the link.
    static func bytesWritten(by pid: pid_t) throws -> Int64 {
        let io = try String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8)
        let line = try #require(io.split(separator: "\n").first { $0.hasPrefix("wchar:") })
        return try #require(Int64(line.split(separator: " ").last ?? ""))
    }

    @Test("S2: files arrive checked by sha256sum on the host; sent again, they are skipped")
    func sendThenSkip() async throws {
        try await RemoteFixture.with { fixture in
            let local = fixture.state.path + "/pkg"
            let target = fixture.server.directory + "/remote/opt/gps"
            let big = Self.randomBytes(3 << 20)
            try Self.write(big, local + "/gps.jar")
            try fixture.state.write("pkg/bin/start.sh", "#!/bin/sh\necho start\n")
            try fixture.state.write("pkg/conf/it's here.yaml", "a: 1\n")
            let files = [TransferFile(local: local + "/gps.jar", remote: target + "/gps.jar"),
                         TransferFile(local: local + "/bin/start.sh", remote: target + "/bin/start.sh"),
                         TransferFile(local: local + "/conf/it's here.yaml", remote: target + "/conf/it's here.yaml")]
            let transfer = PackageTransfer(connections: fixture.connections)
            let first = try await transfer.send([HostTransfer(host: fixture.host, files: files)])
            let report = try #require(first.hosts.first)
            #expect(report.filesSent == 3)
            #expect(report.filesSkipped == 0)
            #expect(report.bytesSent == Int64(big.count) + 21 + 5)
            #expect(report.throughput != nil)
            #expect(Self.contents(target + "/gps.jar") == big)
            #expect(Self.contents(target + "/conf/it's here.yaml") == Data("a: 1\n".utf8))
            #expect(FileManager.default.isExecutableFile(atPath: target + "/bin/start.sh"), "modes kept (sftp put -p)")
            #expect(!FileManager.default.fileExists(atPath: target + "/gps.jar.part"))

            let second = try #require(try await transfer.send([HostTransfer(host: fixture.host, files: files)]).hosts.first)
            #expect(second.filesSkipped == 3)
            #expect(second.filesSent == 0)
            #expect(second.bytesSent == 0)
        }
    }

    @Test("S2: an interrupted transfer continues from its partial file — fewer bytes cross the link")
    func resumesPartialFile() async throws {
        try await RemoteFixture.with { fixture in
            let size = 8 << 20, partial = 6 << 20
            let data = Self.randomBytes(size)
            let local = fixture.state.path + "/gps.jar", remote = fixture.server.directory + "/remote/gps.jar"
            try Self.write(data, local)
            try Self.write(data.prefix(partial), remote + ".part") // what an interrupted transfer left
            let connection = fixture.connection(.transfer)
            try await connection.connect()
            let master = try #require(await connection.masterPID())
            let before = try Self.bytesWritten(by: master)
            let report = try #require(try await PackageTransfer(connections: fixture.connections)
                .send([HostTransfer(host: fixture.host, files: [TransferFile(local: local, remote: remote)])]).hosts.first)
            let wire = try Self.bytesWritten(by: master) - before
            #expect(report.filesResumed == 1)
            #expect(report.bytesSent == Int64(size - partial))
            #expect(wire < Int64(size - partial) + (1 << 20), "the master wrote \(wire) bytes for a \(size - partial)-byte rest")
            #expect(Self.contents(remote) == data)
        }
    }

    @Test("S2: a corrupted copy on the host is detected — a wrong final file is replaced, a bad partial file is sent again in full")
    func corruptedCopies() async throws {
        try await RemoteFixture.with { fixture in
            let data = Self.randomBytes(1 << 20)
            let local = fixture.state.path + "/a.jar"
            try Self.write(data, local)
            let remoteA = fixture.server.directory + "/remote/a.jar", remoteB = fixture.server.directory + "/remote/b.jar"
            var corrupted = data
            corrupted[100] ^= 0xFF
            try Self.write(corrupted, remoteA)                    // same size, one byte wrong
            try Self.write(Self.randomBytes(4096), remoteB + ".part") // a partial file of something else
            let report = try #require(try await PackageTransfer(connections: fixture.connections).send([HostTransfer(host: fixture.host, files: [
                TransferFile(local: local, remote: remoteA), TransferFile(local: local, remote: remoteB),
            ])]).hosts.first)
            #expect(report.filesSkipped == 0, "a wrong checksum is never skipped")
            #expect(report.filesSent == 2)
            #expect(report.filesResumed == 1)
            #expect(report.filesResent == 1, "the resumed file failed sha256sum on the host and was sent in full")
            #expect(Self.contents(remoteA) == data)
            #expect(Self.contents(remoteB) == data)
            #expect(fixture.logLines.value.contains { $0.line.contains("failed the checksum") })
        }
    }

    @Test("S2: two hosts are served in parallel, each gets its files verified")
    func twoHostsInParallel() async throws {
        try await RemoteFixture.with { fixture in
            let second = try TestSSHServer.start()
            defer { second.stop() }
            let data = Self.randomBytes(2 << 20)
            let local = fixture.state.path + "/pkg.tar"
            try Self.write(data, local)
            let hostA = fixture.server.host(name: "app1"), hostB = second.host(name: "app2")
            let report = try await PackageTransfer(connections: fixture.connections, maxParallelHosts: 2).send([
                HostTransfer(host: hostA, files: [TransferFile(local: local, remote: fixture.server.directory + "/remote/pkg.tar")]),
                HostTransfer(host: hostB, files: [TransferFile(local: local, remote: second.directory + "/remote/pkg.tar")]),
            ])
            #expect(report.hosts.map(\.host) == ["app1", "app2"])
            #expect(report.filesSent == 2)
            #expect(report.bytesSent == Int64(2 * data.count))
            #expect(Self.contents(fixture.server.directory + "/remote/pkg.tar") == data)
            #expect(Self.contents(second.directory + "/remote/pkg.tar") == data)
            #expect(report.summary.count == 2)
            await fixture.connections.connection(to: hostB, .transfer).close()
        }
    }

    @Test("S2: a transfer cut by a dropped link continues from the partial file after the reconnect")
    func resumesAfterDrop() async throws {
        try await RemoteFixture.with(isolated: true) { fixture in
            // 16 MiB at 80 Mbit/s (sftp -l): about 1.7 s, so the cut surely lands mid-file.
            let size = 16 << 20
            let local = fixture.state.path + "/big.bin", remote = fixture.server.directory + "/remote/big.bin"
            try Self.write(Self.randomBytes(size), local)
            fixture.onSleep.value = { count in if count == 2 { try? fixture.server.restoreLink() } }
            let cutAt = Locked<Int64>(0)
            let report = try await withThrowingTaskGroup(of: TransferReport?.self) { group in
                group.addTask {
                    try await PackageTransfer(connections: fixture.connections, limitKbitPerSecond: 80_000)
                        .send([HostTransfer(host: fixture.host, files: [TransferFile(local: local, remote: remote)])])
                }
                group.addTask {
                    // Cut the link once a fifth of the file is on the host.
                    while true {
                        let partial = (try? FileManager.default.attributesOfItem(atPath: remote + ".part"))?[.size] as? NSNumber
                        if let partial, partial.int64Value > Int64(size / 5) { break }
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    try fixture.server.cutLink()
                    let partial = (try? FileManager.default.attributesOfItem(atPath: remote + ".part"))?[.size] as? NSNumber
                    cutAt.value = partial?.int64Value ?? 0
                    return nil
                }
                var result: TransferReport?
                for try await value in group { if let value { result = value } }
                return result
            }
            let host = try #require(report?.hosts.first)
            let connection = fixture.connection(.transfer)
            #expect(host.resumedAfterDrop == 1)
            #expect(connection.reconnects == 1)
            #expect(cutAt.value > 0 && cutAt.value < Int64(size), "the link was cut mid-file (at \(cutAt.value) bytes)")
            // The new master carried only the rest (plus the probe and the checks), not the whole file.
            let master = try #require(await connection.masterPID())
            #expect(try Self.bytesWritten(by: master) < Int64(size) - cutAt.value + (4 << 20))
            #expect(FileManager.default.contents(atPath: remote)?.count == size)
            let sums = try await LocalChecksums.compute([local, remote])
            #expect(sums[local]?.sha256 == sums[remote]?.sha256)
        }
    }
}
