import Foundation

/// A child process for tests, started with `posix_spawn` and waited for by its own pid — the one
/// way tests start programs.
///
/// Why not Foundation's `Process`: on Linux it learns that a child ended when a socket the child
/// inherited reaches EOF, on one manager thread shared by every `Process` of the test process.
/// With tests in parallel, a child started by one test can inherit another test's socket (or
/// pipe) in the instant between its creation and the other spawn's close list; the first test's
/// child then ends but is never reaped while the holder lives, and the manager thread's blocking
/// `waitpid` can stall every other `Process`. Twice a whole suite sat idle with zombie `quickup`
/// children. Here every child gets nothing of the test process but stdin/stdout/stderr (all
/// other descriptors closed at spawn), output goes to files the child opens itself (no pipe ends
/// held by the test process), and each wait is `waitpid` on that child's pid alone.
public final class ChildProcess: @unchecked Sendable {
    public enum Input: Sendable {
        case null
        case data(Data)
        case file(String)
    }

    /// How a child ended.
    public struct Exit: Sendable, Equatable {
        /// The exit code, or the signal number when a signal ended it (as Foundation reports it).
        public var status: Int32
        public var signaled: Bool
        /// The shell's convention: the code, or 128 + the signal.
        public var shellStatus: Int32 { signaled ? 128 + status : status }
    }

    /// What `run` returns.
    public struct Output: Sendable {
        public var status: Int32
        public var signaled: Bool
        public var stdoutData: Data
        public var stderr: String
        public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let pid: pid_t
    private let outputPath: String
    private let errorPath: String
    private let inputPath: String?
    /// Whether the output file is this object's to remove (not a file the caller named).
    private let ownsOutput: Bool
    private let lock = NSLock()
    private var ended: Exit?

    private init(pid: pid_t, outputPath: String, errorPath: String, inputPath: String?, ownsOutput: Bool) {
        self.pid = pid
        self.ownsOutput = ownsOutput
        self.outputPath = outputPath
        self.errorPath = errorPath
        self.inputPath = inputPath
    }

    deinit {
        if ownsOutput { unlink(outputPath) }
        unlink(errorPath)
        if let inputPath { unlink(inputPath) }
    }

    /// Starts `arguments` (`arguments[0]` an absolute path, or a name looked up in PATH).
    /// `environment` replaces the test process's own when given. The child is the leader of a
    /// process group of its own (as with Foundation's `Process`). With `combined`, stderr goes
    /// where stdout goes (`stdout` holds both, in order); `output` names the file for both.
    public static func start(_ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
                             input: Input = .null, combined: Bool = false, output: String? = nil) throws -> ChildProcess {
        guard let first = arguments.first else { throw Failure(description: "no program to start") }
        let program = try resolve(first)
        let base = "/tmp/qutest-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        var inputPath: String?
        let stdinPath: String
        switch input {
        case .null: stdinPath = "/dev/null"
        case .file(let path): stdinPath = path
        case .data(let data):
            inputPath = base + ".in"
            stdinPath = base + ".in"
            try data.write(to: URL(fileURLWithPath: stdinPath))
        }
        let outputPath = output ?? base + ".out"
        let pid = try spawn([program] + arguments.dropFirst(), stdin: stdinPath, stdout: outputPath,
                            stderr: combined || output != nil ? outputPath : base + ".err",
                            environment: environment, directory: directory, ownGroup: true)
        return ChildProcess(pid: pid, outputPath: outputPath, errorPath: base + ".err", inputPath: inputPath,
                            ownsOutput: output == nil)
    }

    /// Starts `arguments`, waits for the end and returns status and output.
    public static func run(_ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
                           input: Input = .null) throws -> Output {
        let child = try start(arguments, environment: environment, directory: directory, input: input)
        let exit = child.wait()
        return Output(status: exit.status, signaled: exit.signaled, stdoutData: child.stdoutData, stderr: child.stderr)
    }

    /// The test process's environment with `changes` applied.
    public static func environment(adding changes: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(changes) { _, new in new }
    }

    /// Waits for the end (polling this pid only, so any number of threads may wait).
    @discardableResult
    public func wait() -> Exit {
        var pause: UInt32 = 1_000
        while true {
            if let exit = poll() { return exit }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// Waits for the end without holding a thread of the cooperative pool.
    @discardableResult
    public func ended() async -> Exit {
        var pause: UInt64 = 1_000_000
        while true {
            if let exit = poll() { return exit }
            do { try await Task.sleep(nanoseconds: pause) } catch { usleep(UInt32(pause / 1_000)) }
            pause = min(pause * 2, 20_000_000)
        }
    }

    /// The end, if the child has ended (reaps it then).
    public func poll() -> Exit? {
        lock.withLock {
            if let ended { return ended }
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            guard reaped == pid else {
                // ECHILD: someone reaped it (cannot happen for our own pid unless waited twice).
                if reaped == -1 && errno == ECHILD { ended = Exit(status: -1, signaled: false) }
                return ended
            }
            let signal = status & 0x7F
            ended = signal == 0 ? Exit(status: (status >> 8) & 0xFF, signaled: false) : Exit(status: signal, signaled: true)
            return ended
        }
    }

    public var isRunning: Bool { poll() == nil }

    public func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// SIGTERM, SIGKILL after `grace` seconds; waits.
    @discardableResult
    public func stop(grace: Double = 5) -> Exit {
        send(SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline { if let exit = poll() { return exit }; usleep(10_000) }
        send(SIGKILL)
        return wait()
    }

    /// What the child wrote to stdout so far (all of it once it has ended).
    public var stdoutData: Data { FileManager.default.contents(atPath: outputPath) ?? Data() }
    public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    public var stderr: String { String(decoding: FileManager.default.contents(atPath: errorPath) ?? Data(), as: UTF8.self) }

    /// A name without `/` is looked up in PATH, as a shell would.
    private static func resolve(_ program: String) throws -> String {
        if program.contains("/") { return program }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        for directory in path.split(separator: ":") where access("\(directory)/\(program)", X_OK) == 0 {
            return "\(directory)/\(program)"
        }
        throw Failure(description: "\(program) is not on PATH (\(path))")
    }

    /// posix_spawn with stdin/stdout/stderr opened by the child from the given paths and every
    /// other descriptor closed in it.
    static func spawn(_ arguments: [String], stdin: String, stdout: String, stderr: String,
                      environment: [String: String]?, directory: String?, ownGroup: Bool) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let directory {
            typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
            guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else {
                throw Failure(description: "this C library cannot set a child's directory (posix_spawn_file_actions_addchdir_np)")
            }
            _ = directory.withCString { unsafeBitCast(symbol, to: AddChdir.self)(&actions, $0) }
        }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if stderr == stdout {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        // glibc ≥ 2.34; Swift's Glibc module does not export it, hence dlsym.
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let closeFrom = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
            throw Failure(description: "this C library cannot close a child's descriptors (posix_spawn_file_actions_addclosefrom_np)")
        }
        _ = unsafeBitCast(closeFrom, to: CloseFrom.self)(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if ownGroup {
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for pointer in envp ?? [] { free(pointer) } }
        var pid: pid_t = 0
        let rc: Int32
        if var given = envp {
            rc = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, &given)
        } else {
            rc = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, environ)
        }
        guard rc == 0 else { throw Failure(description: "cannot start \(arguments[0]): \(String(cString: strerror(rc)))") }
        return pid
    }
}
