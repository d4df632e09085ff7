import Foundation
import QuickupTestSupport
import Testing

/// L1 through the binary: a real run whose tool prints every credential it was handed, an
/// assessment, then `quickup bundle`; the zip is unpacked with Python and every file searched
/// for the planted secrets.
@Suite("quickup bundle (L1)")
struct BundleCommandTests {
    static let release: [String: String] = [
        "release/release.yaml": "name: bundle-test\ncomponents: [shop]\n",
        "release/shop/component.yaml": """
            plugin_class: business
            datasources:
              - name: shop_db
                type: sqlite
              - name: vault_db
                type: sqlite
            """,
        "release/shop/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties": """
            sql.create_items.id=SHOP-1
            sql.create_items.description=Create the items table
            sql.create_items.file=sql/items.sql
            sql.create_items.stage=pre_stop
            tool.leak.id=SHOP-2
            tool.leak.description=A careless tool that prints its whole context, passwords included
            tool.leak.package=tools/leak.sh
            tool.leak.stage=post_start
            """,
        "release/shop/upgrade/V1.0.1/sql/items.sql": "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);\n",
        "release/shop/upgrade/V1.0.1/tools/leak.sh": """
            #!/bin/sh
            context=$(cat)
            echo "context: $context"
            echo "context on stderr: $context" >&2
            """,
        "shop.db": "",
        "vault.db": "",
    ]

    /// Unique per test run, so a hit can only come from this test's own files.
    let literal = "Lit3ral-\(UUID().uuidString.prefix(12))"
    let fromVariable = "EnvS3cret-\(UUID().uuidString.prefix(12))"
    let inURL = "Url5ecret-\(UUID().uuidString.prefix(12))"
    let inComment = "Comm3nt-\(UUID().uuidString.prefix(12))"
    let nacosPassword = "Nac0s-\(UUID().uuidString.prefix(12))"

    var environment: String {
        """
        # old admin password: \(inComment)
        site: SHOP
        datasources:
          shop_db: {type: sqlite, path: shop.db, password: \(literal)}
          vault_db: {type: sqlite, path: vault.db, password_env: QUICKUP_BUNDLE_TEST_SECRET}
        nacos:
          url: http://nacos:\(inURL)@127.0.0.1:18848
          username: nacos
          password: \(nacosPassword)
        """
    }

    var secrets: [String] { [literal, fromVariable, inURL, inComment, nacosPassword] }

    @Test("bundle of a real run holds logs, journal, plan, assessment, doctor, version and env.yaml — and no secret")
    func noSecretAnywhere() throws {
        let tree = try TemporaryTree("quickup-bundle", files: Self.release)
        defer { tree.remove() }
        try tree.write("env.yaml", environment)
        let env = ["QUICKUP_BUNDLE_TEST_SECRET": fromVariable]
        let state = "\(tree.path)/state"
        let common = ["--release", "\(tree.path)/release", "--env", "\(tree.path)/env.yaml", "--from", "V1.0.0", "--to", "V1.0.1", "--state", state]
        let run = try CLI.run(["run"] + common + ["--quiet"], environment: env)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        _ = try CLI.run(["assess"] + common + ["--json"], environment: env)

        // The tool really printed its context, and the run's own log already hides the passwords (D4).
        let runs = try FileManager.default.contentsOfDirectory(atPath: "\(state)/runs")
        let runID = try #require(runs.first)
        let detail = try String(contentsOfFile: "\(state)/runs/\(runID)/detail.jsonl", encoding: .utf8)
        #expect(detail.contains("context: ") && detail.contains("vault_db") && detail.contains("<redacted>"), "\(detail)")

        let zip = "\(tree.path)/support.zip"
        let bundle = try CLI.run(["bundle", "latest", "-o", zip, "--state", state, "--env", "\(tree.path)/env.yaml"], environment: env)
        #expect(bundle.status == 0, "\(bundle.stderr)")
        #expect(bundle.stdout.contains("Bundled run \(runID)"))
        let files = try Self.unzip(zip)
        let folder = "quickup-bundle-\(runID)"
        for expected in ["README.txt", "env.yaml", "journal/run.json", "journal/attempts.json", "journal/events.json", "plan.json",
                         "logs/summary.log", "logs/detail.jsonl", "doctor.txt", "version.txt"] {
            #expect(files["\(folder)/\(expected)"] != nil, "missing \(expected) in \(files.keys.sorted())")
        }
        #expect(files.keys.contains { $0.hasPrefix("\(folder)/assessments/assessment-") && $0.hasSuffix(".json") }, "\(files.keys.sorted())")
        for (name, text) in files {
            for secret in secrets {
                #expect(!text.contains(secret), "\(name) holds the secret \(secret)")
            }
        }
        // What is kept is still useful: where secrets live, the user of a URL, the tool's log, the plan.
        let yaml = try #require(files["\(folder)/env.yaml"])
        #expect(yaml.contains("password: <redacted>") && yaml.contains("password_env: QUICKUP_BUNDLE_TEST_SECRET"), "\(yaml)")
        #expect(yaml.contains("url: http://nacos:<redacted>@127.0.0.1:18848") && !yaml.contains("old admin password"), "\(yaml)")
        #expect(files["\(folder)/logs/detail.jsonl"]?.contains("context: ") == true)
        #expect(files["\(folder)/plan.json"]?.contains("create_items") == true)
        #expect(files["\(folder)/journal/attempts.json"]?.contains("\"status\" : \"SUCCESS\"") == true)
        #expect(files["\(folder)/version.txt"]?.hasPrefix("quickup ") == true)
        #expect(files["\(folder)/doctor.txt"]?.contains("Tool isolation:") == true)
        let readme = try #require(files["\(folder)/README.txt"])
        #expect(readme.contains("Run \(runID): succeeded") && readme.contains("logs/detail.jsonl"), "\(readme)")
        #expect(readme.contains("datasources.shop_db.password") && readme.contains("nacos.url") && readme.contains("nacos.password"))
    }

