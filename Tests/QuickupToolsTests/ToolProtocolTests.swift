import Foundation
import QuickupCore
import Testing
@testable import QuickupTools

/// T1: the protocol between quickup and a tool, over a real child process.
@Suite("Tool protocol (T1)")
struct ToolProtocolTests {
    @Test("structured lines become messages, other lines are text, the context arrives on stdin")
    func protocolLines() async throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        let tool = try fixture.script("tool.sh", """
            #!/bin/sh
            read -r context
            echo "plain text line"
            echo '{"progress": {"percent": 40, "message": "4 of 10"}}'
            echo '{"log": {"level": "warn", "message": "careful"}}'
            echo '{"not json'
            echo "context=$context task=$QUICKUP_TASK pwd=$(pwd)"
            echo "to stderr" >&2
            echo '{"result": {"rows": 42}}'
            """)
        let (outcome, events) = try await fixture.run(fixture.invocation(tool, context: #"{"run_id":"R1"}"#))
        #expect(outcome.succeeded)
        #expect(outcome.result == #"{"rows":42}"#)
        #expect(events.contains(.message(.text("plain text line"))))
        #expect(events.contains(.message(.progress(fraction: 0.4, message: "4 of 10"))))
        #expect(events.contains(.message(.log(level: "warn", message: "careful"))))
        #expect(events.contains(.message(.text(#"{"not json"#))))
        #expect(events.contains(.message(.text(#"context={"run_id":"R1"} task=test-tool pwd=\#(fixture.directory)"#))))
        #expect(events.contains(.stderr("to stderr")))
    }

    @Test("a failing tool reports its exit status and the last lines of stderr")
    func failure() async throws {
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        let tool = try fixture.script("fail.sh", """
            #!/bin/sh
            for i in $(seq 1 30); do echo "noise $i" >&2; done
            echo "table orders is locked" >&2
            exit 3
            """)
        let (outcome, _) = try await fixture.run(fixture.invocation(tool))
        #expect(outcome.ending == .exited(3))
        #expect(!outcome.succeeded)
        #expect(outcome.stderrTail.hasSuffix("table orders is locked"))
        #expect(!outcome.stderrTail.contains("noise 5\n"), "only the tail is kept")
    }

    @Test("the tool does not inherit quickup's environment (it may hold secrets)")
    func cleanEnvironment() async throws {
        setenv("QUICKUP_TEST_SECRET_FOR_TOOLS", "s3cret", 1)
        defer { unsetenv("QUICKUP_TEST_SECRET_FOR_TOOLS") }
        let fixture = try ToolFixture()
        defer { fixture.remove() }
        let tool = try fixture.script("env.sh", "#!/bin/sh\nenv\n")
        let (outcome, events) = try await fixture.run(fixture.invocation(tool))
        #expect(outcome.succeeded)
        let lines = events.compactMap { event -> String? in
            if case .message(.text(let line)) = event { return line }
            return nil
        }
        #expect(lines.contains("QUICKUP_TASK=test-tool"))
        #expect(!lines.contains { $0.contains("s3cret") })
    }

    @Test("message parsing: percent, fraction, done/total, bare number, levels, garbage")
    func parsing() {
        #expect(ToolMessage.parse(#"{"progress": 0.25}"#) == .progress(fraction: 0.25, message: nil))
        #expect(ToolMessage.parse(#"{"progress": 75}"#) == .progress(fraction: 0.75, message: nil))
        #expect(ToolMessage.parse(#"{"progress": {"done": 3, "total": 12}}"#) == .progress(fraction: 0.25, message: nil))
        #expect(ToolMessage.parse(#"{"progress": {"percent": 250}}"#) == .progress(fraction: 1, message: nil))
        #expect(ToolMessage.parse(#"{"log": "hello"}"#) == .log(level: "info", message: "hello"))
        #expect(ToolMessage.parse(#"{"log": {"level": "WARNING", "message": "x"}}"#) == .log(level: "warn", message: "x"))
        #expect(ToolMessage.parse(#"{"result": [1, "a"]}"#) == .result(json: #"[1,"a"]"#))
        #expect(ToolMessage.parse(#"{"result": 1, "extra": 2}"#) == .text(#"{"result": 1, "extra": 2}"#))
        #expect(ToolMessage.parse(#"{"other": 1}"#) == .text(#"{"other": 1}"#))
        #expect(ToolMessage.parse("[1,2]") == .text("[1,2]"))
    }

    @Test("line assembly cuts over-long lines and keeps CRLF lines clean")
    func lines() {
        var assembler = LineAssembler(maxLineBytes: 8)
        var got: [(String, Bool)] = []
        let input = Array("short\r\n0123456789abc\nlast".utf8)
        input.withUnsafeBytes { assembler.append($0) { got.append(($0, $1)) } }
        assembler.finish { got.append(($0, $1)) }
        #expect(got.map(\.0) == ["short", "01234567", "last"])
        #expect(got.map(\.1) == [false, true, false])
    }
}
