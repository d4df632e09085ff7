import Foundation
import QuickupCore

/// A private OpenSSH server for tests (S1–S3): its own host key, authorized_keys and a generated
/// client key in a temporary directory, root as the user (`PermitRootLogin prohibit-password`).
/// With `isolated`, sshd runs in a network namespace of its own, reached over a veth pair, so a
/// test can cut the link for real (`cutLink`) and bring it back (`restoreLink`).
public final class TestSSHServer: @unchecked Sendable {
    public let directory: String
    public let address: String
    public let port: Int
    public let clientKey: String
    /// `ssh-ed25519 AAAA…` of the server, for pinning.
    public let hostPublicKey: String
    public let namespace: String?
    private let innerInterface: String?
    private let outerInterface: String?
    /// sshd's listener (spawned directly: Foundation's Process and swift-subprocess in one
    /// process do not agree on reaping children).
    private let listener: pid_t

    private nonisolated(unsafe) static var nextIndex = 0
    private static let lock = NSLock()

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts sshd on the first free port of 42200–42299 and waits until it accepts connections.
    public static func start(isolated: Bool = false) throws -> TestSSHServer {
        let index = lock.withLock { () -> Int in
            defer { nextIndex += 1 }
            return nextIndex
        }
        let directory = "/tmp/qussh-\(getpid())-\(index)"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        try run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", "\(directory)/host_key"])
        try run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", "\(directory)/client_key"])
        try FileManager.default.copyItem(atPath: "\(directory)/client_key.pub", toPath: "\(directory)/authorized_keys")
        let hostKey = try String(contentsOfFile: "\(directory)/host_key.pub", encoding: .utf8)
            .split(separator: " ").prefix(2).joined(separator: " ")

        var namespace: String?, inner: String?, outer: String?
        var address = "127.0.0.1"
        if isolated {
            let tag = "\(getpid() % 100_000)x\(index)"
            namespace = "qussh\(tag)"
            inner = "qun\(tag)"
            outer = "quh\(tag)"
            let subnet = "198.18.\(getpid() % 250).\((index % 60) * 4)"
            let base = subnet.split(separator: ".").map { Int($0) ?? 0 }
            let hostSide = "198.18.\(base[2]).\(base[3] + 1)", nsSide = "198.18.\(base[2]).\(base[3] + 2)"
            // Safety net: whatever is still talking to a test address once its link is gone (a
            // client's retransmits, a keepalive) is dropped here instead of following the
            // default route off this machine. The /30 of a live link is more specific and wins.
            try run(["ip", "route", "replace", "blackhole", "198.18.0.0/15"])
            _ = try? run(["ip", "link", "del", outer!])
            _ = try? run(["ip", "netns", "del", namespace!])
            try run(["ip", "netns", "add", namespace!])
            try run(["ip", "link", "add", outer!, "type", "veth", "peer", "name", inner!])
            try run(["ip", "link", "set", inner!, "netns", namespace!])
            try run(["ip", "addr", "add", "\(hostSide)/30", "dev", outer!])
            try run(["ip", "link", "set", outer!, "up"])
            try run(["ip", "netns", "exec", namespace!, "ip", "addr", "add", "\(nsSide)/30", "dev", inner!])
            try run(["ip", "netns", "exec", namespace!, "ip", "link", "set", inner!, "up"])
            try run(["ip", "netns", "exec", namespace!, "ip", "link", "set", "lo", "up"])
            address = nsSide
        }
        var lastError = ""
        for attempt in 0..<20 {
            let port = 42200 + (Int(getpid()) * 7 + index * 13 + attempt) % 100
            try config(directory: directory, address: address, port: port)
                .write(toFile: "\(directory)/sshd_config", atomically: true, encoding: .utf8)
            var arguments = ["/usr/sbin/sshd", "-D", "-e", "-f", "\(directory)/sshd_config"]
            if let namespace { arguments = ["/usr/sbin/ip", "netns", "exec", namespace] + arguments }
            let log = "\(directory)/sshd.log"
            let pid = try ChildSpawn.spawn(arguments, output: log)
            if waitForPort(address: address, port: port, pid: pid, log: log) {
                return TestSSHServer(directory: directory, address: address, port: port, clientKey: "\(directory)/client_key",
                                     hostPublicKey: hostKey, namespace: namespace, inner: inner, outer: outer, listener: pid)
            }
            ChildSpawn.terminate(pid)
            lastError = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        }
        throw Failure(description: "sshd did not start: \(lastError)")
    }

