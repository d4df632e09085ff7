import Foundation
import QuickupTestSupport
import Testing
@testable import QuickupData

/// F3 and the secrets rule: the mariadb clients' private option files (they hold the password)
/// left by a quickup killed with kill -9 are removed by the next quickup that writes one.
@Suite("MariaDB client option files left by a killed quickup")
struct ClientDefaultsFilesTests {
    @Test("files of a process that is gone are removed; this process's, other names and other shapes stay")
    func removesOnlyTheStale() throws {
        let tree = try TemporaryTree("qu-cnf")
        defer { tree.remove() }
        let ended = try ChildProcess.start(["/bin/true"])
        ended.wait()  // reaped: its pid names no process now
        let stale = ClientDefaultsFiles.name(in: tree.path, pid: ended.pid)
        let live = ClientDefaultsFiles.name(in: tree.path)
        let other = "\(tree.path)/my-client.cnf"
        let notAnOptionFile = "\(tree.path)/\(ClientDefaultsFiles.prefix)\(ended.pid)-notes.txt"
        for path in [stale, live, other, notAnOptionFile] {
            try "[client]\npassword=\"canary\"\n".write(toFile: path, atomically: false, encoding: .utf8)
        }
        #expect(stale.hasPrefix("\(tree.path)/quickup-client-\(ended.pid)-") && stale.hasSuffix(".cnf"))
        let removed = ClientDefaultsFiles.removeStale(in: tree.path)
        #expect(removed == [stale])
        #expect(!FileManager.default.fileExists(atPath: stale))
        for path in [live, other, notAnOptionFile] { #expect(FileManager.default.fileExists(atPath: path), "\(path)") }
    }
}