    @Test("MariaDB datasource whose password comes from password_env: a real run on the server, and the password is nowhere in the bundle",
          .enabled(if: TestServers.mariaDBEnabled, TestServers.mariaDBSkipComment))
    func mariaDBPassword() throws {
        let server = try TestServers.requireMariaDB()
        let database = "qu_bundle_\(UInt32.random(in: 0...UInt32.max))"
        try Self.mariadb(server, "CREATE DATABASE \(database)")
        defer { _ = try? Self.mariadb(server, "DROP DATABASE \(database)") }
        var files = Self.release
        files["release/shop/component.yaml"] = "plugin_class: business\ndatasources:\n  - name: ledger_db\n    type: mariadb\n"
        let tree = try TemporaryTree("quickup-bundle-mariadb", files: files)
        defer { tree.remove() }
        try tree.write("env.yaml", """
            site: SHOP-\(database)
            datasources:
              ledger_db: {type: mariadb, host: \(server.host), port: \(server.port), user: \(server.user), password_env: QUICKUP_TEST_MARIADB_PASSWORD, database: \(database)}
            """)
        let state = "\(tree.path)/state"
        let run = try CLI.run(["run", "--release", "\(tree.path)/release", "--env", "\(tree.path)/env.yaml", "--from", "V1.0.0", "--to", "V1.0.1",
                               "--state", state, "--quiet"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(try Self.mariadb(server, "SELECT COUNT(*) FROM information_schema.TABLES WHERE table_schema = '\(database)' AND table_name = 'items'") == "1")
        let zip = "\(tree.path)/support.zip"
        let bundle = try CLI.run(["bundle", "latest", "-o", zip, "--state", state, "--env", "\(tree.path)/env.yaml"])
        #expect(bundle.status == 0, "\(bundle.stderr)")
        let unzipped = try Self.unzip(zip)
        #expect(unzipped.keys.contains { $0.hasSuffix("/logs/detail.jsonl") })
        #expect(unzipped.values.contains { $0.contains("context: ") && $0.contains("ledger_db") }, "the tool's output is not in the bundle")
        for (name, text) in unzipped {
            #expect(!text.contains(server.password), "\(name) holds the MariaDB password")
        }
    }

    @discardableResult
    static func mariadb(_ server: TestServers.MariaDB, _ sql: String) throws -> String {
        let output = try ChildProcess.run(["mariadb", "--defaults-file=\(server.defaultsFile ?? "")", "-N", "-B", "-e", sql])
        guard output.status == 0 else { throw TestServers.Missing(description: "mariadb failed: \(sql)") }
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("bundle by run id; an unknown run or an empty state directory is exit 2 with what to do")
    func selection() throws {
        let tree = try TemporaryTree("quickup-bundle-select", files: Self.release)
        defer { tree.remove() }
        try tree.write("env.yaml", "site: SHOP\ndatasources:\n  shop_db: {type: sqlite, path: shop.db}\n  vault_db: {type: sqlite, path: vault.db}\n")
        let state = "\(tree.path)/state"
        let empty = try CLI.run(["bundle", "latest", "-o", "\(tree.path)/b.zip", "--state", state])
        #expect(empty.status == 2 && empty.stderr.contains("no journal in \(state)"), "\(empty.stderr)")
        let run = try CLI.run(["run", "--release", "\(tree.path)/release", "--env", "\(tree.path)/env.yaml", "--from", "V1.0.0",
                               "--to", "V1.0.1", "--stage", "pre_stop", "--state", state, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let runID = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(state)/runs").first)
        let unknown = try CLI.run(["bundle", "no-such-run", "-o", "\(tree.path)/b.zip", "--state", state])
        #expect(unknown.status == 2 && unknown.stderr.contains("no run 'no-such-run'") && unknown.stderr.contains("quickup history"))
        let byID = try CLI.run(["bundle", runID, "-o", "\(tree.path)/b.zip", "--state", state])
        #expect(byID.status == 0, "\(byID.stderr)")
        let files = try Self.unzip("\(tree.path)/b.zip")
        #expect(files["quickup-bundle-\(runID)/README.txt"]?.contains("No env.yaml: pass --env") == true)
        #expect(files["quickup-bundle-\(runID)/env.yaml"] == nil)
    }

    /// Every member of a zip as text, read by Python's zipfile (independent of quickup's zip code).
    static func unzip(_ zip: String) throws -> [String: String] {
        let script = "import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({n: z.read(n).decode('utf-8', 'replace') for n in z.namelist()}))"
        let data = try ChildProcess.run(["python3", "-c", script, zip]).stdoutData
        return try JSONSerialization.jsonObject(with: data) as? [String: String] ?? [:]
    }
}
