import QuickupCore
import Yams

/// A site's env.yaml made safe to send away (L1, D4): every value under a secret-looking key
/// (`password`, `token`, `secret` …) and every credential inside a URL is replaced by
/// `<redacted>`. References (`password_env: NAME`, `password_file: path`) stay: they say where the
/// secret lives without revealing it, and they are never resolved here. The YAML is re-emitted
/// from its parsed form, so comments (where people also leave passwords) are dropped.
public struct RedactedEnvironment: Sendable {
    /// The redacted YAML, or a note saying why the file was left out.
    public var text: String
    /// Literal secrets that were removed, so other files of a bundle can be scrubbed of them too.
    public var secrets: [String]
    /// Dotted paths of the values redacted (`datasources.base_db.password`), for the bundle's README.
    public var redactedPaths: [String]
}

public enum EnvironmentRedactor {
    public static func redact(text: String, file: String) -> RedactedEnvironment {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            // Unparseable YAML cannot be redacted reliably, so none of it is shipped.
            return RedactedEnvironment(text: "# \(file) is not valid YAML; left out of the bundle so no secret in it can leak.\n",
                                       secrets: [], redactedPaths: [])
        }
        guard let node else { return RedactedEnvironment(text: "# \(file) is empty.\n", secrets: [], redactedPaths: []) }
        var walker = Walker()
        let redacted = walker.walk(node, path: "", secret: false)
        let body: String
        // Aliases arrive resolved, so a secret's anchored value may also stand under an ordinary key.
        do { body = SecretRedaction(knownSecrets: walker.secrets).scrubKnown(try Yams.serialize(node: redacted, allowUnicode: true)) } catch {
            return RedactedEnvironment(text: "# \(file) could not be re-emitted after redaction (\(error)); left out.\n",
                                       secrets: walker.secrets, redactedPaths: walker.paths)
        }
        let header = "# \(file), secrets redacted by quickup bundle (comments dropped; password_env/password_file name where a secret lives and were not read)\n"
        return RedactedEnvironment(text: header + body, secrets: walker.secrets, redactedPaths: walker.paths)
    }

    private struct Walker {
        var secrets: [String] = []
        var paths: [String] = []

        mutating func walk(_ node: Node, path: String, secret: Bool) -> Node {
            switch node {
            case .scalar(let scalar):
                if secret {
                    if !scalar.string.isEmpty { secrets.append(scalar.string) }
                    paths.append(path)
                    return .scalar(.init(SecretRedaction.marker))
                }
                return .scalar(.init(scrub(scalar.string, path: path), scalar.tag, scalar.style))
            case .mapping(let mapping):
                let pairs = mapping.map { key, value -> (Node, Node) in
                    let name = key.string ?? ""
                    let child = path.isEmpty ? name : "\(path).\(name)"
                    let redactedKey = walk(key, path: child, secret: false)
                    return (redactedKey, walk(value, path: child, secret: secret || SecretRedaction.isSecretKey(name)))
                }
                return .mapping(.init(pairs))
            case .sequence(let sequence):
                return .sequence(.init(sequence.enumerated().map { walk($1, path: "\(path)[\($0)]", secret: secret) }))
            case .alias:
                // What an alias points at may be a secret; its target is not worth the risk.
                paths.append(path)
                return .scalar(.init(SecretRedaction.marker))
            }
        }

        /// Credentials inside URLs and key=value text of an ordinary value.
        mutating func scrub(_ text: String, path: String) -> String {
            let passwords = SecretRedaction.urlPasswords(in: text)
            let redacted = SecretRedaction().redact(text)
            if redacted != text {
                secrets += passwords
                paths.append(path)
            }
            return redacted
        }
    }
}
