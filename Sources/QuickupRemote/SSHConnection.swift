import Foundation
import QuickupCore
import QuickupTools

/// One host's shared SSH connection of one class (S1): a ControlMaster started on first use and
/// kept alive by its class's keepalive policy; every command and sftp session rides on it.
/// When the link drops, the master notices within the class's timeout and exits, the command in
/// flight fails with OpenSSH's status 255, and the connection is re-established with exponential
/// backoff up to the class's reconnect limit.
public final class SSHConnection: Sendable {
    public let host: HostConfig
    public let connectionClass: ConnectionClass
    public let commandLine: SSHCommandLine
    let context: RemoteContext
    private let gate = AsyncGate()
    private let counters = Counters()

    public init(host: HostConfig, connectionClass: ConnectionClass, context: RemoteContext) {
        self.host = host
        self.connectionClass = connectionClass
        self.context = context
        self.commandLine = context.commandLine(for: host, connectionClass)
    }

    public var policy: KeepalivePolicy { commandLine.policy }
    /// Masters started so far (1 after the first command; one more per reconnect).
    public var mastersStarted: Int { counters.masters }
    /// Drops recovered from.
    public var reconnects: Int { counters.reconnects }

    /// Runs `script` with `sh` on the host. After a dropped link the connection is re-established;
    /// the script then runs again only when `retryOnDrop` says it is safe (it only reads, or it
    /// guards itself like a remote step); otherwise the drop is reported, since whether the
    /// script ran is unknown.
    public func run(_ script: String, retryOnDrop: Bool = false) async throws(QuickupError) -> CommandProcess.Result {
        try await execute(commandLine.shellOverMaster, input: Data(script.utf8), retryOnDrop: retryOnDrop)
    }

    /// Runs an OpenSSH client command line (ssh or sftp over the master) with the same drop
    /// handling as `run`. ssh reports a lost link with status 255; sftp with 1 or 255, so for it
    /// every failure is checked against the master (`anyFailureMayBeDrop`).
    public func execute(_ arguments: [String], input: Data, retryOnDrop: Bool, anyFailureMayBeDrop: Bool = false) async throws(QuickupError) -> CommandProcess.Result {
        while true {
            try await connect()
            let result = try await CommandProcess.run(arguments, input: input)
            guard result.status == 255 || (anyFailureMayBeDrop && result.status != 0) else { return result }
            // 255 is also a remote command's own status; a live master means the link is fine.
            if try await masterAlive() { return result }
            let reason = Self.lastLine(result.stderr) ?? "the connection was lost"
            context.log("\(host.name) (\(connectionClass.rawValue)): link dropped: \(reason)")
            try await reconnect(after: reason)
            if !retryOnDrop {
                throw QuickupError(.remoteLinkDropped, "the SSH link to \(host.name) dropped while a command ran (\(reason)); it may or may not have run",
                                   at: host.location, hint: "the link is back; check the host before running it again")
            }
        }
    }

    /// Starts the master unless its control socket is already there.
    public func connect() async throws(QuickupError) {
        if host.kind == .local { return }
        if FileManager.default.fileExists(atPath: commandLine.controlPath) { return }
        if let reason = masterTimedOut() {
            // The master noticed the drop itself (its keepalives ran out) while no command ran:
            // the same drop, handled the same way — said, then reconnected with the backoff.
            context.log("\(host.name) (\(connectionClass.rawValue)): link dropped: \(reason)")
            try await reconnect(after: reason)
            return
        }
        await gate.enter()
        defer { gate.leave() }
        if FileManager.default.fileExists(atPath: commandLine.controlPath) { return }
        try await establish(tries: 1 + policy.reconnectTries, firstFailure: nil)
    }

