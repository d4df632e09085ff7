import Foundation
import QuickupCore

/// The Nacos Open API calls of a config task (K3): read, publish and delete one configuration
/// (data id + group) in the site's namespace, v1 (`/nacos/v1/cs/configs`, namespace as
/// `tenant`) or v2 (`/nacos/v2/cs/config`, namespace as `namespaceId`, JSON answers) as
/// env.yaml's `nacos.config_api` says. The password only ever goes into the login body.
extension NacosClient {
    public struct ConfigKey: Sendable, Hashable, CustomStringConvertible {
        public var group: String
        public var dataId: String
        public init(group: String, dataId: String) {
            self.group = group
            self.dataId = dataId
        }
        public var description: String { "\(group)/\(dataId)" }
    }

    /// The content, or nil when the configuration does not exist.
    public func fetchConfig(_ key: ConfigKey) async throws(QuickupError) -> String? {
        try await read(key).content
    }

    /// The content and, from v1 servers, the MD5 Nacos reports for it (`Content-MD5`).
    func read(_ key: ConfigKey) async throws(QuickupError) -> (content: String?, md5: String?) {
        let what = "read configuration \(key) from Nacos"
        let answer = try await exchange("GET", path: configPath, query: try await configQuery(key), body: nil, what: what)
        switch config.configAPI {
        case .v1:
            if answer.status == 404 { return (nil, nil) }
            guard answer.status == 200 else { throw failure(what, answer) }
            return (answer.body, answer.headers["content-md5"])
        case .v2:
            let object = Self.json(answer.body)
            if answer.status == 404 || object?["code"] as? Int == 20004 { return (nil, nil) }
            guard answer.status == 200, object?["code"] as? Int == 0 else { throw failure(what, answer) }
            return (object?["data"] as? String ?? "", nil)
        }
    }

    /// Creates or replaces the configuration with `content` (`type`: text, properties, yaml…).
    public func publish(_ key: ConfigKey, content: String, type: String) async throws(QuickupError) {
        let what = "publish configuration \(key) to Nacos"
        var form = try await configQuery(key)
        form.append(("content", content))
        form.append(("type", type))
        let body = Data(form.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&").utf8)
        let answer = try await exchange("POST", path: configPath, query: [], body: body, what: what)
        guard answer.status == 200, Self.accepted(answer.body) else { throw failure(what, answer) }
    }

    /// Deletes the configuration (rollback of one that did not exist before).
    public func deleteConfig(_ key: ConfigKey) async throws(QuickupError) {
        let what = "delete configuration \(key) from Nacos"
        let answer = try await exchange("DELETE", path: configPath, query: try await configQuery(key), body: nil, what: what)
        guard answer.status == 200, Self.accepted(answer.body) else { throw failure(what, answer) }
    }

    /// Reads the configuration back and compares the MD5 of what Nacos holds with the MD5 of
    /// `content` (Nacos versions configurations by that MD5); nil `content`: it must be absent.
    public func verify(_ key: ConfigKey, content: String?) async throws(QuickupError) {
        let (stored, reported) = try await read(key)
        guard let content else {
            if stored != nil {
                throw QuickupError(.nacosFailed, "configuration \(key) still exists in Nacos after it was deleted",
                                   hint: "check the Nacos cluster's consistency (\(config.url)) and run again")
            }
            return
        }
        let expected = MD5.hex(Array(content.utf8))
        guard let stored else {
            throw QuickupError(.nacosFailed, "configuration \(key) is missing in Nacos right after it was published",
                               hint: "check the namespace (\(config.namespace ?? "public")) and the Nacos cluster at \(config.url)")
        }
        let actual = reported?.lowercased() ?? MD5.hex(Array(stored.utf8))
        guard actual == expected else {
            throw QuickupError(.nacosFailed, "configuration \(key) read back from Nacos has MD5 \(actual), expected \(expected) (what was published)",
                               hint: "another client may have changed it at the same time; check its history in the Nacos console and run again")
        }
    }

    private var configPath: String { config.configAPI == .v1 ? "/nacos/v1/cs/configs" : "/nacos/v2/cs/config" }

    private func configQuery(_ key: ConfigKey) async throws(QuickupError) -> [(String, String)] {
        var query = [("dataId", key.dataId), ("group", key.group)]
        if let namespace = config.namespace { query.append((config.configAPI == .v1 ? "tenant" : "namespaceId", namespace)) }
        if let token = try await login() { query.append(("accessToken", token)) }
        return query
    }

    private func failure(_ what: String, _ answer: Answer) -> QuickupError {
        QuickupError(.nacosFailed, "cannot \(what): HTTP \(answer.status) \(answer.body.prefix(200))",
                     hint: answer.status == 403 ? "check nacos.username and its password in env.yaml, and that the user may write the namespace"
                         : "check nacos.url, namespace and config_api (v1|v2) in env.yaml against the server at \(config.url)")
    }

    /// v1 answers `true`; v2 `{"code":0,"data":true}`.
    private static func accepted(_ body: String) -> Bool {
        if body.trimmingCharacters(in: .whitespacesAndNewlines) == "true" { return true }
        guard let object = json(body) else { return false }
        return object["code"] as? Int == 0 && object["data"] as? Bool != false
    }

    private static func json(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }
}
