/// How the SSH client decides whether to trust a host's key (S1). quickup keeps its own
/// known_hosts file (under the state directory unless env.yaml names one), never the user's.
public enum HostKeyPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// The key must already be in the known_hosts file (or be pinned in env.yaml); anything else
    /// is refused (`StrictHostKeyChecking=yes`).
    case strict
    /// An unknown host's key is recorded on first contact; a changed key is refused
    /// (`StrictHostKeyChecking=accept-new`).
    case acceptNew = "accept-new"

    /// The value of OpenSSH's `StrictHostKeyChecking`.
    public var strictHostKeyChecking: String {
        switch self {
        case .strict: "yes"
        case .acceptNew: "accept-new"
        }
    }
}
