import Foundation
import Testing
@testable import QuickupRelease

/// `DirectoryListing` keeps the folder asked about last at hand (P5, issue 20.1): asking about
/// folders in any order must give each folder's own entries.
@Suite("Directory listing (P5)")
struct DirectoryListingTests {
    @Test("entries of folders asked for in turn are each folder's own")
    func foldersInTurn() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("qu-list-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for (folder, names) in [("a", ["x.sql", "y.sql"]), ("b", ["z.sql"])] {
            let dir = root.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for name in names { try Data("SELECT 1;\n".utf8).write(to: dir.appendingPathComponent(name)) }
        }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("a/sub"), withIntermediateDirectories: true)
        let listing = DirectoryListing()
        let a = root.appendingPathComponent("a").path, b = root.appendingPathComponent("b").path
        for _ in 0..<2 {
            #expect(listing.kind(of: "x.sql", in: a) == .file)
            #expect(listing.kind(of: "sub", in: a) == .directory)
            #expect(listing.kind(of: "x.sql", in: b) == nil)
            #expect(listing.kind(of: "z.sql", in: b) == .file)
            #expect(listing.kind(of: "z.sql", in: a) == nil)
            #expect(listing.entries(of: root.appendingPathComponent("missing").path) == nil)
            #expect(listing.entries(of: a).map { Set($0.keys) } == ["x.sql", "y.sql", "sub"])
        }
    }
}
