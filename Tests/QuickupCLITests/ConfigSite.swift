import Foundation
import QuickupTestSupport
import Testing

/// A site for config-task tests (K1–K3): a release whose component `app` runs on one real sshd
/// host (loopback, or a network namespace whose link a test can cut), the target files in a
/// directory of the tree, and `quickup run` / `rollback` / `plan` through the built executable.
final class ConfigSite {
    let tree: TemporaryTree
    let server: TestSSHServer
    /// Where the target files live (the host shares this machine's file system).
    let files: String
    var state: String { tree.path + "/state" }
    var environment: [String: String] = [:]

    init(_ prefix: String, isolated: Bool = false) throws {
        tree = try TemporaryTree(prefix)
        do {
            server = try TestSSHServer.start(isolated: isolated)
        } catch {
            tree.remove()
            throw error
        }
        files = tree.path + "/hostfs"
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
    }

    func stop() {
        server.stop()
        tree.remove()
    }

    /// `tasks`: the lines of upgrade_tasks_V1.0.1.properties; `changes`: change files by name
    /// (under `config/`).
    func release(tasks: String, changes: [String: String]) throws {
        try tree.write("release/app/component.yaml", "plugin_class: core\n")
        try tree.write("release/app/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties", tasks)
        for (name, text) in changes { try tree.write("release/app/upgrade/V1.0.1/config/\(name)", text) }
    }

    /// One config task's manifest lines.
    static func task(_ uid: String, format: String, target: String, stage: String = "in_stop", order: Int? = nil) -> String {
        """
        config.\(uid).id=\(uid.uppercased())
        config.\(uid).description=change \(uid)
        config.\(uid).stage=\(stage)
        config.\(uid).format=\(format)
        config.\(uid).target=\(target)
        config.\(uid).file=config/\(uid).change
        \(order.map { "config.\(uid).order=\($0)\n" } ?? "")
        """
    }

    /// env.yaml: the host runs `app`; `extra` is appended (ssh:, nginx:, nacos:).
    func env(_ extra: String = "") throws {
        try tree.write("env.yaml", """
            site: CFG
            hosts:
              - name: web1
                address: \(server.address)
                port: \(server.port)
                user: root
                identity_file: \(server.clientKey)
                host_key: \(server.hostPublicKey)
                state_dir: \(server.directory)/remote
                components: [app]
            \(extra)
            """)
    }

    var common: [String] {
        ["--release", tree.path + "/release", "--env", tree.path + "/env.yaml", "--state", state]
    }

    func run(_ extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["run", "--from", "V1.0.0", "--to", "V1.0.1"] + common + extra, environment: environment)
    }

    func plan(_ extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["plan", "--from", "V1.0.0", "--to", "V1.0.1"] + common + extra, environment: environment)
    }

    func rollback(_ runID: String, _ extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["rollback", runID] + common + extra, environment: environment)
    }

    /// `run --json`: the result and the run id.
    func runJSON() throws -> (CLI.Result, String) {
        let result = try run(["--json"])
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return (result, object?["runId"] as? String ?? "")
    }

    /// Bytes, mode and owner of a file (nil when absent).
    static func snapshot(_ path: String) -> FileState? {
        guard let data = FileManager.default.contents(atPath: path),
              let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        return FileState(bytes: Array(data), mode: (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1,
                         owner: (attributes[.ownerAccountID] as? NSNumber)?.intValue ?? -1,
                         group: (attributes[.groupOwnerAccountID] as? NSNumber)?.intValue ?? -1)
    }

    struct FileState: Equatable, CustomStringConvertible {
        var bytes: [UInt8]
        var mode: Int
        var owner: Int
        var group: Int
        var text: String { String(decoding: bytes, as: UTF8.self) }
        var description: String { "mode \(String(mode, radix: 8)) owner \(owner):\(group) \(text.debugDescription)" }
    }

    /// Writes `bytes` at `path` with a mode and owner.
    func place(_ name: String, _ bytes: [UInt8], mode: Int, owner: UInt32 = 65534, group: UInt32 = 65534) throws -> String {
        let path = "\(files)/\(name)"
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        chmod(path, mode_t(mode))
        chown(path, owner, group)
        return path
    }

    /// Everything under the state directory and the host's state directory, as text (for
    /// checking that no secret was written anywhere).
    func allStateText() -> String {
        var text = ""
        for root in [state, server.directory + "/remote"] {
            let items = FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []
            for item in items {
                if let data = FileManager.default.contents(atPath: "\(root)/\(item)") { text += String(decoding: data, as: UTF8.self) }
            }
        }
        return text
    }
}
