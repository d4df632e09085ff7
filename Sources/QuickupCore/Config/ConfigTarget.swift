/// What a `config.<uid>` task changes (SPEC K1, K3): a file on every host of the component,
/// or a Nacos configuration in the site's namespace.
///
/// A file path is absolute, or starts with `{install_dir}/`: below the component's install
/// directory on each host (env.yaml `services.<component>.install_dir`, resolved per host), so a
/// release can name a service's configuration wherever a site installed it (issue 18).
public enum ConfigTarget: Hashable, Sendable, CustomStringConvertible {
    case file(path: String)
    case nacos(group: String, dataId: String)

    /// The placeholder a file path may start with.
    public static let installDir = "{install_dir}"

    /// `/abs/path`, `{install_dir}/rel/path` or `nacos:<group>/<dataId>`; nil for anything else
    /// (relative paths, `..`, empty group or data id).
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
        let path = text.hasPrefix(Self.installDir + "/") ? String(text.dropFirst(Self.installDir.count)) : text
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard path.hasPrefix("/"), path.count > 1, !path.hasSuffix("/"),
              !parts.dropFirst().contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
              !text.contains(where: { $0.isNewline || $0 == "\0" }) else { return nil }
        self = .file(path: text)
    }

    /// The part below `{install_dir}` (`conf/app.properties`), nil for an absolute path.
    public static func belowInstallDir(_ path: String) -> String? {
        path.hasPrefix(installDir + "/") ? String(path.dropFirst(installDir.count + 1)) : nil
    }

    public var description: String {
        switch self {
        case .file(let path): return path
        case .nacos(let group, let dataId): return "nacos:\(group)/\(dataId)"
        }
    }
}
