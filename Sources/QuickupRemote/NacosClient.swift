import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import QuickupCore

/// The few Nacos Open API (v1) calls a graceful stop and start need (S3, §6.1.3.5.1):
/// `POST /nacos/v1/auth/login` (username, password → accessToken) when a user is configured,
/// and `PUT /nacos/v1/ns/instance` with `enabled=false|true` to take an instance out of
/// discovery and put it back. The password goes in the login body only; URLs are never logged.
public struct NacosClient: Sendable {
    public var config: NacosConfig
    /// The password, already resolved from its reference (env var, file) by the caller.
    var password: String?
    public var timeout: TimeSpan

    public init(config: NacosConfig, password: String?, timeout: TimeSpan = .seconds(10)) {
        self.config = config
        self.password = password
        self.timeout = timeout
    }

    /// One instance of a service: what Nacos keys it by.
    public struct Instance: Sendable, Hashable {
        public var serviceName: String
        public var ip: String
        public var port: Int
        public init(serviceName: String, ip: String, port: Int) {
            self.serviceName = serviceName
            self.ip = ip
            self.port = port
        }
    }

    /// Marks the instance enabled (takes traffic) or not.
    public func setEnabled(_ enabled: Bool, _ instance: Instance) async throws(QuickupError) {
        var query = [("serviceName", instance.serviceName), ("ip", instance.ip), ("port", "\(instance.port)"), ("enabled", enabled ? "true" : "false")]
        if let namespace = config.namespace { query.append(("namespaceId", namespace)) }
        if let group = config.group { query.append(("groupName", group)) }
        if let token = try await login() { query.append(("accessToken", token)) }
        let what = "mark \(instance.serviceName) at \(instance.ip):\(instance.port) \(enabled ? "online" : "offline") in Nacos"
        let (status, body) = try await send("PUT", path: "/nacos/v1/ns/instance", query: query, body: nil, what: what)
        guard status == 200 else {
            throw QuickupError(.nacosFailed, "cannot \(what): HTTP \(status) \(body.prefix(200))",
                               hint: status == 403 ? "check nacos.username and its password in env.yaml" : "check that the instance is registered (service name, group, namespace) at \(config.url)")
        }
    }

    /// The access token, or nil when no user is configured (auth disabled on the server).
    func login() async throws(QuickupError) -> String? {
        guard let username = config.username else { return nil }
        let form = "username=\(Self.encode(username))&password=\(Self.encode(password ?? ""))"
        let (status, body) = try await send("POST", path: "/nacos/v1/auth/login", query: [], body: Data(form.utf8), what: "log in to Nacos as \(username)")
        guard status == 200, let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let token = object["accessToken"] as? String else {
            throw QuickupError(.nacosFailed, "cannot log in to Nacos at \(config.url) as \(username): HTTP \(status)",
                               hint: "check nacos.username and its password (password_env / password_file) in env.yaml")
        }
        return token
    }

    func send(_ method: String, path: String, query: [(String, String)], body: Data?, what: String) async throws(QuickupError) -> (Int, String) {
        let answer = try await exchange(method, path: path, query: query, body: body, what: what)
        return (answer.status, answer.body)
    }

    /// One HTTP answer: status, body as text, and the headers (lower-cased names).
    struct Answer: Sendable {
        var status: Int
        var body: String
        var headers: [String: String]
    }

    func exchange(_ method: String, path: String, query: [(String, String)], body: Data?, what: String) async throws(QuickupError) -> Answer {
        let base = config.url.hasSuffix("/") ? String(config.url.dropLast()) : config.url
        let queryText = query.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
        guard let url = URL(string: base + path + (queryText.isEmpty ? "" : "?" + queryText)) else {
            throw QuickupError(.invalidArgument, "nacos.url '\(config.url)' is not a URL", hint: "write it as http://host:8848")
        }
        var request = URLRequest(url: url, timeoutInterval: timeout.seconds)
        request.httpMethod = method
        if let body {
            request.httpBody = body
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            let http = response as? HTTPURLResponse
            var headers: [String: String] = [:]
            for (name, value) in http?.allHeaderFields ?? [:] {
                if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
            }
            return Answer(status: http?.statusCode ?? 0, body: String(decoding: data, as: UTF8.self), headers: headers)
        } catch {
            throw QuickupError(.nacosFailed, "cannot \(what): \(config.url) did not answer (\(error.localizedDescription))",
                               hint: "check that Nacos runs and that nacos.url in env.yaml is right")
        }
    }

    /// Form and query encoding: everything but unreserved characters percent-encoded.
    static func encode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
