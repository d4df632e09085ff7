import QuickupCore
import Testing
@testable import QuickupAssess

/// A1 thresholds: below → FAIL, within 10 % above → WARN, else PASS; figures injected through
/// the probe seam.
@Suite("Resource thresholds")
struct ResourceAssessmentTests {
    static let gib: Int64 = 1 << 30

    func evaluate(cpu: Double, memory: Int64, disk: Int64, backup: Int64 = 0, toolMemory: Int64 = 0, toolDisk: Int64 = 0,
                  thresholds: Thresholds = Thresholds()) async throws -> [String: CheckResult] {
        let probe = FixedResourceProbe(HostResources(host: "h", cpuIdlePercent: cpu, cpuCount: 2, memoryAvailable: ByteSize(bytes: memory),
                                                     memoryTotal: ByteSize(bytes: 64 * Self.gib),
                                                     disks: [DiskSpace(path: "/backup", mount: "/", free: ByteSize(bytes: disk), total: ByteSize(bytes: 100 * Self.gib))]))
        let host = try await probe.sample(paths: ["/backup", "/state"])
        let checks = ResourceAssessment.evaluate(host, needs: ResourceNeeds(backupBytes: backup, toolMemoryBytes: toolMemory, toolDiskBytes: toolDisk),
                                                 thresholds: thresholds, backupPath: "/backup", statePath: "/state")
        return Dictionary(uniqueKeysWithValues: checks.map { (String($0.id.split(separator: ".").last ?? ""), $0) })
    }

    @Test("CPU idle: 19 % fails, 21 % warns (within 10 % of 20 %), 22 % passes")
    func cpu() async throws {
        #expect(try await evaluate(cpu: 19, memory: 8 * Self.gib, disk: 50 * Self.gib)["cpu"]?.status == .fail)
        #expect(try await evaluate(cpu: 21, memory: 8 * Self.gib, disk: 50 * Self.gib)["cpu"]?.status == .warn)
        #expect(try await evaluate(cpu: 22.5, memory: 8 * Self.gib, disk: 50 * Self.gib)["cpu"]?.status == .pass)
    }

    @Test("Memory: 1 GiB plus the tools' declared memory, with the same margin")
    func memory() async throws {
        let half = Self.gib / 2
        #expect(try await evaluate(cpu: 90, memory: Self.gib - 1, disk: 50 * Self.gib)["memory"]?.status == .fail)
        #expect(try await evaluate(cpu: 90, memory: Self.gib + Self.gib / 20, disk: 50 * Self.gib)["memory"]?.status == .warn)
        #expect(try await evaluate(cpu: 90, memory: 2 * Self.gib, disk: 50 * Self.gib)["memory"]?.status == .pass)
        let withTools = try await evaluate(cpu: 90, memory: Self.gib + half - 1, disk: 50 * Self.gib, toolMemory: half)["memory"]
        #expect(withTools?.status == .fail && withTools?.threshold == Double(Self.gib + half))
    }

    @Test("Disk: free ≥ 2 × backup (touched × 1.5) plus tools' disk on the same file system")
    func disk() async throws {
        let touched = 10 * Self.gib
        let backup = DatasourceFootprint.backupNeed(touched)
        #expect(backup == 15 * Self.gib)
        #expect(DatasourceFootprint.doubleWriteNeed(touched) == Int64((Double(touched) * 2.3).rounded()))
        let need = 2 * backup + Self.gib   // 31 GiB with 1 GiB of tool disk
        let fail = try await evaluate(cpu: 90, memory: 8 * Self.gib, disk: need - 1, backup: backup, toolDisk: Self.gib)
        let diskFail = try #require(fail.values.first { $0.id.hasPrefix("resources.h.disk.") })
        #expect(diskFail.status == .fail && diskFail.threshold == Double(need))
        #expect(diskFail.summary.contains("2 × backup 15 GiB") && diskFail.suggestion != nil)
        let warn = try await evaluate(cpu: 90, memory: 8 * Self.gib, disk: need + need / 20, backup: backup, toolDisk: Self.gib)
        #expect(warn.values.first { $0.id.hasPrefix("resources.h.disk.") }?.status == .warn)
        let pass = try await evaluate(cpu: 90, memory: 8 * Self.gib, disk: need * 2, backup: backup, toolDisk: Self.gib)
        #expect(pass.values.first { $0.id.hasPrefix("resources.h.disk.") }?.status == .pass)
    }

    @Test("env.yaml thresholds replace the defaults")
    func configured() async throws {
        var thresholds = Thresholds()
        thresholds.cpuIdlePercent = 50
        thresholds.warnMarginPercent = 0
        #expect(try await evaluate(cpu: 49, memory: 8 * Self.gib, disk: 50 * Self.gib, thresholds: thresholds)["cpu"]?.status == .fail)
        #expect(try await evaluate(cpu: 50, memory: 8 * Self.gib, disk: 50 * Self.gib, thresholds: thresholds)["cpu"]?.status == .pass)
    }

    @Test("The local probe reads this machine's figures")
    func local() async throws {
        let host = try await LocalResourceProbe(host: "here", interval: .milliseconds(50)).sample(paths: ["/tmp", "/no/such/dir/yet"])
        #expect(host.disks.count == 2)
        #expect(host.disks.allSatisfy { $0.total.bytes > 0 && $0.free.bytes <= $0.total.bytes })
        #if os(Linux)
        let idle = try #require(host.cpuIdlePercent)
        #expect(idle >= 0 && idle <= 100)
        #expect((host.memoryAvailable?.bytes ?? 0) > 0)
        #endif
    }
}

@Suite("resource_check hook answer")
struct ResourceHookAnswerTests {
    @Test("The example hook's answer, byte counts, and refusals")
    func parse() throws {
        let example = try ResourceHookAnswer.parse(#"{"result": {"memory": "256MB", "disk": "1GB"}}"#, hook: "base")
        #expect(example.memory == ByteSize(bytes: 256 << 20) && example.disk == ByteSize(bytes: 1 << 30))
        let bare = try ResourceHookAnswer.parse(#"{"memory": 1024}"#, hook: "base")
        #expect(bare.memory?.bytes == 1024 && bare.disk == nil)
        #expect(throws: QuickupError.self) { try ResourceHookAnswer.parse("OK", hook: "base") }
        #expect(throws: QuickupError.self) { try ResourceHookAnswer.parse(#"{"result": {"disk": "lots"}}"#, hook: "base") }
    }
}
