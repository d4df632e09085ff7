/// What a `config.<uid>` task changes (SPEC K1, K3): a file on every host of the component,
/// or a Nacos configuration in the site's namespace.
public enum ConfigTarget: Hashable, Sendable, CustomStringConvertible {
    case file(path: String)
    case nacos(group: String, dataId: String)

    /// `/abs/path` or `nacos:<group>/<dataId>`; nil for anything else (relative paths, `..`,
    /// empty group or data id).
    public init?(_ text: String) {
        let text = text.trimmingBlanks()
        if text.hasPrefix("nacos:") {
            let rest = text.dropFirst("nacos:".count)
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            let group = String(rest[..<slash])
            let dataId = String(rest[rest.index(after: slash)...])
            guard !group.isEmpty, !dataId.isEmpty, !dataId.contains("/") else { return nil }
            self = .nacos(group: group, dataId: dataId)
            return
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard text.hasPrefix("/"), text.count > 1, !text.hasSuffix("/"),
              !parts.dropFirst().contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
              !text.contains(where: { $0.isNewline || $0 == "\0" }) else { return nil }
        self = .file(path: text)
    }

    public var description: String {
        switch self {
        case .file(let path): return path
        case .nacos(let group, let dataId): return "nacos:\(group)/\(dataId)"
        }
    }
}
