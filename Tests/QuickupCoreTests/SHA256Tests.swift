import Foundation
import QuickupTestSupport
import Testing
@testable import QuickupCore

@Suite("SHA-256 (M7)")
struct SHA256Tests {
    @Test("FIPS 180-4 vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func vectors(input: String, digest: String) {
        #expect(SHA256.hex(Array(input.utf8)) == digest)
    }

    @Test("fed in pieces of any size, it gives the digest of the whole (the tail is kept between updates)",
          arguments: [1, 3, 55, 56, 63, 64, 65, 127])
    func pieces(size: Int) {
        let whole = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000] {
            let input = Array(whole.prefix(length))
            var hasher = SHA256()
            var start = 0
            while start < input.count {
                hasher.update(input[start..<min(start + size, input.count)])
                start += size
            }
            #expect(hasher.finalizeHex() == SHA256.hex(input), "length \(length), pieces of \(size)")
            var bytes = SHA256()
            bytes.update(input)
            #expect(bytes.finalize().map { String(format: "%02x", $0) }.joined() == SHA256.hex(input))
        }
    }

    @Test("agrees with sha256sum on lengths around block boundaries")
    func agreesWithCoreutils() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qu-sha-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SystemRandomNumberGenerator()
        for length in [1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 100_003] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let file = dir.appendingPathComponent("f\(length)")
            try Data(bytes).write(to: file)
            let output = try ChildProcess.run(["sha256sum", file.path]).stdout
            #expect(output.hasPrefix(SHA256.hex(bytes)), "length \(length)")
        }
    }
}