    /// Why our last master ended, when its log says the server stopped answering keepalives
    /// (OpenSSH: "Timeout, server … not responding."); nil when no master of ours ran or it ended
    /// for another reason (ControlPersist, `close()`).
    private func masterTimedOut() -> String? {
        guard mastersStarted > 0,
              let text = try? String(contentsOfFile: context.paths.masterLog(for: host, connectionClass), encoding: .utf8),
              let line = text.split(separator: "\n").last(where: { $0.contains("Timeout, server") }) else { return nil }
        return String(line).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The pid of the running master, if one runs (`ssh -O check`).
    public func masterPID() async -> pid_t? {
        guard let result = try? await CommandProcess.run(commandLine.control("check")), result.succeeded,
              let range = result.stderr.range(of: #"pid=(\d+)"#, options: .regularExpression) else { return nil }
        return pid_t(result.stderr[range].dropFirst(4))
    }

    /// Asks the master to exit (`ssh -O exit`); harmless when none runs.
    public func close() async {
        if host.kind == .local { return }
        _ = try? await CommandProcess.run(commandLine.control("exit"))
    }

    private func masterAlive() async throws(QuickupError) -> Bool {
        if host.kind == .local { return true }
        return try await CommandProcess.run(commandLine.control("check")).succeeded
    }

    /// After a drop: up to the class's reconnect tries, waiting by the backoff between them.
    private func reconnect(after reason: String) async throws(QuickupError) {
        guard policy.reconnectTries > 0 else {
            throw QuickupError(.remoteUnreachable, "the \(connectionClass.rawValue) SSH link to \(host.name) dropped (\(reason))",
                               at: host.location, hint: "\(connectionClass.rawValue) connections are not reconnected automatically; check the host and the network, then run again")
        }
        await gate.enter()
        defer { gate.leave() }
        // Several commands may see the same drop; the first one through the gate reconnects.
        if FileManager.default.fileExists(atPath: commandLine.controlPath), try await masterAlive() { return }
        try? FileManager.default.removeItem(atPath: commandLine.controlPath)
        try await establish(tries: policy.reconnectTries, firstFailure: reason)
        counters.reconnected()
    }

    private func establish(tries: Int, firstFailure: String?) async throws(QuickupError) {
        try context.paths.prepare()
        try pinHostKey()
        let log = context.paths.masterLog(for: host, connectionClass)
        var lastReason = firstFailure ?? "no answer"
        for attempt in 1...max(1, tries) {
            if attempt > 1 || firstFailure != nil {
                let delay = policy.backoff.delay(afterTry: attempt - (firstFailure == nil ? 1 : 0))
                context.log("\(host.name) (\(connectionClass.rawValue)): reconnecting in \(delay) (try \(attempt) of \(tries))")
                do { try await context.sleep(delay.duration) } catch {
                    throw QuickupError(.cancelled, "connecting to \(host.name) was cancelled")
                }
            }
            try? FileManager.default.removeItem(atPath: log)
            let status = try await CommandProcess.runDetaching(commandLine.master(log: log))
            if status == 0 {
                counters.masterStarted()
                return
            }
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            // The last line: the master logs at INFO, so notices ("Warning: Permanently added …")
            // may come before the error that ended it.
            lastReason = Self.lastLine(text) ?? "ssh exited with status \(status)"
            if text.contains("Permission denied") {
                throw QuickupError(.remoteAuthentication, "\(host.name) (\(target)) refused quickup's key: \(lastReason)", at: host.location,
                                   hint: "add the public key of \(host.identityFile ?? "the identity file") to ~/.ssh/authorized_keys of \(host.user ?? "root") on \(host.name)")
            }
            if text.contains("Host key verification failed") || text.contains("IDENTIFICATION HAS CHANGED") || text.contains("host key for") {
                throw QuickupError(.remoteHostKey, "the SSH host key of \(host.name) (\(target)) is unknown or changed: \(lastReason)", at: host.location,
                                   hint: "pin the host's key with host_key in env.yaml (from ssh-keyscan, checked against the host), or use host_key_policy: accept-new on first contact")
            }
        }
        throw QuickupError(.remoteUnreachable, "cannot connect to \(host.name) (\(target)) over SSH: \(lastReason) (\(max(1, tries)) tr\(tries == 1 ? "y" : "ies"))",
                           at: host.location, hint: "check that the host is up, sshd listens on port \(host.port) and the network lets quickup through")
    }

    /// Hosts connected in parallel share one known_hosts file: one writer at a time.
    private static let knownHostsLock = NSLock()

    /// A pinned key goes into quickup's known_hosts before the first connection.
    private func pinHostKey() throws(QuickupError) {
        guard let line = commandLine.pinnedKnownHostsLine else { return }
        Self.knownHostsLock.lock()
        defer { Self.knownHostsLock.unlock() }
        let file = context.paths.knownHosts(for: host)
        let existing = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        if existing.split(separator: "\n").contains(Substring(line)) { return }
        do {
            try (existing + (existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n") + line + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        } catch {
            throw QuickupError(.io, "cannot write \(file): \(error)", hint: "check that the state directory is writable")
        }
    }

    private var target: String { "\(host.user ?? "root")@\(host.address):\(host.port)" }

    static func lastLine(_ text: String) -> String? {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.last { !$0.isEmpty }
    }

    static func firstLine(_ text: String) -> String? {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.first { !$0.isEmpty }
    }

    private final class Counters: @unchecked Sendable {
        private let lock = NSLock()
        private var masterCount = 0, reconnectCount = 0
        var masters: Int { lock.withLock { masterCount } }
        var reconnects: Int { lock.withLock { reconnectCount } }
        func masterStarted() { lock.withLock { masterCount += 1 } }
        func reconnected() { lock.withLock { reconnectCount += 1 } }
    }
}