    private init(directory: String, address: String, port: Int, clientKey: String, hostPublicKey: String,
                 namespace: String?, inner: String?, outer: String?, listener: pid_t) {
        self.directory = directory
        self.address = address
        self.port = port
        self.clientKey = clientKey
        self.hostPublicKey = hostPublicKey
        self.namespace = namespace
        self.innerInterface = inner
        self.outerInterface = outer
        self.listener = listener
    }

    /// A host of env.yaml pointing at this server: root, the client key, the host key pinned,
    /// remote state in this server's directory.
    public func host(name: String = "test-host") -> HostConfig {
        var host = HostConfig(name: name, address: address, location: SourceLocation(file: "env.yaml", line: 1))
        host.port = port
        host.user = "root"
        host.identityFile = clientKey
        host.hostKey = hostPublicKey
        host.remoteStateDir = "\(directory)/remote"
        return host
    }

    /// Takes the namespace's end of the link down: packets stop, nothing is told (a real cut).
    public func cutLink() throws {
        guard let namespace, let innerInterface else { throw Failure(description: "cutLink needs an isolated server") }
        try Self.run(["ip", "netns", "exec", namespace, "ip", "link", "set", innerInterface, "down"])
    }

    public func restoreLink() throws {
        guard let namespace, let innerInterface else { throw Failure(description: "restoreLink needs an isolated server") }
        try Self.run(["ip", "netns", "exec", namespace, "ip", "link", "set", innerInterface, "up"])
    }

    /// Stops sshd and its sessions, removes the namespace, the veth pair and the directory.
    public func stop() {
        for pid in Self.children(of: listener) { kill(pid, SIGKILL) }
        ChildSpawn.terminate(listener)
        if let outerInterface { _ = try? Self.run(["ip", "link", "del", outerInterface]) }
        if let namespace { _ = try? Self.run(["ip", "netns", "del", namespace]) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func config(directory: String, address: String, port: Int) -> String {
        """
        ListenAddress \(address):\(port)
        HostKey \(directory)/host_key
        AuthorizedKeysFile \(directory)/authorized_keys
        PermitRootLogin prohibit-password
        StrictModes no
        UsePAM no
        PidFile none
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        Subsystem sftp internal-sftp
        MaxSessions 100
        MaxStartups 100
        LogLevel INFO

        """
    }

    /// Ready when OUR sshd says it listens: a port that accepts connections may be another
    /// test's sshd that took it first (two tests picked one port; ours then fails to bind, but
    /// may not have exited yet) — its clients then met the other server's host key.
    private static func waitForPort(address: String, port: Int, pid: pid_t, log: String) -> Bool {
        for _ in 0..<600 {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return false }
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.contains("Server listening on \(address) port \(port)"), TCPProbe.accepts(address: address, port: port) { return true }
            if text.contains("Cannot bind") || text.contains("Bind to port") { return false }
            usleep(50_000)
        }
        return false
    }

    /// Pids whose parent is `parent` (sshd's per-connection processes).
    static func children(of parent: pid_t) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry in
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == parent ? pid : nil
        }
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let output = "/tmp/qussh-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(output) }
        let path = arguments[0].hasPrefix("/") ? arguments[0] : "/usr/sbin/\(arguments[0])"
        let pid = try ChildSpawn.spawn([path] + arguments.dropFirst(), output: output)
        let status = ChildSpawn.wait(pid)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard status == 0 else { throw Failure(description: "\(arguments.joined(separator: " ")) failed (\(status)): \(text)") }
        return text
    }
}

/// posix_spawn and waitpid on that one pid, for helpers that outlive a call (sshd, services);
/// see `ChildProcess` for why tests do not use Foundation's Process.
public enum ChildSpawn {
    /// Starts `arguments` (absolute path first) with stdin /dev/null and stdout+stderr to `output`.
    public static func spawn(_ arguments: [String], output: String) throws -> pid_t {
        // Nothing else of the test process (other tests' pipes, files being written) leaks into a
        // long-lived sshd: a held pipe end would keep another test waiting for EOF.
        try ChildProcess.spawn(arguments, stdin: "/dev/null", stdout: output, stderr: output,
                               environment: nil, directory: nil, ownGroup: false)
    }

    /// Waits for the child and returns its exit status (128 + signal when killed).
    @discardableResult
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// SIGTERM, then SIGKILL after a second; reaps it.
    public static func terminate(_ pid: pid_t) {
        kill(pid, SIGTERM)
        for _ in 0..<100 {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        wait(pid)
    }
}

/// Whether something accepts TCP connections at address:port (IPv4).
public enum TCPProbe {
    public static func accepts(address: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, address, &socketAddress.sin_addr)
        return withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
