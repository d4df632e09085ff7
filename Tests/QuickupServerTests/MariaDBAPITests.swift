import Foundation
import QuickupRelease
import QuickupTestSupport
import Testing

/// Runs started through the API against the real MariaDB (H1, H2, E6, issue 17): the events of a
/// run arrive in order and a reconnect with Last-Event-ID misses none; cancel kills the running
/// statement; the site lock excludes CLI and API runs from each other, both ways, and each
/// front end shows the other's runs.
@Suite("HTTP API on MariaDB (H1, H2, issue 17)", .enabled(if: TestServers.mariaDBEnabled, TestServers.mariaDBSkipComment), .serialized)
struct MariaDBAPITests {
    /// A database, a release of `tasks` (uid, SQL) on it, env.yaml with the password as a
    /// literal (the secrets canary), packed; returns (zip, env, database).
    static func fixture(_ tree: TemporaryTree, _ tasks: [(String, String)]) throws -> (zip: String, env: String, database: String) {
        let server = try TestServers.requireMariaDB()
        let database = "qu_api_\(UInt32.random(in: 0...UInt32.max))"
        try mariadb("CREATE DATABASE \(database)")
        try tree.write("release/release.yaml", "name: api-maria\n")
        try tree.write("release/shop/component.yaml", "datasources:\n  - name: shop_db\n    type: mariadb\n")
        var properties = ""
        for (index, (uid, sql)) in tasks.enumerated() {
            properties += "sql.\(uid).id=\(uid.uppercased())\nsql.\(uid).description=\(uid)\nsql.\(uid).file=sql/\(uid).sql\n"
                + "sql.\(uid).stage=pre_stop\nsql.\(uid).datasource=shop_db\nsql.\(uid).order=\(index + 1)\n"
            try tree.write("release/shop/upgrade/V1.0.1/sql/\(uid).sql", sql)
        }
        try tree.write("release/shop/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties", properties)
        try tree.write("env.yaml", """
            site: MARIA-\(database)
            datasources:
              shop_db: {type: mariadb, host: \(server.host), port: \(server.port), user: \(server.user), password: '\(server.password)', database: \(database)}
            """)
        let zip = "\(tree.path)/release.zip"
        _ = try ReleasePacker().pack(directory: "\(tree.path)/release", to: zip)
        return (zip, "\(tree.path)/env.yaml", database)
    }

