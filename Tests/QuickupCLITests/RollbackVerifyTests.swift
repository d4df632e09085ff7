import Foundation
import QuickupTestSupport
import Testing

/// The rollback's verify phase and phase order (F4, issue 16): verify runs the data-quality rules
/// (A2) again besides the hosts' health and version, and a FAIL fails the rollback with the rule's
/// figures and suggestion; configuration is put back in its own phase, restore-configuration,
/// before the scripts are undone (§4.3.1), in `--dry-run` as in the real rollback.
@Suite(.serialized)
struct RollbackVerifyTests {
    @Test("verify re-runs the quality rules: a rule the data breaks fails the rollback with figures and suggestion; fixed, the rerun verifies",
          .timeLimit(.minutes(10)))
    func qualityRulesInVerify() async throws {
        let site = try UpgradeSite(withRollback: true, releaseFiles: ["app/upgrade/V1.1.0/quality_V1.1.0.properties": """
            rule.ids_set.description=Every order has an id
            rule.ids_set.check=not_null
            rule.ids_set.table=orders
            rule.ids_set.columns=id
            rule.ids_set.datasource=db
            rule.ids_set.severity=fail
            rule.ids_set.versions=V1.0.0~V1.1.0
            rule.ids_set.suggestion=DELETE FROM orders WHERE id IS NULL

            """])
        defer { site.remove() }
        try Self.sqlite(site, "create table orders (id integer); insert into orders values (1), (2)")
        let upgraded = try await site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0", "--yes", "--mode", "stop-the-world"])
        #expect(upgraded.status == 0, "\(upgraded.stdout)\n\(upgraded.stderr)")
        let id = try #require(UpgradeSite.runID(upgraded.stdout))
        // The new version wrote an order without an id: the rollback does not undo that.
        try Self.sqlite(site, "insert into orders values (NULL)")

        let failed = try await site.rollback(id)
        let failedText = failed.stdout + failed.stderr
        #expect(failed.status == 1, "\(failedText)")
        #expect(failed.stdout.contains("Every order has an id: FAIL"), "\(failedText)")
        #expect(failedText.contains("data-quality rules fail after the rollback") && failedText.contains("DELETE FROM orders WHERE id IS NULL"), "\(failedText)")
        #expect(failed.stdout.contains("[VERIFIED] app on a: healthy, version V1.0.0"), "hosts are checked in verify too: \(failedText)")
        #expect(site.version(site.port) == "V1.0.0" && site.current("b") == "releases/V1.0.0", "every phase before verify ran")

        try Self.sqlite(site, "delete from orders where id is null")
        let again = try await site.rollback(id)
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        #expect(again.stdout.contains("Every order has an id: PASS") && again.stdout.contains("[VERIFIED] data-quality rules: 1 ran, none fails"), "\(again.stdout)")
        #expect(site.starts("a") == 3 && site.starts("b") == 3, "the rerun started nothing again: a=\(site.starts("a")) b=\(site.starts("b"))")
    }

    @Test("configuration is put back in phase restore-configuration, before undo-scripts, in --dry-run and for real; bytes as before",
          .timeLimit(.minutes(5)))
    func configurationPhase() throws {
        let site = try ConfigSite("qu-cfg-phase")
        defer { site.stop() }
        try site.tree.write("env.yaml", """
            site: CFG
            hosts:
              - {name: node1, kind: local, state_dir: \(site.tree.path)/hosts/node1, components: [app]}

            """)
        let target = "\(site.files)/conf/app.properties"
        try site.release(tasks: ConfigSite.task("props", format: "properties", target: target),
                         changes: ["props.change": "set server.port = 8081\n"])
        _ = try site.place("conf/app.properties", ConfigTaskRunTests.originalProperties, mode: 0o640)
        let before = try #require(ConfigSite.snapshot(target))
        let run = try site.run()
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let runID = try #require(try FileManager.default.contentsOfDirectory(atPath: site.state + "/runs").first)

        for (extra, undo) in [(["--dry-run"], "-- app V1.0.1 config.props: would put back"), ([], "[ROLLED_BACK] app V1.0.1 config.props")] {
            let r = try site.rollback(runID, extra)
            #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
            let lines = r.stdout.split(separator: "\n").map(String.init)
            let configuration = lines.firstIndex { $0.hasPrefix("== phase 2/7 restore-configuration") }
            let scripts = lines.firstIndex { $0.hasPrefix("== phase 3/7 undo-scripts") }
            let put = lines.firstIndex { $0.hasPrefix(undo) }
            #expect(configuration != nil && put != nil && scripts != nil, "\(r.stdout)")
            if let configuration, let put, let scripts {
                #expect(configuration < put && put < scripts, "the config task is undone in restore-configuration: \(r.stdout)")
            }
        }
        #expect(ConfigSite.snapshot(target) == before)
    }

    static func sqlite(_ site: UpgradeSite, _ sql: String) throws {
        let r = try CLI.run(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()", "\(site.root)/app.db", sql],
                            program: URL(fileURLWithPath: "/usr/bin/python3"))
        guard r.status == 0 else { throw TestServers.Missing(description: "sqlite3: \(r.stderr)") }
    }
}
