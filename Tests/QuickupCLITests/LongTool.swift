import Foundation
import QuickupTestSupport
import Testing

/// A tool for crash and lock tests: it starts a worker (found by `marker` in its command line)
/// that logs `start PID`, a `tick PID` every 50 ms and `end PID` to `log` — so overlapping
/// copies show in the log — and waits for it. It runs until the file `short` exists (then a
/// second), at most a minute; `finish()` makes every copy end.
struct LongTool {
    let tree: TemporaryTree
    let marker = "qu-worker-\(UInt32.random(in: 0...UInt32.max))"

    var log: String { tree.root.appendingPathComponent("tool.log").path }
    var short: String { tree.root.appendingPathComponent("short").path }

    /// The tool (`tools/long.sh`) and its worker, written into `versionDirectory` of the tree.
    func write(into versionDirectory: String) throws {
        try tree.write("\(versionDirectory)/tools/long.sh", """
            #!/bin/sh
            sh "$(dirname "$0")/worker.sh" \(marker) &
            wait
            """)
        try tree.write("\(versionDirectory)/tools/worker.sh", """
            n=1200
            cut=0
            echo "start $$" >> "\(log)"
            i=0
            while [ $i -lt $n ]; do
              echo "tick $$" >> "\(log)"
              # Once `short` exists: 20 more ticks (set once — moving the end every tick never ends).
              if [ $cut = 0 ] && [ -e "\(short)" ]; then n=$((i + 20)); cut=1; fi
              sleep 0.05
              i=$((i + 1))
            done
            echo "end $$" >> "\(log)"
            """)
    }

    var lines: [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Waits (hang guard only) until `count` copies have logged their start.
    func waitForStarts(_ count: Int, while process: ChildProcess? = nil) throws {
        let start = ContinuousClock.now
        while lines.filter({ $0.hasPrefix("start ") }).count < count {
            if let process, !process.isRunning { Issue.record("quickup ended before the tool started"); return }
            try #require(start.duration(to: .now) < .seconds(120), "hang guard: the tool never started")
            usleep(20_000)
        }
    }

    func finish() { _ = FileManager.default.createFile(atPath: short, contents: nil) }

    func killWorkers() {
        for pid in processesRunning(containing: marker) { kill(pid, SIGKILL) }
    }
}

enum QuickupProcess {
    /// `quickup run` of a tree's `release/` and `env.yaml` from V1.0.0 to V1.0.1: the command line
    /// the crash, lock and tool-start tests share.
    static func runArguments(_ tree: TemporaryTree, state: String, quiet: Bool = false) -> [String] {
        ["run", "--release", tree.root.appendingPathComponent("release").path, "--env", tree.root.appendingPathComponent("env.yaml").path,
         "--from", "V1.0.0", "--to", "V1.0.1", "--state", state] + (quiet ? ["--quiet"] : [])
    }

    /// Starts the built quickup with `arguments`; output is discarded unless `output` is given;
    /// `environment` is added to the test's own.
    static func start(_ arguments: [String], in directory: URL? = nil, output: URL? = nil, environment: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess.start([CLI.executable.path] + arguments,
                               environment: environment.isEmpty ? nil : ChildProcess.environment(adding: environment),
                               directory: directory?.path, output: output?.path)
    }

    /// Runs a statement on a journal (or any SQLite file) with Python's sqlite3: an independent client.
    @discardableResult
    static func sqlite(_ path: String, _ sql: String) throws -> String {
        try CrashBackend.output(["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchall(); c.commit(); print('\\n'.join('|'.join('' if v is None else str(v) for v in row) for row in r))",
                                 path, sql])
    }

    /// gethostname(2): ProcessInfo.hostName may wait on name resolution.
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
