import Foundation
import QuickupCore

/// Where quickup keeps its SSH state on the orchestrator: its own known_hosts, master logs, and
/// the control sockets of shared connections (S1).
public struct SSHPaths: Sendable {
    /// `<state>/ssh`.
    public let directory: String

    /// A unix socket path holds at most 107 bytes, and OpenSSH first binds a temporary name 17
    /// bytes longer than ControlPath before renaming it.
    public static let maxControlPathBytes = 107 - 17

    public init(stateDirectory: String) {
        directory = (stateDirectory as NSString).appendingPathComponent("ssh")
    }

    public var knownHosts: String { "\(directory)/known_hosts" }

    public func knownHosts(for host: HostConfig) -> String { host.knownHostsFile ?? knownHosts }

    public func masterLog(for host: HostConfig, _ connectionClass: ConnectionClass) -> String {
        "\(directory)/\(Self.key(host, connectionClass)).log"
    }

    /// The control socket of one host's connection of one class: under the state directory when
    /// the path is short enough, else under a private directory in /tmp named by a hash of both.
    public func controlPath(for host: HostConfig, _ connectionClass: ConnectionClass) -> String {
        let key = Self.key(host, connectionClass)
        let preferred = "\(directory)/\(key).sock"
        if preferred.utf8.count <= Self.maxControlPathBytes { return preferred }
        let digest = SHA256.hex(Array("\(directory)\n\(key)".utf8)).prefix(20)
        return "\(Self.shortDirectory)/\(digest)"
    }

    /// `/tmp/quickup-ssh-<uid>`, private to this user.
    public static var shortDirectory: String { "/tmp/quickup-ssh-\(getuid())" }

    /// Creates the directories (mode 0700: sockets and known_hosts are nobody else's business).
    public func prepare() throws(QuickupError) {
        for path in [directory, Self.shortDirectory] {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw QuickupError(.io, "cannot create \(path): \(error)", hint: "check that the state directory is writable")
            }
        }
    }

    /// Short, stable and file-name safe: class initial + first 12 hex of SHA-256(user@address:port).
    static func key(_ host: HostConfig, _ connectionClass: ConnectionClass) -> String {
        // The host's name is part of it: two env.yaml hosts on one machine (own state_dir, own
        // port offset) each have their own master, as they have their own connection object.
        let identity = "\(host.name) \(host.user ?? "")@\(host.address):\(host.port)"
        return "\(connectionClass.rawValue.prefix(1))-\(SHA256.hex(Array(identity.utf8)).prefix(12))"
    }
}
