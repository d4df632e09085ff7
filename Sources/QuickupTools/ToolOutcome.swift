import QuickupCore

/// How a tool's process ended and what it reported (T1).
public struct ToolOutcome: Sendable {
    public enum Ending: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        public var description: String {
            switch self {
            case .exited(let code): "exited with status \(code)"
            case .signalled(let signal): "was killed by signal \(signal) (\(Self.signalName(signal)))"
            }
        }

        static func signalName(_ signal: Int32) -> String {
            let names: [Int32: String] = [1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS",
                                          8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 15: "SIGTERM",
                                          24: "SIGXCPU", 25: "SIGXFSZ"]
            return names[signal] ?? "signal \(signal)"
        }
    }

    public var ending: Ending
    /// The last `{"result": …}` the tool printed, as JSON text.
    public var result: String?
    /// The last lines of stderr, for the error message.
    public var stderrTail: String
    public var stdoutBytes: Int64 = 0
    public var stdoutLines: Int = 0
    /// The limit that stopped the tool, when one did (T3).
    public var limitHit: PluginLimitKind?
    /// Processes still running after the tool's main process ended; quickup killed them.
    public var leftoversKilled: Int = 0
    public var cpuSeconds: Double?
    public var peakMemory: ByteSize?

    public var succeeded: Bool { ending == .exited(0) && limitHit == nil }
}

/// What a running tool reports, as it happens.
public enum ToolEvent: Sendable, Equatable {
    case message(ToolMessage)
    case stderr(String)
    /// The tool printed more than the log budget; further text is counted, not kept.
    case outputTruncated(afterBytes: Int64)
}
