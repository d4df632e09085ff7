import Foundation
import QuickupCore
@testable import QuickupRelease
import QuickupTestSupport
import Testing
import ZIPFoundation

/// R1: `quickup pack` zips and how every `--release` reads them.
@Suite("Release zips (R1)")
struct ReleaseArchiveTests {
    /// A valid release with litter that must not be shipped and an executable tool.
    static func fixture() throws -> ReleaseFixture {
        var files = ReleaseFixture.validFiles
        files["base/upgrade/V1.0.1/sql/__pycache__/x.cpython-311.pyc"] = "litter"
        files["base/upgrade/V1.0.1/helper.pyc"] = "litter"
        files[".DS_Store"] = "litter"
        files["base/upgrade/V1.0.1/tools/run.sh"] = "#!/bin/sh\necho ok\n"
        files["base/upgrade/V1.0.1/notes/说明.txt"] = "中文说明\n"
        return try ReleaseFixture(files)
    }

    func scratch() throws -> TemporaryTree { try TemporaryTree("quickup-zip") }

    @Test("packing twice gives identical bytes; litter is left out; the manifest lists every file's SHA-256")
    func deterministic() throws {
        let release = try Self.fixture()
        defer { release.remove() }
        let out = try scratch()
        defer { out.remove() }
        let first = try ReleasePacker().pack(directory: release.path, to: "\(out.path)/a.zip")
        // New modification times and a new inode for every file must not change the zip.
        Thread.sleep(forTimeInterval: 1.1)
        for (path, content) in ReleaseFixture.validFiles { try release.write(path, content) }
        _ = try ReleasePacker().pack(directory: release.path, to: "\(out.path)/b.zip")
        let a = try Data(contentsOf: URL(fileURLWithPath: "\(out.path)/a.zip"))
        let b = try Data(contentsOf: URL(fileURLWithPath: "\(out.path)/b.zip"))
        #expect(a == b)
        let names = try ZipSurgery.names("\(out.path)/a.zip")
        #expect(!names.contains { $0.hasSuffix(".pyc") || $0.contains("__pycache__") || $0.hasSuffix(".DS_Store") })
        #expect(names.last == ReleaseManifest.path)
        #expect(Array(names.dropLast()) == names.dropLast().sorted())
        let manifest = first.manifest
        #expect(manifest.release.name == "tiny" && manifest.release.versions == ["V1.0.1"])
        #expect(Set(manifest.files.keys) == Set(names.dropLast()))
        let sql = try #require(manifest.files["base/upgrade/V1.0.1/sql/a.sql"])
        #expect(sql.sha256 == SHA256.hex(Array("CREATE TABLE a (id INT);\n".utf8)) && sql.size == 25)
    }

    @Test("an invalid release is not packed: every file:line diagnostic, no zip")
    func invalid() throws {
        let release = try Self.fixture()
        defer { release.remove() }
        try release.write("base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties", "sql.a.id=A\nsql.a.stage=soon\n")
        let out = try scratch()
        defer { out.remove() }
        let error = #expect(throws: QuickupErrors.self) { try ReleasePacker().pack(directory: release.path, to: "\(out.path)/r.zip") }
        #expect(error?.description.contains("upgrade_tasks_V1.0.1.properties:2: sql.a.stage: invalid value 'soon'") == true)
        #expect(!FileManager.default.fileExists(atPath: "\(out.path)/r.zip"))
    }

    @Test("a zip is extracted once per SHA-256, verified, reused, and re-extracted when the copy was changed")
    func cache() throws {
        let release = try Self.fixture()
        defer { release.remove() }
        let out = try scratch()
        defer { out.remove() }
        let zip = "\(out.path)/r.zip"
        _ = try ReleasePacker().pack(directory: release.path, to: zip)
        let cache = ReleaseCache(root: "\(out.path)/cache")
        let directory = try cache.directory(for: zip)
        #expect(directory.hasSuffix("/tiny"))
        #expect(FileManager.default.contents(atPath: "\(directory)/base/upgrade/V1.0.1/notes/说明.txt") == Data("中文说明\n".utf8))
        #expect(FileManager.default.isExecutableFile(atPath: "\(directory)/base/upgrade/V1.0.1/tools/run.sh"))
        #expect(!FileManager.default.isExecutableFile(atPath: "\(directory)/base/upgrade/V1.0.1/sql/a.sql"))
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/\(ReleaseManifest.path)"))
        let inode = try FileManager.default.attributesOfItem(atPath: "\(directory)/base/component.yaml")[.systemFileNumber] as? Int
        #expect(try cache.directory(for: zip) == directory)
        #expect(try FileManager.default.attributesOfItem(atPath: "\(directory)/base/component.yaml")[.systemFileNumber] as? Int == inode)
        // Something wrote into the extracted copy: it no longer matches, so it is extracted afresh.
        try Data("planted".utf8).write(to: URL(fileURLWithPath: "\(directory)/base/upgrade/V1.0.1/sql/planted.sql"))
        try Data("DROP TABLE a;\n".utf8).write(to: URL(fileURLWithPath: "\(directory)/base/upgrade/V1.0.1/sql/a.sql"))
        #expect(try cache.directory(for: zip) == directory)
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/base/upgrade/V1.0.1/sql/planted.sql"))
        #expect(FileManager.default.contents(atPath: "\(directory)/base/upgrade/V1.0.1/sql/a.sql") == Data("CREATE TABLE a (id INT);\n".utf8))
        let workspace = try Workspace.open(release: zip, cache: cache)
        #expect(workspace.release.taskCount == 2 && workspace.releaseRoot == directory)
    }

