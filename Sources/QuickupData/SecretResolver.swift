import Foundation
import QuickupCore

/// Turns a credential reference into the secret at connect time (D4). The secret goes only to
/// the client library; it is never logged, shown or passed on a command line.
public struct SecretResolver: Sendable {
    public var environment: [String: String]
    /// Directory relative `password_file` paths are resolved against (the env.yaml's folder).
    public var baseDirectory: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, baseDirectory: String? = nil) {
        self.environment = environment
        self.baseDirectory = baseDirectory
    }

    public func secret(for reference: CredentialRef, of name: String) throws(QuickupError) -> String? {
        switch reference {
        case .none: return nil
        case .literal(let value): return value
        case .environment(let variable):
            guard let value = environment[variable] else {
                throw QuickupError(.invalidArgument, "the password of datasource '\(name)' is not set",
                                   hint: "export \(variable) before running quickup (env.yaml password_env)")
            }
            return value
        case .file(let path):
            let full = path.hasPrefix("/") || baseDirectory == nil ? path : "\(baseDirectory ?? ".")/\(path)"
            guard let data = FileManager.default.contents(atPath: full) else {
                throw QuickupError(.fileNotFound, "cannot read the password file of datasource '\(name)': \(full)",
                                   hint: "check password_file in env.yaml and the file's permissions")
            }
            // Files usually end with a newline that is not part of the password.
            var text = String(decoding: data, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            return text
        }
    }
}
