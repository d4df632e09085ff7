import Foundation
import QuickupCore
import QuickupRelease
import QuickupTestSupport
import QuickupUpgrade
import Testing

/// The pure parts of a whole upgrade (F1, issue 15): who runs what, the order of steps, and the
/// bad input refused before anything changes.
@Suite struct UpgradeScopeTests {
    static let component = """
        plugin_class: core
        datasources:
          - {name: db, type: sqlite}
        package: package
        keep: [conf/site.yml]

        """

    func release(_ tree: TemporaryTree) throws {
        try tree.write("release/release.yaml", "name: r\ncomponents: [app]\n")
        try tree.write("release/app/component.yaml", Self.component)
        try tree.write("release/app/package/V1.0.0/VERSION", "V1.0.0\n")
        try tree.write("release/app/package/V1.1.0/VERSION", "V1.1.0\n")
    }

    func env(hosts: String, service: String) -> String {
        "site: S\ndatasources:\n  db: {type: sqlite, path: x.db}\nhosts:\n\(hosts)services:\n  app:\n\(service)"
    }

    static let twoHosts = "  - {name: a, kind: local, components: [app]}\n  - {name: b, kind: local, port_offset: 1, components: [app]}\n"
    static let service = "    start: run --port {port}\n    process_match: x\n    port: 9000\n    install_dir: /opt/{host}/app\n"

    @Test func stepsFollowF1OrderStopTheWorldAndRolling() throws {
        let tree = try TemporaryTree("quickup-scope")
        defer { tree.remove() }
        try release(tree)
        try tree.write("env.yaml", env(hosts: Self.twoHosts, service: Self.service))
        let workspace = try Workspace.open(release: "\(tree.path)/release", environment: "\(tree.path)/env.yaml")
        let environment = try #require(workspace.environment)
        let scope = try UpgradeScope.build(release: workspace.release, releaseRoot: workspace.releaseRoot, environment: environment,
                                           from: Version(1, 0, 0), to: Version(1, 1, 0))
        #expect(scope.deployments.map(\.version) == [Version(1, 1, 0)])
        #expect(scope.deployments.first?.keep == ["conf/site.yml"])
        let b = try #require(scope.host("b"))
        #expect(scope.deployments.first?.service(on: b).port == 9001)
        #expect(scope.deployments.first?.service(on: b).installDir == "/opt/b/app")
        #expect(scope.deployments.first?.service(on: b).start == "run --port 9001")
        let stw = UpgradeStepList.build(scope, rolling: false).map(\.key)
        #expect(stw == ["precheck", "backup", "transfer", "prepare.a.app", "prepare.b.app", "tasks.pre_stop", "stop.a.app", "stop.b.app",
                        "install.a.app", "install.b.app", "tasks.in_stop", "start.a.app", "start.b.app", "tasks.post_start", "gate",
                        "tasks.post_upgrade", "verify"])
        let rolling = UpgradeStepList.build(scope, rolling: true).map(\.key)
        #expect(rolling == ["precheck", "backup", "transfer", "prepare.a.app", "prepare.b.app", "tasks.pre_stop", "tasks.in_stop",
                            "stop.a.app", "install.a.app", "start.a.app", "stop.b.app", "install.b.app", "start.b.app", "tasks.post_start",
                            "gate", "tasks.post_upgrade", "verify"])
        let retryable = UpgradeStepList.build(scope, rolling: false).filter(\.retryable).map(\.key)
        #expect(retryable == ["precheck", "backup", "transfer", "prepare.a.app", "prepare.b.app", "stop.a.app", "stop.b.app", "gate", "verify"])
        // Stop-the-world runs each kind of host step on all hosts at once; rolling, one host at a
        // time (only the prepare, which changes nothing that runs, is parallel there).
        let together = { (rolling: Bool) in
            UpgradeStepList.batches(UpgradeStepList.build(scope, rolling: rolling)).filter { $0.count > 1 }.map { $0.map(\.step.key) }
        }
        #expect(together(false) == [["prepare.a.app", "prepare.b.app"], ["stop.a.app", "stop.b.app"], ["install.a.app", "install.b.app"],
                                    ["start.a.app", "start.b.app"]])
        #expect(together(true) == [["prepare.a.app", "prepare.b.app"]])
        #expect(UpgradeStepList.batches(UpgradeStepList.build(scope, rolling: false)).flatMap { $0.map(\.seq) } == Array(0..<stw.count))
    }

    @Test func hostRunningNothingAndMissingInstallDirAreRefusedWithTheirLines() throws {
        let tree = try TemporaryTree("quickup-scope")
        defer { tree.remove() }
        try release(tree)
        try tree.write("env.yaml", env(hosts: Self.twoHosts + "  - {name: idle, kind: local}\n",
                                       service: "    start: run\n    process_match: x\n    port: 9000\n"))
        let workspace = try Workspace.open(release: "\(tree.path)/release", environment: "\(tree.path)/env.yaml")
        let environment = try #require(workspace.environment)
        do {
            _ = try UpgradeScope.build(release: workspace.release, releaseRoot: workspace.releaseRoot, environment: environment,
                                       from: Version(1, 0, 0), to: Version(1, 1, 0))
            Issue.record("bad input accepted")
        } catch {
            let texts = error.errors.map(\.description)
            #expect(texts.contains { $0.contains("env.yaml:7") && $0.contains("host 'idle' runs no component") })
            // Line 10: the first line of service app's mapping (line 9 is its key), where install_dir belongs.
            #expect(texts.contains { $0.contains("env.yaml:10") && $0.contains("needs 'install_dir'") }, "\(texts)")
            #expect(error.errors.allSatisfy { $0.isInvalidInput })
        }
    }

    @Test func missingPackageFolderIsAManifestErrorAtItsLine() throws {
        let tree = try TemporaryTree("quickup-scope")
        defer { tree.remove() }
        try tree.write("release/release.yaml", "name: r\ncomponents: [app]\n")
        try tree.write("release/app/component.yaml", Self.component)
        do {
            _ = try Workspace.open(release: "\(tree.path)/release")
            Issue.record("a missing package folder was accepted")
        } catch {
            #expect(error.errors.contains { $0.description.contains("component.yaml:4") && $0.description.contains("package folder 'package' of component app is missing") })
        }
    }
}