    /// Packs the fixture, applies `operations` with Python's zipfile and returns the refusal.
    func refusal(_ operations: [ZipSurgery.Operation], limits: ArchiveLimits = .default) throws -> QuickupErrors? {
        let release = try Self.fixture()
        defer { release.remove() }
        let out = try scratch()
        defer { out.remove() }
        _ = try ReleasePacker().pack(directory: release.path, to: "\(out.path)/good.zip")
        try ZipSurgery.rewrite("\(out.path)/good.zip", to: "\(out.path)/bad.zip", operations)
        let cache = ReleaseCache(root: "\(out.path)/cache", limits: limits)
        let error = #expect(throws: QuickupErrors.self) { try cache.directory(for: "\(out.path)/bad.zip") }
        // Nothing half-checked is left for a later run to pick up.
        let left = (try? FileManager.default.contentsOfDirectory(atPath: "\(out.path)/cache")) ?? []
        #expect(left.isEmpty, "\(left)")
        #expect(error?.errors.allSatisfy { $0.isInvalidInput } == true)
        return error
    }

    @Test("a changed byte, an extra, a missing file and a missing manifest are refused, naming the file")
    func tampered() throws {
        let sql = "base/upgrade/V1.0.1/sql/a.sql"
        let flipped = try #require(try refusal([.flipByte(sql)]))
        let expected = SHA256.hex(Array("CREATE TABLE a (id INT);\n".utf8))
        let actual = SHA256.hex(Array("BREATE TABLE a (id INT);\n".utf8))
        #expect(flipped.description.contains("bad.zip: \(sql): checksum mismatch: expected SHA-256 \(expected) (25 bytes), found \(actual) (25 bytes)"),
                "\(flipped)")
        #expect(flipped.description.contains("fetch the release zip again"))
        let extra = try #require(try refusal([.add("base/upgrade/V1.0.1/sql/extra.sql", "DROP TABLE a;")]))
        #expect(extra.description.contains("base/upgrade/V1.0.1/sql/extra.sql: file is not listed in QUICKUP-MANIFEST.json"), "\(extra)")
        let missing = try #require(try refusal([.drop(sql)]))
        #expect(missing.description.contains("\(sql): listed in QUICKUP-MANIFEST.json but missing from the zip"), "\(missing)")
        let noManifest = try #require(try refusal([.drop(ReleaseManifest.path)]))
        #expect(noManifest.description.contains("the zip has no QUICKUP-MANIFEST.json"), "\(noManifest)")
    }

    @Test("unsafe entries are refused before anything is written: ../, absolute, duplicate, symlink")
    func unsafeNames() throws {
        let parent = try #require(try refusal([.add("../evil", "x")]))
        #expect(parent.description.contains("bad.zip: ../evil: entry contains '..'"), "\(parent)")
        let nested = try #require(try refusal([.add("base/../../evil", "x")]))
        #expect(nested.description.contains("base/../../evil: entry contains '..'"))
        let absolute = try #require(try refusal([.add("/tmp/evil", "x")]))
        #expect(absolute.description.contains("/tmp/evil: entry is an absolute path"), "\(absolute)")
        let duplicate = try #require(try refusal([.add("base/component.yaml", "plugin_class: core\n")]))
        #expect(duplicate.description.contains("base/component.yaml: duplicate entry"), "\(duplicate)")
        let link = try #require(try refusal([.symlink("base/link", target: "/etc/passwd")]))
        #expect(link.description.contains("base/link: entry is a symbolic link"), "\(link)")
        #expect(!FileManager.default.fileExists(atPath: FileManager.default.temporaryDirectory.appendingPathComponent("evil").path))
    }

    @Test("zip bombs: too large when declared, too compressed, and inflating past what the entry declares")
    func bombs() throws {
        let zeros = ZipSurgery.Operation.addZeros("base/zeros.bin", 3 << 20)
        let small = ArchiveLimits(maxTotalBytes: 2 << 20)
        let declared = try #require(try refusal([zeros], limits: small))
        #expect(declared.description.contains("unpacks to") && declared.description.contains("possible zip bomb"), "\(declared)")
        let ratio = try #require(try refusal([zeros], limits: ArchiveLimits(maxCompressionRatio: 100)))
        #expect(ratio.description.contains("base/zeros.bin: entry inflates") && ratio.description.contains("possible zip bomb"), "\(ratio)")
        let lying = try #require(try refusal([zeros, .declareSize("base/zeros.bin", 10)], limits: small))
        #expect(lying.description.contains("base/zeros.bin: the zip inflates past the limit"), "\(lying)")
    }

    @Test("entry names: what is safe and why the rest is not")
    func names() {
        #expect(ArchiveEntryName.problem("base/upgrade/V1.0.1/sql/a.sql") == nil)
        #expect(ArchiveEntryName.problem("base/") == nil)
        #expect(ArchiveEntryName.problem("") == .empty)
        #expect(ArchiveEntryName.problem("/etc/passwd") == .absolute)
        #expect(ArchiveEntryName.problem("C:/x") == .absolute)
        #expect(ArchiveEntryName.problem("a/../../b") == .parentReference)
        #expect(ArchiveEntryName.problem("..") == .parentReference)
        #expect(ArchiveEntryName.problem("./a") == .dotSegment)
        #expect(ArchiveEntryName.problem("a//b") == .emptySegment)
        #expect(ArchiveEntryName.problem("a\\..\\b") == .backslash)
        #expect(ArchiveEntryName.problem("a\nb") == .controlCharacter)
    }
}

