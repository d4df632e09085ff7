import Foundation
import QuickupCore
import QuickupTestSupport
import QuickupTools
import Testing
@testable import QuickupRemote

/// Figures for docs/PERFORMANCE.md (S1, S2): connection setup cold vs shared, round trip over the
/// shared master, 200 MB over loopback through PackageTransfer vs plain scp. Opt-in:
/// `QUICKUP_REMOTE_BENCH=1 swift test --skip-build --disable-xctest --filter RemoteBenchmarkTests`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["QUICKUP_REMOTE_BENCH"] == "1"))
struct RemoteBenchmarkTests {
    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    static func time(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        let elapsed = start.duration(to: .now)
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    @Test("bench: connection setup cold vs shared, round trip over the master")
    func connections() async throws {
        try await RemoteFixture.with { fixture in
            let line = fixture.connection().commandLine
            try await fixture.connection().connect() // writes the pinned host key
            await fixture.connection().close()
            // A full connection per command: what every command costs without sharing. OpenSSH
            // takes the first value of an option, so ControlPath=none goes first.
            let direct = [line.ssh, "-o", "ControlPath=none"] + line.commonOptions + ["-T", line.host.address]
            var cold: [Double] = []
            for _ in 0..<7 {
                cold.append(try await Self.time {
                    let result = try await CommandProcess.run(direct + ["true"])
                    #expect(result.succeeded, "\(result.stderr)")
                })
            }
            var masters: [Double] = []
            for _ in 0..<5 {
                let connection = SSHConnection(host: fixture.host, connectionClass: .control, context: fixture.context)
                masters.append(try await Self.time { try await connection.connect() })
                await connection.close()
            }
            let connection = fixture.connection()
            try await connection.connect()
            var shared: [Double] = [], bare: [Double] = []
            for _ in 0..<15 { shared.append(try await Self.time { _ = try await connection.run("true") }) }
            let mux = [line.ssh] + line.commonOptions + ["-o", "ControlMaster=no", "-T", line.host.address, "true"]
            for _ in 0..<15 {
                bare.append(try await Self.time {
                    let result = try await CommandProcess.run(mux)
                    #expect(result.succeeded, "\(result.stderr)")
                })
            }
            var shell: [Double] = []
            for _ in 0..<7 { shell.append(try await Self.time { _ = try await CommandProcess.run(["bash", "-c", "source ~/.bashrc"]) }) }
            print(String(format: "BENCH cold ssh command (new TCP + key exchange + auth): median %.1f ms", Self.median(cold)))
            print(String(format: "BENCH master setup (connect): median %.1f ms", Self.median(masters)))
            print(String(format: "BENCH command over shared master (run \"true\" via sh -s): median %.1f ms", Self.median(shared)))
            print(String(format: "BENCH bare mux client (ssh … true over the master): median %.1f ms", Self.median(bare)))
            print(String(format: "BENCH local bash sourcing ~/.bashrc (remote login shell cost here): median %.1f ms", Self.median(shell)))
        }
    }

    @Test("bench: 200 MB over loopback — PackageTransfer vs plain scp")
    func transfer() async throws {
        try await RemoteFixture.with { fixture in
            let size = 200_000_000
            let local = fixture.state.path + "/big.bin"
            _ = try await CommandProcess.run(["sh", "-c", "head -c \(size) /dev/urandom > \(ShellQuoting.quote(local))"])
            let line = fixture.connection(.transfer).commandLine
            try await fixture.connection(.transfer).connect()
            var scp: [Double] = []
            for index in 0..<3 {
                let target = "\(fixture.server.directory)/remote/scp-\(index).bin"
                _ = try await CommandProcess.run(["mkdir", "-p", "\(fixture.server.directory)/remote"])
                let arguments = ["scp", "-o", "ControlPath=none"] + line.commonOptions + ["-q", local, "\(line.host.address):\(target)"]
                scp.append(try await Self.time {
                    let result = try await CommandProcess.run(arguments)
                    #expect(result.succeeded, "\(result.stderr)")
                })
                #expect(FileManager.default.contents(atPath: target)?.count == size)
                try? FileManager.default.removeItem(atPath: target)
            }
            var ours: [Double] = [], sftpOnly: [Double] = []
            for index in 0..<3 {
                let target = "\(fixture.server.directory)/remote/ours-\(index).bin"
                var report: TransferReport?
                ours.append(try await Self.time {
                    report = try await PackageTransfer(connections: fixture.connections)
                        .send([HostTransfer(host: fixture.host, files: [TransferFile(local: local, remote: target)])])
                })
                let host = try #require(report?.hosts.first)
                sftpOnly.append(Double(host.transferTime.components.seconds) * 1000 + Double(host.transferTime.components.attoseconds) / 1e15)
                try? FileManager.default.removeItem(atPath: target)
            }
            let megabytes = Double(size) / 1_000_000
            print(String(format: "BENCH plain scp 200 MB: median %.0f ms = %.0f MB/s", Self.median(scp), megabytes / Self.median(scp) * 1000))
            print(String(format: "BENCH PackageTransfer 200 MB total (local sha256, probe, sftp, remote sha256, rename): median %.0f ms = %.0f MB/s",
                         Self.median(ours), megabytes / Self.median(ours) * 1000))
            print(String(format: "BENCH PackageTransfer sftp part only: median %.0f ms = %.0f MB/s", Self.median(sftpOnly), megabytes / Self.median(sftpOnly) * 1000))
        }
    }
}
