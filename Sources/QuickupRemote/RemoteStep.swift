import Foundation
import QuickupCore

/// A command that must run at most once on a host even if the link drops under it (S1). It runs
/// detached (`setsid nohup`) under a small wrapper that records, in a marker directory keyed by
/// run id and step id, its pid, its output and finally its exit status. Creating that directory
/// (`mkdir`, atomic) is the claim: a second launch finds it and does not start the command again.
/// After a reconnect quickup reads the marker — finished: take its result; still running: wait;
/// never started: start it.
public struct RemoteStep: Sendable, Hashable {
    public var runID: String
    public var stepID: String
    /// Shell text run with `sh` on the host; its stdin is /dev/null.
    public var command: String

    public init(runID: String, stepID: String, command: String) {
        self.runID = runID
        self.stepID = stepID
        self.command = command
    }

    /// `<state>/steps/<run>/<step>` on the host, names reduced to safe characters.
    public func markerDirectory(on host: HostConfig) -> String {
        "\(host.remoteStateDir)/steps/\(Self.safe(runID))/\(Self.safe(stepID))"
    }

    public static func safe(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" })
    }
}

/// How a remote step ended.
public struct RemoteStepOutcome: Sendable, Equatable {
    public var exitCode: Int32
    /// The last 64 KiB of each stream.
    public var stdout: String
    public var stderr: String
    /// False when the marker showed the step had been started before (by an earlier run or
    /// before a drop) and this call only collected its result.
    public var startedByThisCall: Bool
    public var succeeded: Bool { exitCode == 0 }
}

/// The wrapper scripts, sent over stdin to `sh -s` (nothing on the remote command line).
enum RemoteStepScripts {
    static let outputTail = 65_536

    /// Claims the marker directory and starts the step detached; prints `launched` or `exists`.
    /// SIGHUP and SIGPIPE are ignored so a drop while it runs cannot leave a claim without a start.
    static func launch(_ step: RemoteStep, directory: String) -> String {
        let eof = "QUICKUP_STEP_\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        let body = step.command.hasSuffix("\n") ? step.command : step.command + "\n"
        return """
        trap '' HUP PIPE
        umask 077
        d=\(ShellQuoting.quote(directory))
        mkdir -p "${d%/*}" || exit 3
        if ! mkdir "$d" 2>/dev/null; then echo exists; exit 0; fi
        cat > "$d/command" <<'\(eof)'
        \(body)\(eof)
        : > "$d/started"  # its time is the launch time (ls -l)
        setsid nohup sh -c 'd="$1"; sh "$d/command" > "$d/stdout" 2> "$d/stderr" < /dev/null; echo $? > "$d/exit.tmp"; mv "$d/exit.tmp" "$d/exit"' quickup-step "$d" > /dev/null 2>&1 < /dev/null &
        echo $! > "$d/pid"
        echo launched

        """
    }

    /// Waits for the step to finish and prints `finished CODE`, then the tails of its stdout and
    /// stderr, each followed by a line `\n<end>` (`end` is new per call, so no output can hold
    /// it) — or `never` (no marker) or `lost` (its process is gone without an exit status).
    /// The end lines instead of byte counts save the copies and counts (five processes, ~15 ms
    /// on a busy host) on every step's way back. It looks again after 5 ms, then twice as long
    /// each time up to `poll`: a quick step is seen done at once, a long one costs few looks.
    static func wait(directory: String, poll: TimeSpan, end: String) -> String {
        """
        d=\(ShellQuoting.quote(directory))
        [ -d "$d" ] || { echo never; exit 0; }
        \(ShellBackoff.define(upTo: poll))
        n=0
        while [ ! -f "$d/exit" ]; do
          pid=$(cat "$d/pid" 2>/dev/null)
          if [ -n "$pid" ]; then
            kill -0 "$pid" 2>/dev/null || { [ -f "$d/exit" ] || { echo lost; exit 0; }; }
          elif [ $n -gt 100 ]; then echo lost; exit 0
          fi
          n=$((n + 1))
          nap
        done
        read -r code < "$d/exit"
        echo "finished $code"
        tail -c \(outputTail) "$d/stdout" 2>/dev/null; printf '\\n%s\\n' \(end)
        tail -c \(outputTail) "$d/stderr" 2>/dev/null; printf '\\n%s\\n' \(end)

        """
    }

    /// A fresh end marker for `wait`.
    static func endMarker() -> String { "QUICKUP_END_\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))" }
}

extension RemoteStepScripts {
    /// `launch`, `wait` and — when the step exited 0 — `followUp` as one script: one round trip
    /// where three were (S1, issue 15: a start inside the outage). Each part runs in a subshell
    /// so its `exit` ends only that part; `followUp` may read the marker directory as `$d`. The
    /// whole is safe to repeat after a drop when `followUp` is (the launch finds its claim).
    /// Prints `launched`/`exists`, then what `wait` prints, then what `followUp` prints.
    static func launchWaitThen(_ step: RemoteStep, directory: String, poll: TimeSpan, end: String, followUp: String) -> String {
        """
        (
        \(launch(step, directory: directory))
        )
        (
        \(wait(directory: directory, poll: poll, end: end))
        )
        d=\(ShellQuoting.quote(directory))
        code=; read -r code 2>/dev/null < "$d/exit"
        if [ "$code" = 0 ]; then
        (
        \(followUp)
        )
        fi

        """
    }
}

/// A shell function `nap` that sleeps 5 ms, then twice as long at each call, up to a ceiling:
/// the host's waits see a quick change at once without polling fast for long.
enum ShellBackoff {
    static func define(upTo ceiling: TimeSpan) -> String {
        let most = max(5, ceiling.milliseconds)
        return "nap_ms=5\nnap() { if [ $nap_ms -ge 1000 ]; then sleep $((nap_ms / 1000)); else sleep 0.$(printf '%03d' $nap_ms); fi; "
            + "nap_ms=$((nap_ms * 2)); [ $nap_ms -gt \(most) ] && nap_ms=\(most); return 0; }"
    }
}