/// The one-pass zip writer behind `quickup pack`, checked against Python's zipfile and ZIPFoundation.
@Suite("Zip writer (R1)")
struct ZipStreamWriterTests {
    @Test("more than 65,535 entries: ZIP64 end records that Python and ZIPFoundation both read")
    func manyEntries() throws {
        let tree = try TemporaryTree("quickup-zip64")
        defer { tree.remove() }
        let path = "\(tree.path)/many.zip"
        let zip = try ZipStreamWriter(path: path)
        let count = 70_000
        for index in 0..<count {
            let data = Data("entry \(index)\n".utf8)
            var done = false
            _ = try zip.addFile("d\(index % 100)/f\(index).txt", permissions: index == 7 ? 0o755 : 0o644, size: Int64(data.count)) { _ in
                defer { done = true }
                return done ? Data() : data
            }
        }
        try zip.finish()
        let names = try ZipSurgery.names(path)
        #expect(names.count == count && names[69_999] == "d99/f69999.txt")
        let entries = Array(try Archive(url: URL(fileURLWithPath: path), accessMode: .read))
        #expect(entries.count == count)
        var text = Data()
        _ = try Archive(url: URL(fileURLWithPath: path), accessMode: .read).extract(entries[69_999]) { text.append($0) }
        #expect(String(decoding: text, as: UTF8.self) == "entry 69999\n")
        #expect((entries[7].fileAttributes[.posixPermissions] as? NSNumber)?.uint16Value == 0o755)
    }

    @Test("empty and multi-chunk files survive the round trip with their CRC checked by Python; also through every ZIP64 field",
          arguments: [0, 1, 2])
    func sizes(zip64Fields: Int) throws {
        let tree = try TemporaryTree("quickup-zipsizes")
        defer { tree.remove() }
        let path = "\(tree.path)/sizes.zip"
        // Small thresholds send every size and offset through the ZIP64 fields a > 4 GiB release needs
        // (not offset 0: ZIPFoundation reads a zero in a ZIP64 field as absent, and a real one never is).
        let zip = switch zip64Fields {
        case 1: try ZipStreamWriter(path: path, largeEntry: 0)
        case 2: try ZipStreamWriter(path: path, largeEntry: 0, overflow: 1)
        default: try ZipStreamWriter(path: path)
        }
        let big = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) })
        for (name, data) in [("empty", Data()), ("big.bin", big), ("small", Data("x".utf8))] {
            var position = 0
            _ = try zip.addFile(name, permissions: 0o644, size: Int64(data.count)) { wanted in
                let slice = data.subdata(in: position..<min(position + wanted, data.count))
                position += slice.count
                return slice
            }
        }
        try zip.finish()
        let process = try ChildProcess.run(["python3", "-c", "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(len(z.read('empty')), len(z.read('big.bin')))", path])
        let printed = process.stdout
        #expect(process.status == 0 && printed == "0 300000\n", "\(printed)")
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        let entry = try #require(archive["big.bin"], "\(Array(archive).map(\.path))")
        var read = Data()
        _ = try archive.extract(entry) { read.append($0) }
        #expect(read == big)
    }
}
