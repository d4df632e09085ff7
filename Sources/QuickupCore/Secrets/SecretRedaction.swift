import Foundation

/// Text-level redaction for what leaves a site (L1, D4): credentials inside URLs, secret-looking
/// query parameters, and any literal secret already known. It never resolves a secret (no
/// environment variable or password file is read): it only removes what is in the text.
public struct SecretRedaction: Sendable {
    public static let marker = "<redacted>"

    /// Secrets to scrub wherever they occur, each in every form it may be printed in; very short ones are left alone, since
    /// replacing every "ab" in a log would ruin it (they are still redacted in env.yaml itself).
    public private(set) var knownSecrets: [String] = []
    public static let minimumScrubbedLength = 4

    public init(knownSecrets: some Sequence<String> = []) {
        for secret in knownSecrets { remember(secret) }
    }

    /// Remembers `secret` and every escaped or encoded form a program may print it in
    /// (SecretEncodings: JSON, Python repr, percent-encoding, shell and SQL quoting, base64).
    public mutating func remember(_ secret: String) {
        guard secret.count >= Self.minimumScrubbedLength, secret != Self.marker, !knownSecrets.contains(secret) else { return }
        for form in SecretEncodings.forms(of: secret) where !knownSecrets.contains(form) { knownSecrets.append(form) }
        // Longest first, so a secret that contains another is removed whole.
        knownSecrets.sort { $0.count > $1.count }
    }

    /// Whether a key names a secret value (`password`, `api_token`, `client_secret` …). Keys that
    /// name where a secret lives (`password_env`, `password_file`) hold no secret themselves.
    public static func isSecretKey(_ key: String) -> Bool {
        let key = key.lowercased()
        if key.hasSuffix("_env") || key.hasSuffix("_file") || key.hasSuffix("_path") { return false }
        let words = ["password", "passwd", "pwd", "secret", "token", "credential", "apikey", "api_key", "access_key",
                     "private_key", "passphrase", "authorization", "auth_key"]
        return words.contains { key.contains($0) }
    }

    // `scheme://user:password@` and `scheme://token@`: everything between `//` and `@` but the user.
    private static let urlCredentials = try? NSRegularExpression(
        pattern: #"([A-Za-z][A-Za-z0-9+.\-]*://)([^/@\s:'"]*)(:[^/@\s'"]*)?@"#)
    // `?password=…`, `password: …`, `"api_token": "…"`: a secret-looking key, `=` or `:`, a value.
    private static let secretParameters = try? NSRegularExpression(
        pattern: #"(?i)(["']?)([A-Za-z_\-]*(?:password|passwd|pwd|secret|token|api_?key|access_key|passphrase)[A-Za-z_\-]*)\1(\s*[=:]\s*)(["']?)([^\s&'",;}]+)"#)
    private static let bearer = try? NSRegularExpression(pattern: #"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=\-]{8,}"#)

    /// `text` with every known secret replaced (and nothing else touched).
    public func scrubKnown(_ text: String) -> String {
        var text = text
        for secret in knownSecrets where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: Self.marker)
        }
        return text
    }

    /// `text` with URL credentials, secret parameters and every known secret replaced.
    public func redact(_ text: String) -> String {
        var text = scrubKnown(text)
        if let regex = Self.urlCredentials {
            text = Self.replace(regex, in: text) { match, groups in
                guard let scheme = groups[1] else { return match }
                let user = groups[2] ?? ""
                // A bare `user@` (ssh://deploy@host) is kept; a lone token or a password is not.
                if groups[3] != nil { return "\(scheme)\(user):\(Self.marker)@" }
                return Self.looksLikeToken(user) ? "\(scheme)\(Self.marker)@" : match
            }
        }
        if let regex = Self.secretParameters {
            text = Self.replace(regex, in: text) { match, groups in
                guard let key = groups[2], let value = groups[5], Self.isSecretKey(key), value != Self.marker else { return match }
                return "\(groups[1] ?? "")\(key)\(groups[1] ?? "")\(groups[3] ?? "")\(groups[4] ?? "")\(Self.marker)"
            }
        }
        if let regex = Self.bearer {
            text = Self.replace(regex, in: text) { _, groups in "\(groups[1] ?? "Bearer") \(Self.marker)" }
        }
        return text
    }

    /// The passwords written inside URLs (`scheme://user:password@host`), to scrub elsewhere too.
    public static func urlPasswords(in text: String) -> [String] {
        guard let regex = urlCredentials else { return [] }
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).compactMap { match in
            let range = match.range(at: 3)
            guard range.location != NSNotFound, range.length > 1 else { return nil }
            return String(ns.substring(with: range).dropFirst())
        }
    }

    /// A user name is short and plain; a token is long or mixes many kinds of characters.
    static func looksLikeToken(_ user: String) -> Bool {
        user.count >= 20 || user.contains("%") || user.hasPrefix("ghp_") || user.hasPrefix("glpat-")
    }

    private static func replace(_ regex: NSRegularExpression, in text: String,
                                _ with: (String, [String?]) -> String) -> String {
        let ns = text as NSString
        var out = ""
        var last = 0
        for match in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            out += ns.substring(with: NSRange(location: last, length: match.range.location - last))
            let groups = (0..<match.numberOfRanges).map { index -> String? in
                let range = match.range(at: index)
                return range.location == NSNotFound ? nil : ns.substring(with: range)
            }
            out += with(ns.substring(with: match.range), groups)
            last = match.range.location + match.range.length
        }
        return out + ns.substring(from: last)
    }
}
