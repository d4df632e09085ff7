import Foundation
import QuickupTestSupport
import Testing

/// E9 through the real executable: on a terminal (a pseudo-terminal from `script`) a run shows
/// a live block of running tasks; into a pipe it prints plain lines only.
@Suite("Live display on a terminal (E9)")
struct LiveDisplayCLITests {
    static let release: [String: String] = [
        "release/app/component.yaml": "datasources:\n  - name: db\n    type: sqlite\n",
        "release/app/upgrade/V1.0.1/upgrade_tasks_V1.0.1.properties": """
            tool.slow.id=SLOW-1
            tool.slow.description=Copies slowly and says how far it is
            tool.slow.package=tools/slow.sh
            tool.slow.stage=pre_stop
            """,
        "release/app/upgrade/V1.0.1/tools/slow.sh": """
            #!/bin/sh
            echo '{"progress": {"percent": 40, "message": "copied 4 of 10 tables"}}'
            sleep 2.5
            """,
        "env.yaml": "site: T\ndatasources:\n  db: {type: sqlite, path: app.db}\n",
        "app.db": "",
    ]

    @Test("a terminal gets a redrawn block with elapsed time and the tool's percent and message; a pipe does not")
    func terminal() throws {
        let tree = try TemporaryTree("qu-live", files: Self.release)
        defer { tree.remove() }
        let dir = tree.root
        let arguments = ["run", "--release", dir.appendingPathComponent("release").path, "--env", dir.appendingPathComponent("env.yaml").path,
                         "--from", "V1.0.0", "--to", "V1.0.1", "--stage", "all", "--state", dir.appendingPathComponent("state").path]
        let command = ([CLI.executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let process = try ChildProcess.run(["/usr/bin/script", "-q", "-e", "-c", command, "/dev/null"],
                                           environment: ChildProcess.environment(adding: ["TERM": "xterm"]))
        let text = process.stdout
        #expect(process.status == 0, "\(text)")
        #expect(text.contains("▸ app V1.0.1 tool.slow"), "\(text.debugDescription)")
        #expect(text.contains("40 %  copied 4 of 10 tables"), "\(text.debugDescription)")
        #expect(text.contains("\u{1B}[1A\u{1B}[J"), "the block is redrawn in place")
        #expect(text.contains("[SUCCESS] app V1.0.1 tool.slow"))

        try? FileManager.default.removeItem(at: dir.appendingPathComponent("state"))
        let piped = try CLI.run(arguments)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(!piped.stdout.contains("\u{1B}["), "no escape sequences into a pipe")
        #expect(!piped.stdout.contains("▸"))
    }
}
