import Foundation
import QuickupTestSupport
import Testing

/// Issue 13 item 6 (E6): the site lock against real quickup processes — a refused run says who
/// holds which lock and what to do, exits 4 and leaves no run behind; 40 simultaneous starts on
/// a fresh state directory never fail creating the journal; a holder whose pid is a zombie or
/// names another process is stale; a stale lock from another host is broken as the hint says;
/// an SQLite-only site is locked on the database itself, across state directories.
@Suite("Site lock (E6, issue 13 item 6)", .serialized)
struct SiteLockTests {
    static func release(_ tree: TemporaryTree, tool: LongTool, site: String = "LOCK") throws {
        try tree.write("release/app/component.yaml", "plugin_class: core\ndatasources:\n  - name: db\n    type: sqlite\n")
        try tree.write("release/app/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties", """
            sql.first.id=F
            sql.first.description=first
            sql.first.file=sql/first.sql
            sql.first.stage=pre_stop
            sql.first.datasource=db
            tool.long.id=L
            tool.long.description=long tool
            tool.long.package=tools/long.sh
            tool.long.stage=pre_stop
            tool.long.datasource=db
            tool.long.depends=first
            """)
        try tree.write("release/app/upgrade/V1.0.1/sql/first.sql", "CREATE TABLE IF NOT EXISTS t (x INT);")
        try tool.write(into: "release/app/upgrade/V1.0.1")
        try tree.write("env.yaml", "site: \(site)\ndatasources:\n  db: {type: sqlite, path: \(tree.root.appendingPathComponent("app.db").path)}\n")
        try tree.write("app.db", "")
    }

    static func run(_ tree: TemporaryTree, state: String, quiet: Bool = true) -> [String] {
        QuickupProcess.runArguments(tree, state: state, quiet: quiet)
    }

    static func runIDs(_ state: String) throws -> [String] {
        try QuickupProcess.sqlite("\(state)/journal.sqlite", "SELECT id FROM run ORDER BY started_at").split(separator: "\n").map(String.init)
    }

    @Test("a second run while one runs: exit 4, the holder's run id, host, pid, start time and lock on stderr (with --quiet), and no run recorded")
    func refusedRunSaysWhoAndLeavesNoRun() throws {
        let tree = try TemporaryTree("qu-lock")
        let tool = LongTool(tree: tree)
        defer {
            tool.killWorkers()
            tree.remove()
        }
        try Self.release(tree, tool: tool)
        let state = tree.root.appendingPathComponent("state").path
        let holder = try QuickupProcess.start(Self.run(tree, state: state))
        defer { holder.send(SIGKILL); holder.wait() }
        try tool.waitForStarts(1, while: holder)
        let holderRun = try #require(try Self.runIDs(state).first)

        let refused = try CLI.run(Self.run(tree, state: state))
        #expect(refused.status == 4)
        for part in [holderRun, "host \(QuickupProcess.hostName)", "pid \(holder.pid)", "started 20", "state journal", "kill -INT \(holder.pid)"] {
            #expect(refused.stderr.contains(part), "'\(part)' missing from: \(refused.stderr)")
        }
        #expect(!refused.stdout.contains("failed"), "no summary of a run that never started: \(refused.stdout)")
        #expect(try Self.runIDs(state) == [holderRun], "the refused attempt is not a run")
        let status = try CLI.run(["status", "--state", state])
        #expect(status.stdout.contains("Run \(holderRun): running"), "\(status.stdout)")

        tool.finish()
        holder.wait()
        #expect(holder.wait().status == 0)
    }

    @Test("an SQLite-only site is locked on the database: a run with another --state is refused while the first runs")
    func sqliteSiteLockedAcrossStateDirectories() throws {
        let tree = try TemporaryTree("qu-lock-db")
        let tool = LongTool(tree: tree)
        defer {
            tool.killWorkers()
            tree.remove()
        }
        try Self.release(tree, tool: tool)
        let stateA = tree.root.appendingPathComponent("state-a").path, stateB = tree.root.appendingPathComponent("state-b").path
        let holder = try QuickupProcess.start(Self.run(tree, state: stateA))
        defer { holder.send(SIGKILL); holder.wait() }
        try tool.waitForStarts(1, while: holder)
        let holderRun = try #require(try Self.runIDs(stateA).first)

        let other = try QuickupProcess.start(Self.run(tree, state: stateB), output: tree.root.appendingPathComponent("other.out"))
        defer { other.send(SIGKILL); other.wait() }
        // Without the lock the second run starts a second copy of the tool: end both then.
        let waited = ContinuousClock.now
        while other.isRunning {
            if tool.lines.filter({ $0.hasPrefix("start ") }).count > 1 { tool.finish() }
            try #require(waited.duration(to: .now) < .seconds(120), "hang guard")
            usleep(20_000)
        }
        let text = try String(contentsOf: tree.root.appendingPathComponent("other.out"), encoding: .utf8)
        #expect(other.wait().status == 4, "\(text)")
        #expect(tool.lines.filter { $0.hasPrefix("start ") }.count == 1, "the tool ran twice at once")
        #expect(text.contains("datasource db") && text.contains(holderRun) && text.contains("pid \(holder.pid)"), "\(text)")
        tool.finish()
        holder.wait()
        #expect(holder.wait().status == 0)
        // The lock went with the holder.
        let after = try CLI.run(Self.run(tree, state: stateB))
        #expect(after.status == 0, "\(after.stderr)")
    }

