import Foundation
import QuickupTestSupport
import Testing

/// `POST /v1/releases` checks a zip exactly as `--release` does (R1 through H1, issue 17): a
/// tampered, truncated, escaping, absolute-path, bomb or over-size upload is a 4xx with a clear
/// message, and nothing is written outside the release store — nor kept inside it.
@Suite("HTTP API release uploads (R1, H1, issue 17)", .serialized)
struct UploadSafetyTests {
    @Test("hostile and broken uploads → 4xx with the reason; only the good release is kept; nothing lands outside the store")
    func hostileUploads() async throws {
        let tree = try TemporaryTree("qu-api-upload")
        defer { tree.remove() }
        let (zip, _) = try APIRelease.sqlite(tree)
        let outside = "qu-api-evil-\(UUID().uuidString.prefix(8))"
        let absolute = "/tmp/\(outside)-abs"
        var bad: [(String, Data, String)] = []
        func surgery(_ name: String, _ operations: [ZipSurgery.Operation]) throws -> Data {
            let path = "\(tree.path)/\(name).zip"
            try ZipSurgery.rewrite(zip, to: path, operations)
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
        let good = try Data(contentsOf: URL(fileURLWithPath: zip))
        let entry = try #require(try ZipSurgery.names(zip).first { $0.hasSuffix("a.sql") })
        bad.append(("tampered", try surgery("tampered", [.flipByte(entry)]), "checksum"))
        bad.append(("truncated", good.prefix(good.count / 2), "zip"))
        bad.append(("parent path", try surgery("escape", [.add("../../\(outside)", "x")]), ".."))
        bad.append(("absolute path", try surgery("absolute", [.add(absolute, "x")]), "absolute"))
        bad.append(("zip bomb", try surgery("bomb", [.addZeros("app/zeros.bin", 64 << 20)]), "zip bomb"))
        bad.append(("not a zip", Data("hello".utf8), "zip"))

        let server = try ServeProcess(in: tree, extra: ["--max-upload-bytes", String(good.count + 400_000)])
        defer { server.stop() }
        for (name, data, reason) in bad {
            let answer = try await server.call(.POST, "/v1/releases", body: data, contentType: "application/zip")
            #expect((400..<500).contains(answer.status), "\(name): \(answer.status) \(answer.text)")
            let body = try answer.json()
            #expect(body["code"] is String && (body["message"] as? String ?? "").localizedCaseInsensitiveContains(reason)
                    || (body["errors"] as? [[String: Any]] ?? []).contains { ($0["message"] as? String ?? "").localizedCaseInsensitiveContains(reason) },
                    "\(name): \(answer.text)")
        }
        let oversize = try await server.call(.POST, "/v1/releases", body: good + Data(count: 500_000), contentType: "application/zip")
        #expect(try oversize.status == 413 && (oversize.json()["code"] as? String) == "too_large", "\(oversize.text)")
        let empty = try await server.call(.POST, "/v1/releases", body: Data(), contentType: "application/zip")
        #expect(empty.status == 400, "\(empty.text)")

        let before = try await server.call(.GET, "/v1/releases").json()["releases"] as? [Any]
        #expect(before?.isEmpty == true, "a refused upload was kept: \(String(describing: before))")
        let id = try await APIRelease.upload(server, zip)
        let listed = try await server.call(.GET, "/v1/releases").json()["releases"] as? [[String: Any]]
        #expect(listed?.map { $0["id"] as? String } == [id])
        let store = "\(server.state)/release-store"
        let kept = try FileManager.default.contentsOfDirectory(atPath: "\(store)/zips").sorted()
        #expect(kept == ["\(id).json", "\(id).zip"], "only the good release is in the store: \(kept)")
        let slots = try FileManager.default.contentsOfDirectory(atPath: "\(store)/extracted").filter { !$0.hasPrefix(".") }
        #expect(slots.count == 1, "\(slots)")
        for path in [absolute, "\(tree.path)/\(outside)", "\(server.state)/\(outside)", "\(store)/\(outside)", "/tmp/\(outside)"] {
            #expect(!FileManager.default.fileExists(atPath: path), "\(path) was written")
        }
    }
}
