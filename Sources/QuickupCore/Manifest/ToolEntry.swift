/// A tool task's `.package`: an executable inside the release, or a Python function (SPEC M2, T2).
public enum ToolEntry: Hashable, Sendable {
    /// Path relative to the version directory, e.g. `tools/migrate.sh`.
    case executable(path: String)
    /// `module.sub:function`, resolved under the version directory's `tools/` folder.
    case python(module: String, function: String)

    public init?(_ text: String) {
        let t = text.trimmingSpaces
        guard !t.isEmpty else { return nil }
        if let colon = t.firstIndex(of: ":") {
            let module = String(t[..<colon]), function = String(t[t.index(after: colon)...])
            let parts = module.split(separator: ".", omittingEmptySubsequences: false)
            guard !parts.isEmpty, parts.allSatisfy({ ToolEntry.isIdentifier($0) }),
                  ToolEntry.isIdentifier(function[...]) else { return nil }
            self = .python(module: module, function: function)
        } else {
            guard !t.hasPrefix("/") else { return nil }
            self = .executable(path: t)
        }
    }

    static func isIdentifier(_ s: Substring) -> Bool {
        guard let first = s.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// Candidate files for a Python module, relative to the version directory, in lookup order.
    public var pythonModuleCandidates: [String] { pythonModuleCandidates(under: "tools") }

    /// The same under another folder: component hooks live under `hooks/` (T5).
    public func pythonModuleCandidates(under folder: String) -> [String] {
        guard case .python(let module, _) = self else { return [] }
        let path = module.split(separator: ".").joined(separator: "/")
        return ["\(folder)/\(path).py", "\(folder)/\(path)/__init__.py"]
    }
}
