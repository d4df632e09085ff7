import Foundation
import QuickupCore
import Testing
@testable import QuickupRelease

/// `ReleaseFiles.resolve` takes a short way for a plain `dir/name` in a folder it has already
/// walked (P5, issue 20 item 1); every answer must be the one the long way gives.
@Suite("Release files: resolve's short way equals the long way (P5)")
struct ResolveFastPathTests {
    static let base = "base/upgrade/V1.0.1"
    static let references = [
        "sql/a.sql", "sql/b.sql", "sql/missing.sql", "sql", "sql/", "./sql/a.sql", "sql/./a.sql", "sql//a.sql",
        "sql/../sql/a.sql", "../V1.0.1/sql/a.sql", "../../../../x", "/etc/hostname", "sql/link.sql", "sql/inside.sql",
        "linked/a.sql", "outside/hostname", "a.sql", "", ".", "..", "sql/.", "sql/..", "...", "sql/...", ".hidden/x.sql",
    ]

    @Test("every reference resolves the same in a fresh and in a warmed-up ReleaseFiles")
    func sameAnswers() throws {
        var files = ReleaseFixture.validFiles
        files["\(Self.base)/.hidden/x.sql"] = "SELECT 1;\n"
        files["\(Self.base)/.../b.sql"] = "SELECT 1;\n"
        let fixture = try ReleaseFixture(files)
        defer { fixture.remove() }
        let root = fixture.path + "/" + Self.base
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: root + "/sql/link.sql", withDestinationPath: "/etc/hostname")
        try fm.createSymbolicLink(atPath: root + "/sql/inside.sql", withDestinationPath: "a.sql")
        try fm.createSymbolicLink(atPath: root + "/linked", withDestinationPath: "sql")
        try fm.createSymbolicLink(atPath: root + "/outside", withDestinationPath: "/etc")
        let warm = try #require(ReleaseFiles(root: fixture.path))
        for reference in Self.references { _ = warm.resolve(reference, from: Self.base) }
        for reference in Self.references {
            let fresh = try #require(ReleaseFiles(root: fixture.path))
            let expected = fresh.resolve(reference, from: Self.base)
            #expect(warm.resolve(reference, from: Self.base) == expected, "\(reference)")
        }
        // What the short way hands on (the entry's kind, its folder) reads and checks the file
        // as its path does, on the second lookup of each folder too.
        for reference in Self.references + Self.references {
            guard case .success(let file) = warm.resolveFile(reference, from: Self.base) else { continue }
            #expect(warm.isDirectory(file) == warm.isDirectory(file.path), "\(reference)")
            #expect(warm.read(file) == warm.read(file.path), "\(reference)")
        }
        #expect(warm.read(try #require(try? warm.resolveFile("sql/a.sql", from: Self.base).get())) != nil)
        #expect(warm.resolve("sql/a.sql", from: Self.base) == .success("\(Self.base)/sql/a.sql"))
        #expect(warm.resolve("sql/link.sql", from: Self.base) == .failure(.escapes))
        #expect(warm.resolve("outside/hostname", from: Self.base) == .failure(.escapes))
    }
}
