import Foundation
import QuickupRelease
import QuickupTestSupport
import Testing

/// H1 "upload a plugin": `POST /v1/releases/{id}/plugins` through real HTTP against `quickup serve`.
@Suite("API: plugin upload (H1)", .timeLimit(.minutes(10)))
struct PluginUploadTests {
    /// A plugin folder: component `app` with one task more than the base release, and a new
    /// component `gps`; packed by quickup's packer.
    static func plugin(_ tree: TemporaryTree) throws -> String {
        try tree.write("plugin/app/component.yaml", "datasources:\n  - name: db\n    type: sqlite\n")
        try tree.write("plugin/app/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties", """
            sql.a.id=A
            sql.a.description=create
            sql.a.file=sql/a.sql
            sql.a.stage=pre_stop
            sql.d.id=D
            sql.d.description=added by the plugin
            sql.d.file=sql/d.sql
            sql.d.stage=pre_stop
            sql.d.depends=a
            """)
        try tree.write("plugin/app/upgrade/V1.0.1/sql/a.sql", "CREATE TABLE t (x INT);")
        try tree.write("plugin/app/upgrade/V1.0.1/sql/d.sql", "INSERT INTO t VALUES (4);")
        try tree.write("plugin/gps/component.yaml", "datasources:\n  - name: db\n    type: sqlite\n")
        try tree.write("plugin/gps/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties", """
            sql.g.id=G
            sql.g.description=gps table
            sql.g.file=sql/g.sql
            sql.g.stage=post_start
            """)
        try tree.write("plugin/gps/upgrade/V1.0.1/sql/g.sql", "CREATE TABLE g (x INT);")
        let zip = "\(tree.path)/plugin-\(UUID().uuidString.prefix(8)).zip"
        _ = try ReleasePacker().pack(directory: "\(tree.path)/plugin", to: zip)
        return zip
    }

    static func upload(_ server: ServeProcess, base: String, _ zip: String) async throws -> ServeProcess.Answer {
        try await server.call(.POST, "/v1/releases/\(base)/plugins", body: try Data(contentsOf: URL(fileURLWithPath: zip)), contentType: "application/zip")
    }

    /// Task uids the plan of `release` holds, via the API.
    static func planned(_ server: ServeProcess, _ release: String, env: String) async throws -> String {
        let plan = try await server.call(.POST, "/v1/plans", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1"])
        try #require(plan.status == 200, "\(plan.text)")
        return plan.text
    }

    @Test("a plugin's components replace and join the base release's: a new release with them; the base is unchanged")
    func merges() async throws {
        let tree = try TemporaryTree("qu-api-plugin")
        defer { tree.remove() }
        let (zip, env) = try APIRelease.sqlite(tree)
        let server = try ServeProcess(in: tree)
        defer { server.stop() }
        let base = try await APIRelease.upload(server, zip)
        let answer = try await Self.upload(server, base: base, try Self.plugin(tree))
        #expect(answer.status == 201, "\(answer.text)")
        let body = try answer.json()
        let release = try #require((body["release"] as? [String: Any])?["id"] as? String, "\(answer.text)")
        #expect(release != base && body["base"] as? String == base)
        #expect(body["components"] as? [String] == ["app", "gps"] && body["replaced"] as? [String] == ["app"], "\(answer.text)")

        let merged = try await Self.planned(server, release, env: env)
        #expect(merged.contains("sql.d") && merged.contains("sql.g") && !merged.contains("sql.b"), "the plugin's app replaced the base's: \(merged)")
        let before = try await Self.planned(server, base, env: env)
        #expect(before.contains("sql.b") && !before.contains("sql.d") && !before.contains("sql.g"), "the base release changed: \(before)")
        let listed = try await server.call(.GET, "/v1/releases").json()["releases"] as? [[String: Any]] ?? []
        #expect(Set(listed.compactMap { $0["id"] as? String }) == [base, release])

        // The new release runs: the plugin's task D after the base's A, through the API.
        let started = try await server.call(.POST, "/v1/runs", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1", "stage": "pre_stop"])
        let runID = try #require(try started.json()["runId"] as? String, "\(started.text)")
        let ended = try await server.waitForEnd(runID)
        #expect(ended["status"] as? String == "succeeded", "\(ended)")
        #expect(try UpgradeAPITests.rows(tree) == 1)
    }

    @Test("bad plugins: unknown or invalid base, a merge the release refuses (named in its own paths), zip-slip — refused, nothing kept")
    func refuses() async throws {
        let tree = try TemporaryTree("qu-api-plugin-bad")
        defer { tree.remove() }
        let (zip, _) = try APIRelease.sqlite(tree)
        let server = try ServeProcess(in: tree)
        defer { server.stop() }
        let base = try await APIRelease.upload(server, zip)
        let good = try Self.plugin(tree)

        let unknown = try await Self.upload(server, base: "0123456789abcdef", good)
        #expect(unknown.status == 404, "\(unknown.text)")
        let invalid = try await Self.upload(server, base: "..%2F..%2Fetc", good)
        #expect(invalid.status == 400, "\(invalid.text)")

        // Valid alone, invalid merged: the base release lists its components, and gps is not among them.
        try tree.write("release/release.yaml", "name: api-test\ncomponents: [app]\n")
        let listing = "\(tree.path)/listing.zip"
        _ = try ReleasePacker().pack(directory: "\(tree.path)/release", to: listing)
        let listingBase = try await APIRelease.upload(server, listing)
        let merged = try await Self.upload(server, base: listingBase, good)
        #expect(merged.status == 400 && merged.text.contains("'gps' is not listed in release.yaml components"), "\(merged.text)")
        #expect(!merged.text.contains(".plugin-") && !merged.text.contains(server.state), "the store's working folder is named: \(merged.text)")

        let junk = try await server.call(.POST, "/v1/releases/\(base)/plugins", body: Data("not a zip".utf8), contentType: "application/zip")
        let junkFile = try junk.json()["file"] as? String
        #expect(junk.status == 400 && junkFile == "the uploaded zip" && !junk.text.contains(".upload-"), "\(junk.text)")

        let slip = "\(tree.path)/slip.zip"
        try ZipSurgery.rewrite(good, to: slip, [.add("../escaped.txt", "x")])
        let escaped = try await Self.upload(server, base: base, slip)
        #expect(escaped.status == 400 && escaped.text.contains("release_archive_invalid"), "\(escaped.text)")
        #expect(!FileManager.default.fileExists(atPath: "\(server.state)/../escaped.txt"))

        let listed = try await server.call(.GET, "/v1/releases").json()["releases"] as? [[String: Any]] ?? []
        #expect(Set(listed.compactMap { $0["id"] as? String }) == [base, listingBase], "a refused plugin was kept: \(listed)")
        let store = try FileManager.default.subpathsOfDirectory(atPath: server.state)
        #expect(!store.contains { $0.contains(".plugin-") || $0.contains(".upload-") }, "leftovers: \(store.filter { $0.contains(".") })")
    }
}
