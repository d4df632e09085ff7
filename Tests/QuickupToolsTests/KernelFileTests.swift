import Foundation
import QuickupCore
import Testing
@testable import QuickupTools

/// Issue 20.2: cgroup controls and /proc files read and written with one call each. What a
/// limit-setting or a group listing relies on: the whole text, however many reads it takes; a
/// write that fails names the file and the reason; nothing created where nothing existed.
@Suite("Kernel files (issue 20.2, T3)")
struct KernelFileTests {
    @Test("a file longer than one read comes back whole, byte for byte")
    func readsEverything() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // cgroup.procs of a big group: thousands of pids, more than one 4 KiB read.
        let text = (1...3000).map { "\($0 * 7919)\n" }.joined()
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(directory)/cgroup.procs"))
        #expect(KernelFile.read("\(directory)/cgroup.procs") == text)
        #expect(KernelFile.read("/proc/\(getpid())/stat")?.hasPrefix("\(getpid()) (") == true)
        #expect(KernelFile.read("\(directory)/absent") == nil)
    }

    @Test("a write replaces the value; a file that cannot be opened is an error naming it")
    func writesOrSaysWhy() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/memory.limit_in_bytes"
        try Data("9223372036854771712".utf8).write(to: URL(fileURLWithPath: path))
        try KernelFile.write("268435456", to: path)
        #expect(KernelFile.read(path) == "268435456")

        let missing = "\(directory)/gone/pids.max"
        let error = #expect(throws: QuickupError.self) { try KernelFile.write("64", to: missing) }
        #expect(error?.message.contains(missing) == true)
        #expect(error?.message.contains("No such file or directory") == true)
        #expect(!FileManager.default.fileExists(atPath: missing))

        try KernelFile.makeDirectory("\(directory)/group")
        #expect(throws: QuickupError.self) { try KernelFile.makeDirectory("\(directory)/group") }
        #expect(throws: QuickupError.self) { try KernelFile.makeDirectory("\(directory)/no/parent") }
    }

    private static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "quickup-kernel-file-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }
}