    @Test("40 simultaneous runs on a fresh state directory: each runs or is refused (exit 0 or 4), none fails creating the journal; refused ones leave no run")
    func simultaneousStarts() throws {
        let tree = try TemporaryTree("qu-lock-40")
        defer { tree.remove() }
        try tree.write("release/app/component.yaml", "datasources:\n  - name: db\n    type: sqlite\n")
        try tree.write("release/app/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties",
                       "sql.a.id=A\nsql.a.description=a\nsql.a.file=a.sql\nsql.a.stage=pre_stop\n")
        try tree.write("release/app/upgrade/V1.0.1/a.sql", "CREATE TABLE IF NOT EXISTS a (x INT);")
        try tree.write("env.yaml", "site: MANY\ndatasources:\n  db: {type: sqlite, path: \(tree.root.appendingPathComponent("app.db").path)}\n")
        try tree.write("app.db", "")
        let state = tree.root.appendingPathComponent("fresh-state").path
        let processes = try (0..<40).map { n in
            try QuickupProcess.start(Self.run(tree, state: state), output: tree.root.appendingPathComponent("out-\(n)"))
        }
        var succeeded = 0
        for (n, process) in processes.enumerated() {
            process.wait()
            let text = (try? String(contentsOf: tree.root.appendingPathComponent("out-\(n)"), encoding: .utf8)) ?? ""
            #expect([0, 4].contains(process.wait().status), "start \(n) exited \(process.wait().status): \(text)")
            #expect(!text.contains("already exists"), "\(text)")
            if process.wait().status == 0 { succeeded += 1 }
        }
        #expect(succeeded >= 1)
        #expect(try Self.runIDs(state).count == succeeded, "only runs that ran are recorded")
    }

    @Test("a lock holder that is an unreaped zombie, or whose pid now names another process, is stale: the next run takes the lock over")
    func staleHolders() throws {
        let tree = try TemporaryTree("qu-lock-stale")
        let tool = LongTool(tree: tree)
        defer {
            tool.killWorkers()
            tree.remove()
        }
        try Self.release(tree, tool: tool)
        tool.finish()
        let state = tree.root.appendingPathComponent("state").path
        #expect(try CLI.run(["history", "--state", state]).status == 0)  // creates the journal
        let journal = "\(state)/journal.sqlite"

        // A zombie: a child that exited and that nobody waits for.
        var zombie: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { argv.forEach { free($0) } }
        #expect(posix_spawn(&zombie, "/bin/true", nil, nil, argv, environ) == 0)
        defer { waitpid(zombie, nil, 0) }
        let became = ContinuousClock.now
        while !((try? String(contentsOfFile: "/proc/\(zombie)/stat", encoding: .utf8))?.contains(") Z ") ?? false) {
            try #require(became.duration(to: .now) < .seconds(30), "hang guard")
            usleep(10_000)
        }
        // This test process, but recorded with another start time: its pid was reused.
        let holders: [(String, pid_t, String)] = [("zombie-run", zombie, ""), ("reused-run", getpid(), "boot:1")]
        for (run, pid, start) in holders {
            try QuickupProcess.sqlite(journal, "INSERT OR REPLACE INTO run_lock (environment, run_id, host, pid, started_at, process_start) VALUES ('site:LOCK', '\(run)', '\(QuickupProcess.hostName)', \(pid), 0, \(start.isEmpty ? "NULL" : "'\(start)'"))")
            let result = try CLI.run(Self.run(tree, state: state, quiet: false))
            #expect(result.status == 0, "holder \(run): \(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("run \(run) (pid \(pid)") && result.stdout.contains("taken over"), "\(result.stdout)")
        }
    }

    @Test("a lock held from another host: refused with the way to break it, which works exactly as printed")
    func breakStaleLockAsPrinted() throws {
        let tree = try TemporaryTree("qu-lock-break")
        let tool = LongTool(tree: tree)
        defer {
            tool.killWorkers()
            tree.remove()
        }
        try Self.release(tree, tool: tool)
        tool.finish()
        let state = tree.root.appendingPathComponent("state").path
        #expect(try CLI.run(["history", "--state", state]).status == 0)
        try QuickupProcess.sqlite("\(state)/journal.sqlite", "INSERT INTO run_lock (environment, run_id, host, pid, started_at) VALUES ('site:LOCK', 'far-run', 'far-away-host', 4242, 0)")
        let refused = try CLI.run(Self.run(tree, state: state))
        #expect(refused.status == 4)
        let hint = try #require(refused.stderr.range(of: "`quickup unlock [^`]*`", options: .regularExpression).map { String(refused.stderr[$0].dropFirst().dropLast()) },
                                "\(refused.stderr)")
        let words = try #require(Self.shellWords(hint))
        #expect(try CLI.run(Array(words.dropFirst())).status == 0)
        let result = try CLI.run(Self.run(tree, state: state))
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Splits a command the way sh would for plain words and single quotes.
    static func shellWords(_ text: String) -> [String]? {
        var words: [String] = [], current = "", quoted = false, inWord = false
        for c in text {
            if c == "'" { quoted.toggle(); inWord = true; continue }
            if c == " ", !quoted {
                if inWord { words.append(current) }
                current = ""; inWord = false
                continue
            }
            current.append(c); inWord = true
        }
        if quoted { return nil }
        if inWord { words.append(current) }
        return words
    }
}
