import Foundation
import QuickupTestSupport
import Testing

/// `quickup demo` on an installed binary (issue 14 item 6): the sample release is inside the
/// binary, the demo's folder is removed unless --keep, and what it shows is what the commands it
/// prints would print.
@Suite("quickup demo anywhere")
struct DemoCommandTests {
    /// The built binary copied away from the checkout, run from an unrelated folder.
    struct Installed {
        let tree: TemporaryTree
        let binary: URL
        var cwd: URL { tree.root.appendingPathComponent("elsewhere") }

        init() throws {
            tree = try TemporaryTree("qu-demo-installed")
            binary = tree.root.appendingPathComponent("bin/quickup")
            try FileManager.default.createDirectory(at: binary.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: tree.root.appendingPathComponent("elsewhere"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: CLI.executable, to: binary)
        }

        func demo(_ arguments: [String] = []) throws -> CLI.Result {
            try CLI.run(["demo"] + arguments, in: cwd, program: binary)
        }
    }

    static func folder(in output: String) throws -> String {
        let first = try #require(output.split(separator: "\n").first { $0.hasPrefix("== quickup demo in ") })
        return try #require(first.dropFirst("== quickup demo in ".count).split(separator: " ").first.map(String.init))
    }

    @Test("a copied binary runs the demo from another folder, with the checkout's sample release byte for byte, and keeps its folder with --keep")
    func keep() throws {
        let installed = try Installed()
        defer { installed.tree.remove() }
        let result = try installed.demo(["--keep"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let folder = try Self.folder(in: result.stdout)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(result.stdout.contains("The demo's folder is kept: \(folder)"), "\(result.stdout)")
        // The embedded release is the one in examples/ (scripts/embed-demo-release.py after a change).
        let examples = CLI.repositoryRoot.appendingPathComponent("examples/demo-release")
        let expected = try FileManager.default.subpathsOfDirectory(atPath: examples.path).sorted()
            .filter { !FileManager.default.isDirectory(examples.appendingPathComponent($0).path) }
        let written = try FileManager.default.subpathsOfDirectory(atPath: "\(folder)/release").sorted()
            .filter { !FileManager.default.isDirectory("\(folder)/release/\($0)") }
        #expect(written == expected)
        for path in expected {
            #expect(FileManager.default.contents(atPath: "\(folder)/release/\(path)") == FileManager.default.contents(atPath: examples.appendingPathComponent(path).path),
                    "\(path) differs from examples/demo-release: run scripts/embed-demo-release.py")
        }
        // F4 in the demo: all 8 tasks rolled back newest first, then applied again.
        let parts = result.stdout.components(separatedBy: "== The whole upgrade")
        #expect(parts.count == 2, "\(result.stdout)")
        let rolledBack = (parts.first ?? "").split(separator: "\n").filter { $0.hasPrefix("[ROLLED_BACK]") }
        // Issue 15 item 6: the whole upgrade of two local hosts with real services, then its rollback.
        let upgrade = parts.last ?? ""
        #expect(upgrade.contains("succeeded"), "\(upgrade)")
        #expect(upgrade.contains("inventory on node2 answers version V1.1.0-P1"), "\(upgrade)")
        #expect(upgrade.contains("orders on node1 answers version V1.0.0"), "\(upgrade)")
        #expect(upgrade.contains("The demo's services are stopped."))
        #expect(rolledBack.count == 9, "\(result.stdout)")
        #expect(rolledBack.last?.contains("sql.create_warehouse") == true)
        #expect(rolledBack.contains { $0.contains("config.orders_pool") }, "\(result.stdout)")
        try Self.checkConfigTask(upgrade, folder: folder)

        // The `$ quickup status` line, typed as printed, prints exactly what the demo showed under it,
        // and names the latest run at that point: the one that applied the tasks.
        let lines = result.stdout.components(separatedBy: "\n")
        let statusIndex = try #require(lines.firstIndex { $0.hasPrefix("$ ") && $0.contains(" status ") }, "\(result.stdout)")
        let statusCommand = String(lines[statusIndex].dropFirst(2))
        let firstRun = try #require(lines.first { $0.hasPrefix("Run ") && $0.contains(": demo-shop V1.0.0 → V1.1.0-P1 at DEMO") })
        let firstRunID = try #require(firstRun.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        #expect(statusCommand.contains(" status \(firstRunID) "), "\(statusCommand)")
        let status = try CLI.shell(statusCommand, in: installed.cwd)
        #expect(status.status == 0, "\(status.stderr)")
        let shown = lines[(statusIndex + 1)...].prefix { !$0.isEmpty }.joined(separator: "\n") + "\n"
        #expect(status.stdout == shown, "demo showed:\n\(shown)\nstatus prints:\n\(status.stdout)")

        // Every run the demo made, its rollback included, is recorded for the same site.
        let rollbackCommand = try #require(lines.first { $0.hasPrefix("$ ") && $0.contains(" rollback ") })
        #expect(rollbackCommand.contains(" rollback \(firstRunID) "))
        let history = try CLI.run(["history", "--json", "--state", "\(folder)/state"], in: installed.cwd, program: installed.binary)
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        #expect(runs.count == 4 && runs.allSatisfy { $0["site"] as? String == "DEMO" }, "\(history.stdout)")
        #expect(runs.map { $0["stage"] as? String } == ["all", "rollback", "all", "all"])
    }

    /// Issue 18 item 1 (K1): the release's config task changed orders.properties on both local
    /// hosts during the whole upgrade (shown), and the rollback put every byte back (on disk).
    /// The tour's host (node0) ends applied: the tour's last step runs the upgrade again.
    static func checkConfigTask(_ upgrade: String, folder: String) throws {
        let original = try #require(FileManager.default.contents(atPath: CLI.repositoryRoot
            .appendingPathComponent("examples/demo-release/orders/package/V1.0.0/conf/orders.properties").path))
        let changed = "# orders: the site's settings, copied to <install_dir>/conf/ when the site is set up\n"
            + "orders.pool.size = 16\n\n# left as it is by every upgrade\norders.region=eu-west\n"
        let halves = upgrade.components(separatedBy: "\n$ ")
        let upgraded = halves.dropLast().joined(), rolledBack = halves.last ?? ""
        #expect(halves.count >= 3 && rolledBack.split(separator: "\n").first?.contains(" rollback ") == true, "\(upgrade)")
        for host in ["node1", "node2"] {
            let path = "\(folder)/hosts/\(host)/orders/conf/orders.properties"
            #expect(upgraded.contains("\(host): \(path) written"), "\(upgraded)")
            #expect(upgraded.contains("orders on \(host) has conf/orders.properties: orders.pool.size = 16; orders.region=eu-west"), "\(upgraded)")
            #expect(rolledBack.contains("\(host): \(path) put back as it was before the upgrade"), "\(rolledBack)")
            #expect(rolledBack.contains("orders on \(host) has conf/orders.properties: orders.pool.size = 8; orders.legacy.timeout=30s; orders.region=eu-west"),
                    "\(rolledBack)")
            #expect(FileManager.default.contents(atPath: path) == original, "\(path) after the rollback")
        }
        let tour = "\(folder)/hosts/node0/orders/conf/orders.properties"
        #expect(FileManager.default.contents(atPath: tour).map { String(decoding: $0, as: UTF8.self) } == changed)
    }

    @Test("without --keep the demo removes its folder and says where it was")
    func cleanup() throws {
        let installed = try Installed()
        defer { installed.tree.remove() }
        let result = try installed.demo()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let folder = try Self.folder(in: result.stdout)
        #expect(folder.contains("quickup-demo-"))
        #expect(result.stdout.contains("Removed the demo's folder \(folder);"), "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: folder))
    }
}

extension FileManager {
    func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}