    @discardableResult
    static func mariadb(_ sql: String) throws -> String {
        let server = try TestServers.requireMariaDB()
        let output = try ChildProcess.run(["mariadb", "--defaults-file=\(server.defaultsFile ?? "")", "-N", "-B", "-e", sql])
        guard output.status == 0 else { throw TestServers.Missing(description: "mariadb failed: \(sql)") }
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func sleeping(_ marker: String) throws -> Int {
        Int(try mariadb("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(%) AS \(marker)%'")) ?? -1
    }

    static func waitForSleep(_ marker: String) async throws {
        let started = ContinuousClock.now
        while try sleeping(marker) == 0 {
            try #require(started.duration(to: .now) < .seconds(120), "the long statement never started")
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test("20 tasks on MariaDB through the API: every event in order; reconnecting with Last-Event-ID after 5 misses and repeats nothing; no secret in any answer")
    func eventsAndReconnect() async throws {
        let tree = try TemporaryTree("qu-api-maria")
        defer { tree.remove() }
        let tasks = [("t00", "CREATE TABLE items (id INT PRIMARY KEY);")] + (1..<20).map { n in (String(format: "t%02d", n), "INSERT INTO items VALUES (\(n));") }
        let (zip, env, database) = try Self.fixture(tree, tasks)
        defer { _ = try? Self.mariadb("DROP DATABASE \(database)") }
        let server = try ServeProcess(in: tree)
        defer { server.stop() }
        let release = try await APIRelease.upload(server, zip)
        let started = try await server.call(.POST, "/v1/runs", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1"])
        #expect(started.status == 202, "\(started.text)")
        let runID = try #require(try started.json()["runId"] as? String)

        let firstFive = try await SSEMessage.read(server, "/v1/runs/\(runID)/events", stopAfter: 5)
        let rest = try await SSEMessage.read(server, "/v1/runs/\(runID)/events", lastEventID: firstFive.last?.id)
        let whole = try await SSEMessage.read(server, "/v1/runs/\(runID)/events")
        #expect(firstFive.count == 5)
        #expect(firstFive + rest == whole, "reconnect lost or repeated events")
        #expect(whole.map(\.id) == Array(1...whole.count).map(Optional.some))
        let finished = whole.filter { $0.event == "task_end" }.compactMap { message -> String? in
            message.data.range(of: "t[0-9][0-9]", options: .regularExpression).map { String(message.data[$0]) }
        }
        #expect(finished == tasks.map(\.0), "tasks ended out of order: \(finished)")
        #expect(whole.last?.event == "run_end" && whole.last?.data.contains("\"status\":\"succeeded\"") == true)
        #expect(try Self.mariadb("SELECT COUNT(*) FROM \(database).items") == "19")

        // The secrets canary: the password is in env.yaml as a literal, and in no answer, log or metric.
        let password = try TestServers.requireMariaDB().password
        var answers = [try await server.call(.GET, "/v1/runs/\(runID)").text, try await server.call(.GET, "/v1/runs").text,
                       try await server.call(.GET, "/v1/metrics").text, try await server.call(.GET, "/v1/runs/\(runID)/logs").text,
                       try await server.call(.GET, "/v1/runs/\(runID)/logs?kind=detail&limit=5000").text,
                       try await server.call(.POST, "/v1/assessments", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1"]).text,
                       try await server.call(.POST, "/v1/plans", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1"]).text]
        answers += whole.map(\.data)
        let bundle = try await server.call(.GET, "/v1/runs/\(runID)/bundle?env=\(env)")
        #expect(bundle.status == 200)
        let bundleZip = "\(tree.path)/bundle.zip"
        try bundle.body.write(to: URL(fileURLWithPath: bundleZip))
        let unzip = try await runProgram("/usr/bin/env", ["python3", "-c", "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); [sys.stdout.write(z.read(n).decode('utf-8','replace')) for n in z.namelist()]", bundleZip])
        #expect(unzip.status == 0 && unzip.output.contains("<redacted>"), "the bundle's env.yaml is redacted")
        answers.append(unzip.output)
        server.stop()
        answers.append(server.logText)
        for (index, text) in answers.enumerated() {
            #expect(!text.contains(password), "answer \(index) holds the MariaDB password")
        }
    }

    @Test("API run holds the site lock: a CLI run exits 4 naming it, `quickup status` shows it; cancel kills the statement, recorded cancelled, resumable")
    func apiRunLocksCLIAndCancels() async throws {
        let tree = try TemporaryTree("qu-api-lock")
        defer { tree.remove() }
        let marker = "qu_api_\(UInt32.random(in: 0...UInt32.max))"
        let (zip, env, database) = try Self.fixture(tree, [("a", "CREATE TABLE t (x INT);"), ("b", "SELECT SLEEP(300) AS \(marker);")])
        defer { _ = try? Self.mariadb("DROP DATABASE \(database)") }
        let server = try ServeProcess(in: tree)
        defer { server.stop() }
        let release = try await APIRelease.upload(server, zip)
        let started = try await server.call(.POST, "/v1/runs", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1"])
        let runID = try #require(try started.json()["runId"] as? String, "\(started.text)")
        try await Self.waitForSleep(marker)

        let cli = try ChildProcess.run([ServeProcess.executable.path, "run", "--release", zip, "--env", env, "--from", "V1.0.0", "--to", "V1.0.1",
                                        "--state", server.state, "--quiet"])
        #expect(cli.status == 4 && cli.stderr.contains(runID), "\(cli.stderr)")
        let status = try await runProgram(ServeProcess.executable.path, ["status", runID, "--state", server.state])
        #expect(status.output.contains("Run \(runID): running"), "\(status.output)")
        let second = try await server.call(.POST, "/v1/runs", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1"])
        #expect(try second.status == 409 && (second.json()["code"] as? String) == "locked" && second.text.contains(runID), "\(second.text)")

        let cancel = try await server.call(.POST, "/v1/runs/\(runID)/cancel")
        #expect(cancel.status == 202, "\(cancel.text)")
        let ended = try await server.waitForEnd(runID)
        #expect(ended["status"] as? String == "cancelled", "\(ended)")
        #expect(try Self.sleeping(marker) == 0, "the statement still runs on the server")
        let resumed = try await server.call(.POST, "/v1/runs/\(runID)/resume", json: ["release": release, "env": env])
        #expect(try resumed.status == 202 && (resumed.json()["resumes"] as? String) == runID, "\(resumed.text)")
        let resumedID = try #require(try resumed.json()["runId"] as? String)
        try await Self.waitForSleep(marker)
        _ = try await server.call(.POST, "/v1/runs/\(resumedID)/cancel")
        let resumedEnd = try await server.waitForEnd(resumedID)
        #expect(resumedEnd["status"] as? String == "cancelled")
    }

    @Test("CLI run holds the site lock: the API answers 409 naming it and lists it; cancel through the API stops the CLI run cleanly")
    func cliRunLocksAPI() async throws {
        let tree = try TemporaryTree("qu-api-cli")
        defer { tree.remove() }
        let marker = "qu_api_\(UInt32.random(in: 0...UInt32.max))"
        let (zip, env, database) = try Self.fixture(tree, [("a", "CREATE TABLE t (x INT);"), ("b", "SELECT SLEEP(300) AS \(marker);")])
        defer { _ = try? Self.mariadb("DROP DATABASE \(database)") }
        let server = try ServeProcess(in: tree)
        defer { server.stop() }
        let release = try await APIRelease.upload(server, zip)
        let cli = try ChildProcess.start([ServeProcess.executable.path, "run", "--release", zip, "--env", env, "--from", "V1.0.0", "--to", "V1.0.1",
                                          "--state", server.state, "--quiet"])
        defer { cli.send(SIGKILL); cli.wait() }
        try await Self.waitForSleep(marker)

        let runs = try await server.call(.GET, "/v1/runs").json()["runs"] as? [[String: Any]] ?? []
        let cliRun = try #require(runs.first { $0["pid"] as? Int == Int(cli.pid) }, "the API lists the CLI run: \(runs)")
        let cliRunID = try #require(cliRun["id"] as? String)
        #expect(cliRun["status"] as? String == "running")
        let refused = try await server.call(.POST, "/v1/runs", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1"])
        #expect(try refused.status == 409 && (refused.json()["code"] as? String) == "locked", "\(refused.text)")
        #expect(refused.text.contains(cliRunID) && refused.text.contains("pid \(cli.pid)"), "\(refused.text)")

        let cancel = try await server.call(.POST, "/v1/runs/\(cliRunID)/cancel")
        #expect(cancel.status == 202, "\(cancel.text)")
        await cli.ended()
        let cliEnd = try await server.waitForEnd(cliRunID)
        #expect(cliEnd["status"] as? String == "cancelled")
        #expect(try Self.sleeping(marker) == 0)
    }

    @Test("SIGTERM: new runs refused, the running one gets the grace period, then is cancelled like Ctrl-C — statement killed, recorded cancelled, resumable")
    func gracefulShutdown() async throws {
        let tree = try TemporaryTree("qu-api-term")
        defer { tree.remove() }
        let marker = "qu_api_\(UInt32.random(in: 0...UInt32.max))"
        let (zip, env, database) = try Self.fixture(tree, [("a", "CREATE TABLE t (x INT);"), ("b", "SELECT SLEEP(300) AS \(marker);")])
        defer { _ = try? Self.mariadb("DROP DATABASE \(database)") }
        let server = try ServeProcess(in: tree)
        defer { server.stop() }
        let release = try await APIRelease.upload(server, zip)
        let started = try await server.call(.POST, "/v1/runs", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1"])
        let runID = try #require(try started.json()["runId"] as? String, "\(started.text)")
        try await Self.waitForSleep(marker)
        server.process.send(SIGTERM)
        // Within the grace period (5 s) the server is still there but takes no new run.
        var refusedWhileDraining = false
        for _ in 0..<40 where !refusedWhileDraining {
            let answer = try? await server.call(.POST, "/v1/runs", json: ["release": release, "env": env, "from": "V1.0.0", "to": "V1.0.1"])
            refusedWhileDraining = answer?.status == 503 && answer?.text.contains("shutting_down") == true
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(refusedWhileDraining, "no 503 while shutting down")
        await server.process.ended()
        #expect(try Self.sleeping(marker) == 0, "the statement outlived the server")
        let status = try await runProgram(ServeProcess.executable.path, ["status", runID, "--state", server.state])
        #expect(status.output.contains("Run \(runID): cancelled"), "\(status.output)")
        #expect(server.logText.contains("cancelling 1 run"), "\(server.logText)")
    }
}
