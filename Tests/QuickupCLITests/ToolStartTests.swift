import Foundation
import QuickupTestSupport
import Testing

/// Issue 13 item 3: Python tools must run wherever the state directory is — under /tmp hidden
/// by a third_party sandbox's private /tmp, or relative (the default `.quickup`) — and a tool
/// that cannot be started at all is quickup's own error that stops the run, never a tool
/// failure that a "continue" policy lets through with the tool never run.
@Suite("Starting tools (issue 13 item 3)", .serialized)
struct ToolStartTests {
    /// A release with one tool of `pluginClass` (`entry` as its .package) and a SQL task after it.
    static func release(_ tree: TemporaryTree, pluginClass: String, entry: String) throws {
        try tree.write("release/app/component.yaml", "plugin_class: \(pluginClass)\ndatasources:\n  - name: db\n    type: sqlite\n")
        try tree.write("release/app/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties", """
            tool.py.id=P
            tool.py.description=python tool
            tool.py.package=\(entry)
            tool.py.stage=pre_stop
            sql.after.id=A
            sql.after.description=after the tool
            sql.after.file=after.sql
            sql.after.stage=pre_stop
            sql.after.depends=py
            """)
        try tree.write("release/app/upgrade/V1.0.1/after.sql", "CREATE TABLE after_tool (x INT);")
        // The tool proves it ran by writing into its work directory (writable even for third_party).
        try tree.write("release/app/upgrade/V1.0.1/tools/stamp.py", """
            import quickup_tool as q

            def main(ctx):
                with open("stamped.txt", "w") as f:
                    f.write(ctx.run_id)
                return {"stamped": True}
            """)
        try tree.write("env.yaml", "site: PY\ndatasources:\n  db: {type: sqlite, path: \(tree.root.appendingPathComponent("app.db").path)}\n")
        try tree.write("app.db", "")
    }

    static func run(_ tree: TemporaryTree, state: String) -> [String] {
        QuickupProcess.runArguments(tree, state: state)
    }

    static func stamped(_ tree: TemporaryTree) -> Bool {
        FileManager.default.fileExists(atPath: tree.root.appendingPathComponent("release/app/upgrade/V1.0.1/stamped.txt").path)
    }

    @Test("a third_party Python tool with the state directory under /tmp runs (the helper is bound into its private /tmp)")
    func thirdPartyWithStateUnderTmp() throws {
        let tree = try TemporaryTree("qu-py-tmp")
        defer { tree.remove() }
        try Self.release(tree, pluginClass: "third_party", entry: "stamp:main")
        let state = tree.root.appendingPathComponent("state").path
        #expect(state.hasPrefix("/tmp/"), "the case of the issue: \(state)")
        let result = try CLI.run(Self.run(tree, state: state))
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(Self.stamped(tree), "the tool never ran: \(result.stdout)")
        #expect(!result.stdout.contains("IGNORED"), "\(result.stdout)")
    }

    @Test("a relative --state: the tool finds the helper, and no .pyc is written into the release")
    func relativeState() throws {
        let tree = try TemporaryTree("qu-py-rel")
        defer { tree.remove() }
        try Self.release(tree, pluginClass: "business", entry: "stamp:main")
        let result = try CLI.run(Self.run(tree, state: "relative-state"), in: tree.root)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(Self.stamped(tree), "the tool never ran: \(result.stdout)")
        let files = FileManager.default.enumerator(atPath: tree.root.appendingPathComponent("release").path)?.allObjects as? [String] ?? []
        #expect(!files.contains { $0.hasSuffix(".pyc") || $0.hasSuffix("__pycache__") }, "\(files)")
    }

    @Test("a tool that cannot be started stops the run with quickup's error, whatever its class's failure policy",
          arguments: ["missing interpreter", "missing python3", "wrong format"])
    func notStartedStopsTheRun(case name: String) throws {
        let tree = try TemporaryTree("qu-py-nostart")
        defer { tree.remove() }
        var environment: [String: String] = [:]
        switch name {
        case "missing interpreter":
            try Self.release(tree, pluginClass: "third_party", entry: "tools/tool.sh")
            try tree.write("release/app/upgrade/V1.0.1/tools/tool.sh", "#!/nonexistent/bin/python9\nprint('hi')\n")
        case "missing python3":
            try Self.release(tree, pluginClass: "business", entry: "stamp:main")
            environment["PATH"] = tree.root.path
        default:
            try Self.release(tree, pluginClass: "third_party", entry: "tools/tool.bin")
            // An ELF header for another machine (s390x, big-endian).
            var header = [UInt8](repeating: 0, count: 64)
            header[0...3] = [0x7F, 0x45, 0x4C, 0x46]
            header[4] = 2; header[5] = 2; header[6] = 1; header[17] = 2; header[19] = 22
            let path = tree.root.appendingPathComponent("release/app/upgrade/V1.0.1/tools/tool.bin").path
            _ = FileManager.default.createFile(atPath: path, contents: Data(header), attributes: [.posixPermissions: 0o755])
        }
        let result = try CLI.run(Self.run(tree, state: tree.root.appendingPathComponent("state").path), environment: environment)
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect((result.stdout + result.stderr).contains("could not be started"), "\(result.stdout)\n\(result.stderr)")
        #expect(!result.stdout.contains("IGNORED") && !result.stdout.contains("SKIPPED"), "\(result.stdout)")
        let tables = try CrashBackend.output(["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM sqlite_master WHERE name = 'after_tool'\").fetchone()[0])",
                                              tree.root.appendingPathComponent("app.db").path])
        #expect(tables == "0", "the run went on past a tool that never ran")
    }
}
