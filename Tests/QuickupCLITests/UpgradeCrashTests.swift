import Foundation
import QuickupTestSupport
import Testing

/// `kill -9` of quickup at 20+ distinct points of a whole upgrade (`QUICKUP_CRASH_AT`: quickup
/// sends itself SIGKILL right after recording a step RUNNING, or right after the step acted and
/// before recording it done), then `quickup upgrade --resume`: the same end state as an
/// undisturbed upgrade, no start run twice on a host (each start appends to starts.log), no
/// service left stopped (F5, issue 15).
@Suite(.serialized) struct UpgradeCrashTests {
    static let points: [String] = {
        let stw = ["precheck", "backup", "transfer", "prepare.a.app", "prepare.b.app", "tasks.pre_stop", "stop.a.app", "stop.b.app",
                   "install.a.app", "install.b.app", "tasks.in_stop", "start.a.app", "start.b.app", "tasks.post_start", "gate",
                   "tasks.post_upgrade", "verify"]
        // Every step's end, and the begin of those where work is half done (mid-install: the
        // prepare's copy and the switch; between stop and start…). Steps of one kind run on both
        // hosts at once, so a kill in one host's step also cuts the other's wherever it is.
        return stw.map { "\($0)@end" } + ["prepare.a.app@begin", "install.a.app@begin", "start.a.app@begin", "tasks.in_stop@begin", "verify@begin"]
    }()

    @Test("kill -9 at each point, then --resume: V1.1.0 everywhere, new schema, one start per host, services running",
          arguments: points)
    func crashAndResume(point: String) async throws {
        let site = try UpgradeSite()
        defer { site.remove() }
        let killed = try await site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0", "--yes", "--mode", "stop-the-world"],
                                      environment: ["QUICKUP_CRASH_AT": point])
        #expect(killed.status == 9, "expected SIGKILL at \(point): \(killed.status)\n\(killed.stdout)\n\(killed.stderr)")
        let id = try #require(UpgradeSite.runID(killed.stdout))
        let resumed = try await site.upgrade(["--resume", id, "--yes"])
        #expect(resumed.status == 0, "\(point): \(resumed.stdout)\n\(resumed.stderr)")
        #expect(site.version(site.port) == "V1.1.0" && site.version(site.port + 1) == "V1.1.0", "\(point)")
        #expect(site.current("a") == "releases/V1.1.0" && site.current("b") == "releases/V1.1.0")
        #expect(try site.tableExists("orders_v2"))
        // One start from the setup and one from the upgrade: none ran twice after the crash.
        #expect(site.starts("a") == 2 && site.starts("b") == 2, "\(point): starts a=\(site.starts("a")) b=\(site.starts("b"))\nkilled run:\n\(killed.stdout)\n\(killed.stderr)\nresumed:\n\(resumed.stdout)\n\(resumed.stderr)")
    }
}
