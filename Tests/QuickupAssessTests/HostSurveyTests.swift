import Foundation
import QuickupCore
import QuickupRemote
import QuickupTestSupport
import Testing
@testable import QuickupAssess

/// A1 on every host (issue 15): figures read over SSH from sshd in network namespaces, compared
/// with the same figures read here directly (/proc/meminfo, statvfs, `stat -c %m`): a namespace
/// host shares this machine's kernel and file systems, so both must agree.
@Suite("Host survey over SSH", .serialized)
struct HostSurveyTests {
    static let policy = KeepalivePolicy(interval: .seconds(5), timeout: .seconds(30), reconnectTries: 2,
                                        backoff: Backoff(firstDelay: TimeSpan(milliseconds: 50)),
                                        connectTimeout: .seconds(5), persist: .seconds(30))

    static func connections(_ state: TemporaryTree, policy: KeepalivePolicy = policy) -> SSHConnections {
        SSHConnections(context: RemoteContext(stateDirectory: state.path, keepalive: .uniform(policy),
                                              sleep: { try await Task.sleep(for: min($0, .milliseconds(20))) }))
    }

    /// MemTotal and MemAvailable from /proc/meminfo, in bytes.
    static func meminfo() throws -> (total: Int64, available: Int64) {
        let text = try String(contentsOfFile: "/proc/meminfo", encoding: .utf8)
        func value(_ key: String) -> Int64 {
            let line = text.split(separator: "\n").first { $0.hasPrefix(key + ":") } ?? ""
            return (Int64(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1) * 1024
        }
        return (value("MemTotal"), value("MemAvailable"))
    }

    static func fileSystem(_ path: String) -> (free: Int64, total: Int64) {
        var stats = statvfs()
        _ = statvfs(path, &stats)
        return (Int64(stats.f_bavail) * Int64(stats.f_frsize), Int64(stats.f_blocks) * Int64(stats.f_frsize))
    }

    /// The mount point holding `path`, as coreutils' stat reports it.
    static func mountPoint(_ path: String) throws -> String {
        let output = "/tmp/qusurvey-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(output) }
        let pid = try ChildSpawn.spawn(["/usr/bin/stat", "-c", "%m", path], output: output)
        ChildSpawn.wait(pid)
        return try String(contentsOfFile: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("Two namespace hosts measured in parallel agree with /proc and statvfs read directly; a missing directory is measured at its parent")
    func figuresMatch() async throws {
        let first = try TestSSHServer.start(isolated: true), second = try TestSSHServer.start(isolated: true)
        let state = try TemporaryTree("qusurvey")
        let connections = Self.connections(state)
        defer { first.stop(); second.stop(); state.remove() }
        let data = "\(state.path)/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        var env = Environment(site: "SURVEY")
        env.hosts = [first.host(name: "app1"), second.host(name: "db1")]
        var db = DatasourceConfig(name: "shop_db", type: .mariadb, location: SourceLocation(file: "env.yaml", line: 9))
        db.host = "db1"
        db.dataDir = data
        env.datasources = [db]
        env.backupDir = "\(state.path)/backups/not-made-yet"
        let install = ResourceAssessment.DiskNeed(path: "/opt/quickup-survey-missing/app", bytes: 1, why: "package 1 B", hint: "")
        let survey = await HostSurvey.check(env, connections: connections, extra: ["app1": [install]])
        await connections.closeAll()

        #expect(survey.hosts.map(\.host) == ["app1", "db1"], "\(survey.checks)")
        let memory = try Self.meminfo()
        for host in survey.hosts {
            #expect(host.memoryTotal?.bytes == memory.total, "MemTotal of \(host.host)")
            let available = try #require(host.memoryAvailable?.bytes)
            #expect(abs(available - memory.available) < max(memory.total / 10, 256 << 20), "MemAvailable \(available) vs \(memory.available)")
            #expect(host.cpuCount == sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            let idle = try #require(host.cpuIdlePercent)
            #expect(idle >= 0 && idle <= 100)
        }
        let db1 = try #require(survey.hosts.last)
        #expect(db1.disks.map(\.path) == [data, env.backupDir ?? "", env.hosts[1].remoteStateDir])
        let disk = try #require(db1.disk(for: data))
        let direct = Self.fileSystem(data)
        #expect(disk.total.bytes == direct.total, "total of \(data)")
        #expect(abs(disk.free.bytes - direct.free) < 1 << 30, "free of \(data): \(disk.free.bytes) vs \(direct.free)")
        let dataMount = try Self.mountPoint(data), stateMount = try Self.mountPoint(state.path), optMount = try Self.mountPoint("/opt")
        #expect(disk.mount == dataMount)
        // The backup dir does not exist: measured at its nearest existing parent, still named as asked.
        #expect(db1.disk(for: env.backupDir ?? "")?.mount == stateMount)
        let app1 = try #require(survey.hosts.first)
        #expect(app1.disk(for: install.path)?.mount == optMount)
        // Rows per host: CPU, memory, one per file system.
        let ids = Set(survey.checks.map(\.id))
        for name in ["app1", "db1"] {
            #expect(ids.contains("resources.\(name).cpu") && ids.contains("resources.\(name).memory"), "\(ids)")
        }
        #expect(ids.contains("resources.db1.disk.\(disk.mount)"), "\(ids)")
    }

    @Test("Thresholds are env.yaml data: memory and a data directory's double-write need FAIL; an unreachable host is one FAIL row saying why")
    func thresholdsAndUnreachable() async throws {
        let server = try TestSSHServer.start(isolated: true), gone = try TestSSHServer.start(isolated: true)
        let state = try TemporaryTree("qusurvey")
        var short = Self.policy
        short.connectTimeout = .seconds(2)
        let connections = Self.connections(state, policy: short)
        let goneHost = gone.host(name: "gone")
        gone.stop()
        defer { server.stop(); state.remove() }
        var env = Environment(site: "SURVEY")
        env.hosts = [server.host(name: "db1"), goneHost]
        var db = DatasourceConfig(name: "shop_db", type: .mariadb, location: SourceLocation(file: "env.yaml", line: 9))
        db.host = server.address
        db.dataDir = state.path
        env.datasources = [db]
        let memory = try Self.meminfo()
        env.thresholds.memoryFree = ByteSize(bytes: memory.total * 2)
        let free = Self.fileSystem(state.path).free
        let footprint = DatasourceFootprint(name: "shop_db", type: .mariadb, status: .pass, tables: [], touchedBytes: free,
                                            backupBytes: 0, doubleWriteBytes: free * 2)
        let survey = await HostSurvey.check(env, connections: connections, footprints: [footprint])
        await connections.closeAll()
        let byID = Dictionary(uniqueKeysWithValues: survey.checks.map { ($0.id, $0) })
        #expect(byID["resources.db1.memory"]?.status == .fail, "\(String(describing: byID["resources.db1.memory"]))")
        let mount = try Self.mountPoint(state.path)
        let disk = try #require(byID["resources.db1.disk.\(mount)"], "\(byID.keys.sorted())")
        #expect(disk.status == .fail && disk.threshold == Double(free * 2) && disk.summary.contains("double-write of shop_db"), "\(disk)")
        let unreachable = try #require(byID["resources.gone"], "\(byID.keys.sorted())")
        #expect(unreachable.status == .fail && unreachable.summary.contains("cannot connect to gone"), "\(unreachable)")
        #expect(survey.hosts.map(\.host) == ["db1"])
    }

    @Test("The probe's parser reads df -P lines with spaces in the mount point and leaves missing figures nil")
    func parser() {
        let text = "cores 4\nMemTotal: 100 kB\ndisk\t/x y\t/dev/sda1 2048 1024 512 50% /mnt/my disk\ngarbage\n"
        let host = SSHResourceProbe.parse(text, host: "h")
        #expect(host.cpuCount == 4 && host.memoryTotal?.bytes == 102_400 && host.memoryAvailable == nil && host.cpuIdlePercent == nil)
        #expect(host.disks == [DiskSpace(path: "/x y", mount: "/mnt/my disk", free: ByteSize(bytes: 512 * 1024), total: ByteSize(bytes: 2048 * 1024))])
    }
}
