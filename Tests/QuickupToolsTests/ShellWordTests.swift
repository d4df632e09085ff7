import Foundation
import Subprocess
import Testing
@testable import QuickupTools

/// T1, T3: a launch script holds the tool's directory, environment and arguments as quoted words
/// only, so no value is ever run as shell code. Checked against the shell itself: every word comes
/// back from `/bin/sh` byte for byte, and only names `export` accepts are exported.
@Suite("Shell words in launch scripts (T1, T3, issue 20.2)")
struct ShellWordTests {
    static let words = ["", "plain", "it's", "''", "'", "a'b'c", "$HOME `id` $(id) \"q\" \\n", "tab\tnew\nline", "ünïcødé ✓ 😀",
                        "; rm -rf / #", "*", "-n", "a\\'b", String(repeating: "x'", count: 300)]

    @Test("every word comes back from the shell as it was", arguments: words)
    func roundTrip(_ word: String) async throws {
        let script = "printf '%s' \(ToolSandbox.quoted(word))"
        let result = try await Subprocess.run(.path("/bin/sh"), arguments: ["-c", script], output: .bytes(limit: 1 << 20), error: .discarded)
        #expect(result.terminationStatus.isSuccess)
        #expect(result.standardOutput == Array(word.utf8), "\(script)")
    }

    @Test("names the shell can export, and only those")
    func names() {
        for name in ["PATH", "_", "_x1", "a", "Z9_", "PYTHONUNBUFFERED", "lower_case"] { #expect(ToolSandbox.isShellName(name), "\(name)") }
        for name in ["", "1A", "A-B", "A.B", "A B", "É", "A=", "@", "[", "`", "{", "A\u{0}"] { #expect(!ToolSandbox.isShellName(name), "\(name)") }
    }
}
