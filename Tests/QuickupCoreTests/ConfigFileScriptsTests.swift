import Foundation
import QuickupTestSupport
import QuickupCore
import Testing

/// K1/F3: the host-side scripts of a config task, run by a real `sh` on real files: install
/// keeps mode and the previous bytes, a re-run after a crash does not back up its own result,
/// and restore gives back the original byte for byte (or removes a file that was not there).
@Suite("Config: host scripts install and restore")
struct ConfigFileScriptsTests {
    func sh(_ script: String) throws -> Int32 {
        try ChildProcess.run(["/bin/sh", "-c", script]).status
    }

    @Test("install, re-run, restore: original bytes and mode come back")
    func roundTrip() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quickup-config-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("conf"), withIntermediateDirectories: true)
        let target = root.appendingPathComponent("conf/app's.properties").path
        let backup = root.appendingPathComponent("state/backups/run1/base/config.port").path
        let original: [UInt8] = Array("# keep\r\nserver.port=8080\r\n".utf8) + [0xE9, 0x0A]
        try Data(original).write(to: URL(fileURLWithPath: target))
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: target)

        let edited = Array("# keep\r\nserver.port=9090\r\n".utf8)
        #expect(try sh(ConfigFileScripts.install(target: target, backup: backup, content: edited)) == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data(edited))
        #expect(try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int == 0o640)
        // A re-run (after a crash) must not back up its own result.
        #expect(try sh(ConfigFileScripts.install(target: target, backup: backup, content: edited)) == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: backup)) == Data(original))

        #expect(try sh(ConfigFileScripts.restore(target: target, backup: backup)) == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data(original))
        #expect(try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int == 0o640)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("conf").path)
        #expect(leftovers == ["app's.properties"])
    }

    @Test("a file that did not exist is removed again by restore")
    func absentBefore() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quickup-config-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let target = root.appendingPathComponent("nginx/conf.d/new.conf").path
        let backup = root.appendingPathComponent("backups/new.conf").path
        #expect(try sh(ConfigFileScripts.install(target: target, backup: backup, content: Array("server {}\n".utf8))) == 0)
        #expect(FileManager.default.fileExists(atPath: target))
        #expect(try sh(ConfigFileScripts.restore(target: target, backup: backup)) == 0)
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}
