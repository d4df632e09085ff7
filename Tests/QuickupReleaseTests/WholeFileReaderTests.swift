import Foundation
import Testing
@testable import QuickupRelease

/// The loader reads every task file through one reused buffer without asking for its size
/// (P5, issue 20.1): whatever the file's size against the buffer's, and whatever its size
/// was said to be, the bytes must be the whole file.
@Suite("Whole-file reader (P5)")
struct WholeFileReaderTests {
    static func bytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }

    @Test("files empty, smaller than, as large as and larger than the buffer",
          arguments: [0, 1, 15, 16, 17, 31, 32, 33, 1000, 100_003])
    func sizes(count: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qu-read-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("f")
        try Data(Self.bytes(count)).write(to: file)
        var small = WholeFileReader(bufferSize: 16)
        // Twice with the same reader: what the buffer held from the first file must not leak into the second.
        #expect(small.readAll(open(file.path, O_RDONLY)) == Self.bytes(count))
        #expect(small.readAll(open(file.path, O_RDONLY)) == Self.bytes(count))
        var standard = WholeFileReader()
        #expect(standard.readAll(open(file.path, O_RDONLY)) == Self.bytes(count))
        #expect(DirectoryListing().readFile("f", in: dir.path) == Self.bytes(count))
        // Told it is a regular file, as the loader is by the directory listing.
        #expect(small.readAll(open(file.path, O_RDONLY), regularFile: true) == Self.bytes(count))
        #expect(standard.readAll(open(file.path, O_RDONLY), regularFile: true) == Self.bytes(count))
        #expect(DirectoryListing().readFile("f", in: dir.path, regularFile: true) == Self.bytes(count))
    }

    /// A regular file's short read is its end, so the read after it — one system call per task
    /// file — is not made (P5, issue 20.1). Seen here through a pipe that would refuse that read:
    /// non-blocking, its writer still open, it answers EAGAIN, and the whole read would fail.
    @Test("told the file is regular, a short read ends it: no read after it")
    func regularFileShortReadEnds() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[1]) }
        #expect(fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK) == 0)
        let content = Self.bytes(100)
        #expect(content.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) } == content.count)
        var reader = WholeFileReader(bufferSize: 64)
        // 64 bytes fill the buffer; the array that follows asks for more and gets 36 — the end.
        #expect(reader.readAll(dup(ends[0]), regularFile: true) == content)
        #expect(content.withUnsafeBytes { write(ends[1], $0.baseAddress, 10) } == 10)
        // Not told: it reads on after the 10 bytes, gets EAGAIN and gives nil.
        #expect(reader.readAll(ends[0]) == nil)
    }

    @Test("a stream whose size says nothing (a pipe: 0) is read to its end")
    func moreThanItsSize() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let content = Self.bytes(5000)
        let written = content.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
        #expect(written == content.count)
        close(ends[1])
        var reader = WholeFileReader(bufferSize: 64)
        #expect(reader.readAll(ends[0]) == content)
    }

    @Test("a file that is not there gives nil")
    func missing() {
        var reader = WholeFileReader()
        #expect(reader.readAll(open("/nonexistent/qu-\(UUID().uuidString)", O_RDONLY)) == nil)
    }
}
