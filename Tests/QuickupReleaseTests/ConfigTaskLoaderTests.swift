import Foundation
import QuickupCore
import Testing
@testable import QuickupRelease

/// K1 + M5/M6: config tasks in manifests — their fields, and change files read at validate time
/// so a bad line is reported as file:line before anything runs.
@Suite("Release loading: config tasks (K1)")
struct ConfigTaskLoaderTests {
    static func files(_ task: String, change: String) -> [String: String] {
        var files = ReleaseFixture.validFiles
        files["base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties"]! += "\n" + task
        files["base/upgrade/V1.0.1/config/port.change"] = change
        return files
    }

    static let task = """
        config.port.id=C1
        config.port.description=端口
        config.port.stage=in_stop
        config.port.format=properties
        config.port.target=/opt/app/conf/application.properties
        config.port.file=config/port.change
        """

    @Test("a config task loads with its format, target and the change file's checksum")
    func valid() throws {
        let fixture = try ReleaseFixture(Self.files(Self.task, change: "set server.port = 8081\nremove old.key\n"))
        defer { fixture.remove() }
        let loaded = ReleaseLoader().load(directory: fixture.path)
        #expect(loaded.diagnostics.errors.isEmpty, "\(loaded.diagnostics.errors)")
        let task = try #require(loaded.release.components[0].tasks.first { $0.uid == "port" })
        #expect(task.configFormat == .properties)
        #expect(task.configTarget == .file(path: "/opt/app/conf/application.properties"))
        #expect(task.checksum == SHA256.hex(Array("set server.port = 8081\nremove old.key\n".utf8)))
    }

    @Test("validate reports every bad change-file line as file:line")
    func badChangeFile() throws {
        let fixture = try ReleaseFixture(Self.files(Self.task, change: "set a = 1\nput b = 2\n\nset c 3\n"))
        defer { fixture.remove() }
        let errors = ReleaseLoader().load(directory: fixture.path).diagnostics.errors
        #expect(errors.map(\.location?.line) == [2, 4], "\(errors)")
        #expect(errors.allSatisfy { $0.code == .configChange && $0.location?.file.hasSuffix("V1.0.1/config/port.change") == true })
    }

    @Test("format and target are required and checked; a Nacos target is accepted")
    func fields() throws {
        let bad = Self.task.replacingOccurrences(of: "format=properties", with: "format=toml")
            .replacingOccurrences(of: "target=/opt/app/conf/application.properties", with: "target=conf/app.properties")
        let fixture = try ReleaseFixture(Self.files(bad, change: ""))
        defer { fixture.remove() }
        let errors = ReleaseLoader().load(directory: fixture.path).diagnostics.errors
        #expect(errors.contains { $0.location?.key == "config.port.format" && $0.description.contains("properties, yaml, flink, file or nginx") }, "\(errors)")
        #expect(errors.contains { $0.location?.key == "config.port.target" && $0.description.contains("nacos:<group>/<dataId>") }, "\(errors)")

        let missing = Self.task.split(separator: "\n").filter { !$0.contains(".format=") && !$0.contains(".target=") }.joined(separator: "\n")
        let second = try ReleaseFixture(Self.files(missing, change: ""))
        defer { second.remove() }
        let missingErrors = ReleaseLoader().load(directory: second.path).diagnostics.errors.map(\.message)
        #expect(missingErrors.contains("missing key 'config.port.format'") && missingErrors.contains("missing key 'config.port.target'"), "\(missingErrors)")

        let nacos = Self.task.replacingOccurrences(of: "target=/opt/app/conf/application.properties", with: "target=nacos:DEFAULT_GROUP/app.yaml")
            .replacingOccurrences(of: "format=properties", with: "format=yaml")
        let third = try ReleaseFixture(Self.files(nacos, change: "set a.b = 1\n"))
        defer { third.remove() }
        let loaded = ReleaseLoader().load(directory: third.path)
        #expect(loaded.diagnostics.errors.isEmpty, "\(loaded.diagnostics.errors)")
        #expect(loaded.release.components[0].tasks.first { $0.uid == "port" }?.configTarget == .nacos(group: "DEFAULT_GROUP", dataId: "app.yaml"))
    }

    @Test("issue 18: a target below the service's install directory is accepted; one leaving it or without the slash is not")
    func installDirTarget() {
        #expect(ConfigTarget("{install_dir}/conf/orders.properties") == .file(path: "{install_dir}/conf/orders.properties"))
        #expect(ConfigTarget.belowInstallDir("{install_dir}/conf/orders.properties") == "conf/orders.properties")
        #expect(ConfigTarget.belowInstallDir("/opt/app/conf/a.properties") == nil)
        for bad in ["{install_dir}/../etc/passwd", "{install_dir}conf/a", "{install_dir}/", "{install_dir}", "{host}/conf/a"] {
            #expect(ConfigTarget(bad) == nil, "\(bad)")
        }
    }
}
