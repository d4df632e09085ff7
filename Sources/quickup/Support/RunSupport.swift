import ArgumentParser
import Foundation
import QuickupCore
import QuickupOperations
import QuickupRun

/// `--state DIR` (default `.quickup/`).
struct StateOption: ParsableArguments {
    static let defaultDirectory = ".quickup"

    @Option(name: .long, help: "State directory holding the journal and run logs.")
    var state: String = StateOption.defaultDirectory

    /// A file where the directory should be is a mistake in the command line (exit 2), not a failure.
    func validate() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: state, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ValidationError("--state \(state) is a file, not a directory; pass the state directory (default \(Self.defaultDirectory))")
        }
    }
}

/// Flags shared by `run` and `resume` (E4, E9, M7).
struct ExecutionOptions: ParsableArguments {
    @Option(name: .customLong("confirm-rerun"), help: "Re-run this interrupted, non-retryable task (uid or key); repeatable.")
    var confirmRerun: [String] = []

    @Option(name: .customLong("accept-changed"), help: "Accept that this applied task's file changed (uid or key); repeatable.")
    var acceptChanged: [String] = []

    @Flag(name: .long, help: "Print only the final summary.")
    var quiet = false

    @Flag(name: .long, help: "Print a JSON summary (run id, status, counts, each task's result, error and hint) on stdout; progress goes to stderr.")
    var json = false
}

enum RunOutcome {
    /// Maps a finished run to the exit status of SPEC §13. The run's own output ended with the
    /// error (`FAILED: …`); it is printed here only when that output was not shown (`--quiet`).
    static func status(_ result: RunResult, shown: Bool) -> ExitStatus {
        guard let error = result.error else { return .success }
        // E6: a refused run says who holds the lock and what to do, with --quiet too.
        if !shown { Console.error("error: \(error)") }
        if error.code == .locked { return .locked }
        return error.isInvalidInput ? .invalidInput : .failed
    }

    /// Where a run's lines go: the terminal (or stderr when stdout carries `--json`), nowhere when quiet.
    static func output(quiet: Bool, json: Bool = false, display: TerminalDisplay? = nil) -> RunOutput {
        if quiet { return RunOutput(console: nil) }
        if json { return RunOutput(console: { Console.error($0) }) }
        if let display { return RunOutput(console: { display.line($0) }, board: display.board) }
        let console: @Sendable (String) -> Void = { line in print(line) }
        return RunOutput(console: console)
    }

    /// A live display when standard output is a terminal and the run is not quiet (E9).
    static func display(quiet: Bool, json: Bool = false) -> TerminalDisplay? {
        guard !quiet, !json, TerminalDisplay.isInteractive else { return nil }
        return TerminalDisplay { text in Console.write(text, to: .standardOutput) }
    }

    /// Runs the executor with the display refreshing beside it (E9) and Ctrl-C / SIGTERM
    /// cancelling it cleanly; the display and the signal watch stop with the run.
    static func run(_ executor: Executor<ContinuousClock>, _ request: RunRequest, display: TerminalDisplay?) async -> RunResult {
        await run(display: display) { await executor.run(request) }
    }

    /// The same for any work that ends in a RunResult (a rollback).
    static func run(display: TerminalDisplay?, _ work: @escaping @Sendable () async -> RunResult) async -> RunResult {
        await run(display: display, cancelled: RunResult(runID: "-", status: .cancelled, error: QuickupError(.cancelled, "the run was cancelled before it started")), work)
    }

    /// The same for any work (an upgrade): `cancelled` is the result when a signal ends it first.
    static func run<T: Sendable>(display: TerminalDisplay?, cancelled: T, _ work: @escaping @Sendable () async -> T) async -> T {
        await withTaskGroup(of: T?.self) { group in
            group.addTask { await work() }
            if let display {
                group.addTask {
                    await display.refreshLoop()
                    return nil
                }
            }
            group.addTask {
                await Interruption.wait()
                return nil
            }
            var result: T?
            while let next = await group.next() {
                // The work ended (stop the helpers), or a signal arrived (cancel the work and wait for it).
                group.cancelAll()
                if let next { result = next }
            }
            return result ?? cancelled
        }
    }
}

/// Prints a run's JSON summary; a summary that cannot be encoded is said on stderr, not lost silently.
func printSummary(_ summary: RunSummary) {
    do { try printJSON(summary) } catch { Console.error("error: cannot encode the JSON summary: \(error)") }
}
