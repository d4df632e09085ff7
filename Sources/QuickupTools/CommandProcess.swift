import Foundation
import QuickupCore
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A plain child process — `ssh`, `sftp`, `sha256sum` — run to completion with bytes on stdin and
/// its output collected (stdout up to a cap, the tail of stderr). It runs in its own session, so
/// cancelling the calling task ends it and everything it started (SIGTERM, then SIGKILL to the
/// process group). A non-zero exit is a result, not an error.
public enum CommandProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: String
        /// Whether stdout was longer than the cap and cut.
        public var truncated: Bool
        public var succeeded: Bool { status == 0 }
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `arguments` (`arguments[0]` an absolute path or a name in PATH). `environment` adds
    /// to or replaces quickup's own variables.
    public static func run(_ arguments: [String], input: Data = Data(), environment: [String: String] = [:],
                           stdoutLimit: Int = 16 << 20, grace: Duration = .seconds(2)) async throws(QuickupError) -> Result {
        let (program, executable) = try executable(arguments)
        do {
            let result = try await Subprocess.run(
                executable, arguments: Arguments(Array(arguments.dropFirst())),
                environment: updated(environment), platformOptions: options(grace: grace),
                input: .inputWriter, output: .sequence, error: .sequence
            ) { execution -> (Data, Bool, Data) in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        _ = try? await execution.standardInputWriter.write(Array(input))
                        try? await execution.standardInputWriter.finish()
                    }
                    let collected = Collected()
                    group.addTask {
                        for try await buffer in execution.standardOutput {
                            buffer.withUnsafeBytes { collected.appendOut($0, limit: stdoutLimit) }
                        }
                    }
                    group.addTask {
                        for try await buffer in execution.standardError {
                            buffer.withUnsafeBytes { collected.appendErr($0) }
                        }
                    }
                    try await group.waitForAll()
                    return collected.values
                }
            }
            if Task.isCancelled { throw CancellationError() }
            let (out, truncated, err) = result.closureResult
            return Result(status: status(result.terminationStatus), stdout: out, stderr: String(decoding: err, as: UTF8.self), truncated: truncated)
        } catch {
            if Task.isCancelled || error is CancellationError {
                throw QuickupError(.cancelled, "\(program) was stopped (its process group was killed)")
            }
            throw QuickupError(.io, "cannot run \(program): \(error)", hint: "check that \(program) is installed and on PATH")
        }
    }

    /// Runs `arguments` with stdin read from `stdin` and stdout written to `stdout` — descriptors
    /// the caller opened and still owns (nil: /dev/null) — and the tail of stderr collected: a
    /// client streaming a file, `mariadb-dump > file` or `mariadb < dump`, too large for memory.
    /// `started` is called once the process runs. Cancelling ends its process group, as `run` does.
    public static func run(_ arguments: [String], stdin: Int32?, stdout: Int32?, environment: [String: String] = [:],
                           grace: Duration = .seconds(2), started: @Sendable () -> Void = {}) async throws(QuickupError) -> Result {
        let (program, executable) = try executable(arguments)
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { throw QuickupError(.io, "cannot open /dev/null: \(String(cString: strerror(errno)))") }
        defer { close(null) }
        do {
            let result = try await Subprocess.run(
                executable, arguments: Arguments(Array(arguments.dropFirst())),
                environment: updated(environment), platformOptions: options(grace: grace),
                input: .fileDescriptor(FileDescriptor(rawValue: stdin ?? null), closeAfterSpawningProcess: false),
                output: .fileDescriptor(FileDescriptor(rawValue: stdout ?? null), closeAfterSpawningProcess: false),
                error: .sequence
            ) { execution -> Data in
                started()
                let collected = Collected()
                for try await buffer in execution.standardError {
                    buffer.withUnsafeBytes { collected.appendErr($0) }
                }
                return collected.values.2
            }
            if Task.isCancelled { throw CancellationError() }
            return Result(status: status(result.terminationStatus), stdout: Data(), stderr: String(decoding: result.closureResult, as: UTF8.self), truncated: false)
        } catch {
            if Task.isCancelled || error is CancellationError {
                throw QuickupError(.cancelled, "\(program) was stopped (its process group was killed)")
            }
            throw QuickupError(.io, "cannot run \(program): \(error)", hint: "check that \(program) is installed and on PATH")
        }
    }

    private static func status(_ termination: TerminationStatus) -> Int32 {
        switch termination {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    /// Runs a command that leaves something running in the background (`ssh -f` forks its master
    /// and keeps the descriptors it was given): stdin, stdout and stderr are /dev/null, so no pipe
    /// of quickup is held open by the background process. Returns the exit status.
    public static func runDetaching(_ arguments: [String], environment: [String: String] = [:]) async throws(QuickupError) -> Int32 {
        let (program, executable) = try executable(arguments)
        do {
            let result = try await Subprocess.run(
                executable, arguments: Arguments(Array(arguments.dropFirst())),
                environment: updated(environment), platformOptions: options(grace: .seconds(2)), input: .none, output: .discarded, error: .discarded)
            if Task.isCancelled { throw CancellationError() }
            return status(result.terminationStatus)
        } catch {
            if Task.isCancelled || error is CancellationError {
                throw QuickupError(.cancelled, "\(program) was stopped (its process group was killed)")
            }
            throw QuickupError(.io, "cannot run \(program): \(error)", hint: "check that \(program) is installed and on PATH")
        }
    }

    private static func executable(_ arguments: [String]) throws(QuickupError) -> (String, Executable) {
        guard let program = arguments.first else { throw QuickupError(.invalidArgument, "no command to run") }
        return (program, program.contains("/") ? .path(FilePath(program)) : .name(program))
    }

    /// Own session; on cancellation SIGTERM to the whole group, SIGKILL after `grace`.
    private static func options(grace: Duration) -> PlatformOptions {
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.send(signal: .terminate, toProcessGroup: true, allowedDurationToNextStep: grace),
                                    .send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .seconds(1))]
        return options
    }

    private static func updated(_ environment: [String: String]) -> Subprocess.Environment {
        .inherit.updating(Dictionary(uniqueKeysWithValues: environment.map { (Subprocess.Environment.Key(stringLiteral: $0.key), Optional($0.value)) }))
    }

    /// Output gathered by the reader tasks: stdout up to its cap, the last 8 KiB of stderr.
    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var out = Data(), err = Data(), truncated = false
        static let stderrTail = 8192

        func appendOut(_ bytes: UnsafeRawBufferPointer, limit: Int) {
            lock.withLock {
                let room = max(0, limit - out.count)
                if bytes.count > room { truncated = true }
                out.append(contentsOf: bytes.prefix(room))
            }
        }

        func appendErr(_ bytes: UnsafeRawBufferPointer) {
            lock.withLock {
                err.append(contentsOf: bytes)
                if err.count > Self.stderrTail { err = err.suffix(Self.stderrTail) }
            }
        }

        var values: (Data, Bool, Data) { lock.withLock { (out, truncated, err) } }
    }
}
