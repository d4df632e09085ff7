import Foundation
import QuickupTestSupport
import Testing

/// R1 through the binary: pack, then validate / plan / run from the zip; damaged zips refused.
@Suite("quickup pack and --release ZIP (R1)")
struct PackCommandTests {
    /// The demo's env.yaml: its database, and one local host for its config task (issue 18).
    static func demoEnvironment(_ root: String) -> String {
        """
        site: DEMO
        datasources:
          shop_db: {type: sqlite, path: shop.db}
        hosts:
          - {name: node0, kind: local, state_dir: \(root)/hosts/node0/quickup, components: [orders]}
        services:
          orders:
            start: exec true
            process_match: demo-service-node0
            port: 1
            install_dir: \(root)/hosts/{host}/orders

        """
    }

    func pack(_ release: String, into tree: TemporaryTree, name: String = "release.zip") throws -> String {
        let zip = "\(tree.path)/\(name)"
        let result = try CLI.run(["pack", release, "-o", zip])
        #expect(result.status == 0, "\(result.stderr)")
        return zip
    }

    @Test("pack, then validate and plan from the zip give what the directory gives; packing twice gives the same bytes")
    func packThenPlan() throws {
        let tree = try TemporaryTree("quickup-pack")
        defer { tree.remove() }
        let zip = try pack("examples/release", into: tree)
        let again = try CLI.run(["pack", "examples/release", "-o", "\(tree.path)/again.zip", "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(FileManager.default.contents(atPath: zip) == FileManager.default.contents(atPath: "\(tree.path)/again.zip"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(report["files"] as? Int == 32)
        #expect((report["sha256"] as? String)?.count == 64)
        let valid = try CLI.run(["validate", "--release", zip])
        #expect(valid.status == 0 && valid.stdout.contains("Release smartpark-platform is valid: 3 components, 15 tasks"), "\(valid.stderr)")
        let fromZip = try CLI.run(["plan", "--release", zip, "--from", "V2.16.7", "--to", "V2.17.0", "--site", "SITE-A"])
        let fromDir = try CLI.run(["plan", "--release", "examples/release", "--from", "V2.16.7", "--to", "V2.17.0", "--site", "SITE-A"])
        #expect(fromZip.status == 0, "\(fromZip.stderr)")
        #expect(fromZip.stdout == fromDir.stdout)
    }

    @Test("run --release ZIP on SQLite: extracted under the state directory once, reused by the next run; assess and resume too")
    func runFromZip() throws {
        let tree = try TemporaryTree("quickup-pack-run", files: [
            "shop.db": "",
            "missing.yaml": "site: DEMO\ndatasources:\n  shop_db: {type: sqlite, path: nowhere/shop.db}\n",
        ])
        defer { tree.remove() }
        try tree.write("env.yaml", Self.demoEnvironment(tree.path))
        let zip = try pack("examples/demo-release", into: tree)
        // A run that fails (its database is missing), resumed from the zip with the right env.yaml (E4).
        let failed = try CLI.run(["run", "--release", zip, "--env", "\(tree.path)/missing.yaml", "--from", "V1.0.0", "--to", "V1.1.0-P1",
                                  "--state", "\(tree.path)/state", "--quiet"])
        #expect(failed.status != 0 && failed.stdout.contains("failed"), "\(failed.stdout)\n\(failed.stderr)")
        let failedID = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(tree.path)/state/runs").first)
        let resume = try CLI.run(["resume", failedID, "--release", zip, "--env", "\(tree.path)/env.yaml", "--state", "\(tree.path)/state", "--quiet"])
        #expect(resume.status == 0 && resume.stdout.contains("9 succeeded"), "\(resume.stdout)\n\(resume.stderr)")
        let arguments = ["run", "--release", zip, "--env", "\(tree.path)/env.yaml", "--from", "V1.0.0", "--to", "V1.1.0-P1",
                         "--state", "\(tree.path)/state", "--quiet"]
        let first = try CLI.run(arguments)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stdout.contains("0 succeeded, 9 skipped, 0 failed"), "\(first.stdout)")
        let cached = try FileManager.default.contentsOfDirectory(atPath: "\(tree.path)/state/releases")
        #expect(cached.count == 1 && cached[0].count == 64, "\(cached)")
        let second = try CLI.run(arguments)
        #expect(second.status == 0 && second.stdout.contains("0 succeeded"), "\(second.stdout)\n\(second.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(tree.path)/state/releases") == cached)
        let assess = try CLI.run(["assess", "--release", zip, "--env", "\(tree.path)/env.yaml", "--from", "V1.0.0", "--to", "V1.1.0-P1",
                                  "--state", "\(tree.path)/state", "--json"])
        #expect([0, 1, 3].contains(assess.status) && assess.stdout.contains("\"release\" : \"demo-shop\""), "\(assess.stderr)")
    }

    @Test("an invalid release is not packed: exit 2 with file:line diagnostics")
    func invalidRelease() throws {
        let tree = try TemporaryTree("quickup-pack-bad", files: [
            "rel/base/component.yaml": "datasources:\n  - name: db\n    type: sqlite\n",
            "rel/base/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties": "sql.a.id=A\nsql.a.stage=soon\nsql.a.file=a.sql\nsql.a.description=x\n",
            "rel/base/upgrade/V1.0.1/a.sql": "SELECT 1;\n",
        ])
        defer { tree.remove() }
        let result = try CLI.run(["pack", "\(tree.path)/rel", "-o", "\(tree.path)/rel.zip"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("upgrade_tasks_V1.0.1.properties:2: sql.a.stage: invalid value 'soon'"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(tree.path)/rel.zip"))
    }

    /// Packs the demo release, damages it, and runs `plan` and `run` on the damaged zip.
    func refused(_ operations: [ZipSurgery.Operation]) throws -> String {
        let tree = try TemporaryTree("quickup-pack-tamper", files: ["shop.db": ""])
        defer { tree.remove() }
        try tree.write("env.yaml", Self.demoEnvironment(tree.path))
        let zip = try pack("examples/demo-release", into: tree)
        try ZipSurgery.rewrite(zip, to: "\(tree.path)/bad.zip", operations)
        let plan = try CLI.run(["plan", "--release", "\(tree.path)/bad.zip", "--from", "V1.0.0", "--to", "V1.1.0-P1"])
        #expect(plan.status == 2, "\(plan.stdout)\n\(plan.stderr)")
        let run = try CLI.run(["run", "--release", "\(tree.path)/bad.zip", "--env", "\(tree.path)/env.yaml", "--from", "V1.0.0",
                               "--to", "V1.1.0-P1", "--state", "\(tree.path)/state"])
        #expect(run.status == 2, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stderr == plan.stderr)
        // Nothing ran: the database is untouched.
        #expect(FileManager.default.contents(atPath: "\(tree.path)/shop.db")?.isEmpty == true)
        return plan.stderr
    }

    @Test("a tampered zip is refused with exit 2, naming the file, its checksums and what to do")
    func tampered() throws {
        let task = "inventory/upgrade/V1.0.1/sql/01_create_warehouse.sql"
        let expected = try #require(try ZipSurgery.sha256(of: "examples/demo-release/\(task)"))
        let flipped = try refused([.flipByte(task)])
        #expect(flipped.contains("bad.zip: \(task): checksum mismatch: expected SHA-256 \(expected)"), "\(flipped)")
        #expect(flipped.contains("fetch the release zip again"))
        #expect(flipped.contains("1 error found; nothing was run."))
        let extra = try refused([.add("inventory/upgrade/V1.0.1/sql/03_extra.sql", "DROP TABLE stock;\n")])
        #expect(extra.contains("bad.zip: inventory/upgrade/V1.0.1/sql/03_extra.sql: file is not listed in QUICKUP-MANIFEST.json"), "\(extra)")
        let noManifest = try refused([.drop("QUICKUP-MANIFEST.json")])
        #expect(noManifest.contains("bad.zip: the zip has no QUICKUP-MANIFEST.json, so its files cannot be checked"), "\(noManifest)")
        #expect(noManifest.contains("quickup pack"))
        let evil = try refused([.add("../evil", "x")])
        #expect(evil.contains("bad.zip: ../evil: entry contains '..' and would be written outside the release directory"), "\(evil)")
    }
}
