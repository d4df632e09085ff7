import Foundation
import QuickupCore
import QuickupRun

/// The command lines quickup prints as "what to do next" (L2): complete, with the flags that were
/// used and the program as it was called, so they run exactly as printed.
enum NextCommand {
    /// The program as the operator called it (`quickup`, `./quickup`, `.build/debug/quickup`).
    static var program: String { CommandLine.arguments.first ?? "quickup" }

    static func line(_ words: [String]) -> String {
        ([program] + words).map(shellQuoted).joined(separator: " ")
    }

    /// `--release R --env E [--state S]`: the flags every command continuing a run needs.
    static func site(release: String, env: String, state: String) -> [String] {
        ["--release", release, "--env", env] + stateFlag(state)
    }

    /// `--state S`, left out when S is the default.
    static func stateFlag(_ state: String) -> [String] {
        state == StateOption.defaultDirectory ? [] : ["--state", state]
    }

    static func resume(_ runID: String, release: String, env: String, state: String) -> String {
        line(["resume", runID] + site(release: release, env: env, state: state))
    }

    static func rollback(_ runID: String, release: String, env: String, state: String) -> String {
        line(["rollback", runID] + site(release: release, env: env, state: state))
    }

    /// The two ways on from an upgrade paused at the verification gate, as complete command lines.
    static func pausedWays(release: String, env: String, state: String) -> PausedUpgradeWays {
        let flags = site(release: release, env: env, state: state)
        return PausedUpgradeWays(resume: { line(["upgrade", "--resume", $0] + flags + ["--verified"]) },
                                 rollback: { line(["rollback", $0] + flags) })
    }

    /// ASCII letters, digits and `_-./=:,+@%`: what a shell reads as itself outside quotes.
    private static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "_-./=:,+@%".utf8.contains(byte)
        }
    }

    /// A word as a POSIX shell reads it back unchanged: bare when it is plain, else single-quoted.
    static func shellQuoted(_ word: String) -> String {
        if !word.isEmpty, word.utf8.allSatisfy(isPlain) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
