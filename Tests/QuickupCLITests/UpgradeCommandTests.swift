import Foundation
import QuickupTestSupport
import Testing

/// `quickup upgrade` end to end on two `local` hosts with real service processes and SQLite
/// (F1, F2, F5; issue 15). The services are `quickup demo-service` processes answering /version.
@Suite(.serialized) struct UpgradeCommandTests {
    @Test("stop-the-world: both hosts run V1.1.0, keep files carried over, previous folder kept, new schema (F1)")
    func stopTheWorld() async throws {
        let site = try UpgradeSite()
        defer { site.remove() }
        let r = try await site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0", "--yes", "--mode", "stop-the-world"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(site.version(site.port) == "V1.1.0")
        #expect(site.version(site.port + 1) == "V1.1.0")
        #expect(site.current("a") == "releases/V1.1.0")
        #expect(FileManager.default.fileExists(atPath: "\(site.root)/a/app/releases/V1.0.0/VERSION"))
        #expect((try? String(contentsOfFile: "\(site.root)/b/app/current/conf/site.yml", encoding: .utf8)) == "site: own\n")
        #expect(try site.tableExists("orders_v2"))
        #expect(r.stdout.contains("tables backed up before change"), "the backup step reports its backups (F3)")
        #expect(r.stdout.contains("outage of app: observed"))
        #expect(site.starts("a") == 2 && site.starts("b") == 2)
        // Order of events in the journal: both hosts' releases/ were prepared before anything
        // stopped, and each kind of step ran on both hosts at once (each began before the other
        // ended), the install (switch) only once both were stopped.
        let steps = try UpgradeSite.stepTimes(site, try #require(UpgradeSite.runID(r.stdout)))
        let (stopA, stopB, startA, startB) = (try #require(steps["stop.a.app"]), try #require(steps["stop.b.app"]),
                                              try #require(steps["start.a.app"]), try #require(steps["start.b.app"]))
        #expect(try #require(steps["prepare.b.app"]).ended <= stopA.began && steps["prepare.a.app"].map { $0.ended <= stopB.began } == true, "\(steps)")
        for kind in ["prepare", "stop", "install", "start"] {
            let (a, b) = (try #require(steps["\(kind).a.app"]), try #require(steps["\(kind).b.app"]))
            #expect(a.began <= b.ended && b.began <= a.ended, "\(kind) ran on both hosts at once: \(steps)")
        }
        #expect(max(stopA.ended, stopB.ended) <= min(steps["install.a.app"]?.began ?? 0, steps["install.b.app"]?.began ?? 0), "\(steps)")
        #expect(max(stopA.ended, stopB.ended) <= min(startA.began, startB.began), "\(steps)")
    }

    @Test("rolling: a client polling through both hosts sees no failed request (F1)")
    func rolling() async throws {
        let site = try UpgradeSite()
        defer { site.remove() }
        let poller = Poller(ports: [site.port, site.port + 1])
        poller.start()
        let r = try await site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0", "--yes", "--mode", "rolling"])
        poller.stop()
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("rolling"))
        #expect(site.version(site.port) == "V1.1.0" && site.version(site.port + 1) == "V1.1.0")
        #expect(poller.requests > 10)
        #expect(poller.failures == 0, "\(poller.failures) of \(poller.requests) requests failed")
        #expect(poller.saw.contains("V1.0.0") && poller.saw.contains("V1.1.0"))
        // One host at a time: b stops only once a runs again.
        let steps = try UpgradeSite.stepTimes(site, try #require(UpgradeSite.runID(r.stdout)))
        #expect(try #require(steps["start.a.app"]).ended <= (try #require(steps["stop.b.app"])).began, "\(steps)")
    }

    @Test("the gate pauses with exit 5 and awaiting_verification; the printed --resume … --verified continues")
    func gate() async throws {
        let site = try UpgradeSite()
        defer { site.remove() }
        let r = try await site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0"])
        #expect(r.status == 5, "\(r.stdout)\n\(r.stderr)")
        let id = try #require(UpgradeSite.runID(r.stdout))
        let status = try CLI.run(["status", id, "--state", site.state])
        #expect(status.stdout.contains("awaiting_verification"), "\(status.stdout)")
        let parts = r.stdout.split(separator: "`", omittingEmptySubsequences: false)
        let hint = try #require(parts.first { $0.contains("--verified") }.map(String.init))
        let resumed = try CLI.shell(hint, in: URL(fileURLWithPath: site.root))
        #expect(resumed.status == 0, "\(hint)\n\(resumed.stdout)\n\(resumed.stderr)")
        #expect(site.version(site.port + 1) == "V1.1.0")
    }

    @Test("a failing non-retryable step (in_stop schema) → resume cleans the environment and the formal upgrade starts again (F2)")
    func nonRetryableCleanup() async throws {
        let site = try UpgradeSite(inStopSQL: "INSERT INTO needed_first (id) VALUES (1);")
        defer { site.remove() }
        let r = try await site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0", "--yes", "--mode", "stop-the-world"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("FAILED: step 'in_stop tasks and hooks' failed"), "\(r.stdout)")
        let resume = try #require(CLI.hint(after: "Next:", in: r.stdout))
        #expect(r.stdout.contains("rollback"))
        _ = try CLI.run(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table needed_first (id integer)'); c.commit()", "\(site.root)/app.db"],
                        program: URL(fileURLWithPath: "/usr/bin/python3"))
        let again = try CLI.shell(resume, in: URL(fileURLWithPath: site.root))
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        #expect(again.stdout.contains("cleaning the environment"))
        #expect(again.stdout.contains("switched releases/V1.0.0"))
        #expect(site.version(site.port) == "V1.1.0" && site.version(site.port + 1) == "V1.1.0")
    }

    @Test("post-checks run the data-quality rules again: a rule the upgrade's script broke fails the upgrade with its figures and suggestion; fixed, resume ends it (F1 flow 5, A2)")
    func qualityRulesAfterTheUpgrade() async throws {
        let site = try UpgradeSite(
            inStopSQL: "CREATE TABLE IF NOT EXISTS orders_v2 (id INTEGER); INSERT INTO orders_v2 (id) VALUES (1), (NULL);",
            releaseFiles: ["app/upgrade/V1.1.0/quality_V1.1.0.properties": """
                rule.ids_set.description=Every new order has an id
                rule.ids_set.check=not_null
                rule.ids_set.table=orders_v2
                rule.ids_set.columns=id
                rule.ids_set.datasource=db
                rule.ids_set.severity=fail
                rule.ids_set.versions=V1.0.0~V1.1.0
                rule.ids_set.suggestion=DELETE FROM orders_v2 WHERE id IS NULL

                """])
        defer { site.remove() }
        let r = try await site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0", "--yes", "--mode", "stop-the-world"])
        #expect(r.status == 1, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("assessment: PASS"), "the rule does not fail before the upgrade: \(r.stdout)")
        #expect(r.stdout.contains("Every new order has an id: FAIL"), "\(r.stdout)")
        #expect((r.stdout + r.stderr).contains("DELETE FROM orders_v2 WHERE id IS NULL"), "the rule's suggestion is in the hint")
        #expect(site.version(site.port) == "V1.1.0", "the services stay upgraded: only the post-checks failed")
        _ = try CLI.run(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('delete from orders_v2 where id is null'); c.commit()", "\(site.root)/app.db"],
                        program: URL(fileURLWithPath: "/usr/bin/python3"))
        let again = try CLI.shell(try #require(CLI.hint(after: "Next:", in: r.stdout)), in: URL(fileURLWithPath: site.root))
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        #expect(again.stdout.contains("Every new order has an id: PASS"), "\(again.stdout)")
    }

    @Test("a failing retryable step (precheck's business_check) is retried directly on resume, no cleanup (F2)")
    func retryableDirect() async throws {
        let site = try UpgradeSite(check: "#!/bin/sh\n[ -f ../../ok ] || { echo 'business data not ready' >&2; exit 1; }\n")
        defer { site.remove() }
        let r = try await site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0", "--yes"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("retried directly"), "\(r.stdout)")
        try site.tree.write("ok", "")
        let again = try CLI.shell(try #require(CLI.hint(after: "Next:", in: r.stdout)), in: URL(fileURLWithPath: site.root))
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        #expect(!again.stdout.contains("cleaning the environment"))
        #expect(site.version(site.port) == "V1.1.0")
    }

    @Test("rollback of an upgrade run: previous program files and services back")
    func rollback() async throws {
        let site = try UpgradeSite(withRollback: true)
        defer { site.remove() }
        let r = try await site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0", "--yes"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let id = try #require(UpgradeSite.runID(r.stdout))
        let back = try CLI.run(["rollback", id, "--release", site.release, "--env", site.env, "--state", site.state])
        #expect(back.status == 0, "\(back.stdout)\n\(back.stderr)")
        #expect(site.current("a") == "releases/V1.0.0" && site.current("b") == "releases/V1.0.0")
        #expect(site.version(site.port) == "V1.0.0" && site.version(site.port + 1) == "V1.0.0")
        #expect(try !site.tableExists("orders_v2"), "the data phase ran before the program phase (F4)")
    }

    @Test("bad input: a host running no component, a service without start → exit 2 with file:line, nothing changed")
    func badInput() async throws {
        let site = try UpgradeSite()
        defer { site.remove() }
        let text = try String(contentsOfFile: site.env, encoding: .utf8)
        let idle = text.replacingOccurrences(of: "hosts:\n", with: "hosts:\n  - {name: idle, kind: local, state_dir: /tmp/x}\n")
        try idle.write(toFile: site.env, atomically: true, encoding: .utf8)
        // The line the error must name, counted in the file the test wrote (1-based).
        func line(of needle: String, in body: String) -> Int {
            (body.components(separatedBy: "\n").firstIndex { $0.contains(needle) } ?? -1) + 1
        }
        let r = try await site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0", "--yes"])
        #expect(r.status == 2, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stderr.contains("env.yaml:\(line(of: "name: idle", in: idle)):") && r.stderr.contains("host 'idle' runs no component"), "\(r.stderr)")
        let noStart = text.replacingOccurrences(of: "    start: ", with: "    begin: ")
        try noStart.write(toFile: site.env, atomically: true, encoding: .utf8)
        let s = try await site.upgrade(["--from", "V1.0.0", "--to", "V1.1.0", "--yes"])
        #expect(s.status == 2, "\(s.stdout)\n\(s.stderr)")
        #expect(s.stderr.contains("env.yaml:\(line(of: "    begin: ", in: noStart)):") && s.stderr.contains("start"), "\(s.stderr)")
        #expect(site.current("a") == "releases/V1.0.0" && site.version(site.port) == "V1.0.0")
        #expect(!FileManager.default.fileExists(atPath: "\(site.state)/journal.sqlite") || !s.stdout.contains("Upgrade "))
    }
}

/// A client that polls the service through both hosts the way a discovery client does: the
/// first host, and the other when the first does not answer. A failure: neither answered.
final class Poller: @unchecked Sendable {
    let urls: [String]
    private let lock = NSLock()
    private var running = true
    private var thread: Thread?
    private(set) var requests = 0
    private(set) var failures = 0
    private(set) var saw = Set<String>()

    init(ports: [Int], address: String = "127.0.0.1") { urls = ports.map { "http://\(address):\($0)/version" } }
    init(urls: [String]) { self.urls = urls }

    func start() {
        let t = Thread { [self] in
            var turn = 0
            while lock.withLock({ running }) {
                turn += 1
                let order = turn % 2 == 0 ? urls : urls.reversed()
                var answer: String?
                for url in order where answer == nil { answer = Self.get(url) }
                lock.withLock {
                    requests += 1
                    if let answer { saw.insert(answer) } else { failures += 1 }
                }
                usleep(20_000)
            }
        }
        thread = t
        t.start()
    }

    func stop() {
        lock.withLock { running = false }
        while thread?.isFinished == false { usleep(10_000) }
    }

    static func get(_ url: String) -> String? {
        let r = try? CLI.run(["-c", "curl -fsS -m 2 \(url)"], program: URL(fileURLWithPath: "/bin/sh"))
        guard let r, r.status == 0, !r.stdout.isEmpty else { return nil }
        return r.stdout
    }
}

extension UpgradeSite {
    /// When each step of upgrade `run` began and ended (its latest SUCCESS row in the journal).
    static func stepTimes(_ site: UpgradeSite, _ run: String) throws -> [String: (began: Int64, ended: Int64)] {
        let r = try CLI.run(["-c", """
            import sqlite3, sys
            for k, s, e in sqlite3.connect(sys.argv[1]).execute("SELECT step_key, started_at, ended_at FROM upgrade_step WHERE run_id = ? AND status = 'SUCCESS' ORDER BY attempt", (sys.argv[2],)):
                print(k, s, e)
            """, "\(site.state)/journal.sqlite", run], program: URL(fileURLWithPath: "/usr/bin/python3"))
        var times: [String: (began: Int64, ended: Int64)] = [:]
        for line in r.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let began = Int64(fields[1]), let ended = Int64(fields[2]) else { continue }
            times[String(fields[0])] = (began, ended)
        }
        return times
    }
}
