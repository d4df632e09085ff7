import Foundation

/// The one allowed stand-in: a tiny HTTP server speaking the Nacos Open API calls quickup makes,
/// recording every call with its time: login, instance update (S3), and the configuration API
/// (K3) in both generations — v1 `GET|POST|DELETE /nacos/v1/cs/configs` (namespace as `tenant`,
/// plain-text answers, `Content-MD5` on reads, 404 for a missing config) and v2
/// `GET|POST|DELETE /nacos/v2/cs/config` (namespace as `namespaceId`, `{"code":0,…}` answers,
/// 404 with code 20004 for a missing config). Auth is on: login needs the right user and
/// password, every other call the token login returned.
public final class FakeNacos: @unchecked Sendable {
    public struct Call: Sendable {
        public var method: String
        public var path: String
        /// Query and body parameters together.
        public var parameters: [String: String]
        /// The query string's parameters alone (what would show in a URL or an access log).
        public var query: [String: String]
        public var at: Date
    }

    public static let username = "nacos"
    public static let password = "s3cret-for-tests"
    public static let token = "token-from-fake-nacos"

    public let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var recorded: [Call] = []
    /// Configurations by namespace, group and data id.
    private var configs: [String: String] = [:]

    public var calls: [Call] { lock.withLock { recorded } }
    /// When set, reads answer what another writer changed (content and its MD5 both differ
    /// from what was published).
    public var corruptReads: Bool {
        get { lock.withLock { corrupt } }
        set { lock.withLock { corrupt = newValue } }
    }
    private var corrupt = false
    public var url: String { "http://127.0.0.1:\(port)" }

    /// What the server holds (nil: absent), as a test sets or checks it directly.
    public func config(namespace: String = "", group: String, dataId: String) -> String? {
        lock.withLock { configs[Self.key(namespace, group, dataId)] }
    }

    public func setConfig(_ content: String?, namespace: String = "", group: String, dataId: String) {
        lock.withLock { configs[Self.key(namespace, group, dataId)] = content }
    }

    static func key(_ namespace: String, _ group: String, _ dataId: String) -> String { "\(namespace)|\(group)|\(dataId)" }

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                serve(client)
            }
        }.start()
    }

    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var headerEnd: Range<Data.Index>?
        while headerEnd == nil {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { return }
            data.append(contentsOf: buffer[0..<count])
            headerEnd = data.range(of: Data("\r\n\r\n".utf8))
        }
        guard let headerEnd else { return }
        let head = String(decoding: data[..<headerEnd.lowerBound], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        let length = lines.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "content-length" ? Int(parts[1].trimmingCharacters(in: .whitespaces)) : nil
        }.first ?? 0
        while data.count - headerEnd.upperBound < length {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        let body = String(decoding: data[headerEnd.upperBound...], as: UTF8.self)
        let target = String(requestLine.count > 1 ? requestLine[1] : "/")
        let pathAndQuery = target.split(separator: "?", maxSplits: 1)
        var parameters = Self.form(pathAndQuery.count > 1 ? String(pathAndQuery[1]) : "")
        parameters.merge(Self.form(body)) { a, _ in a }
        let query = Self.form(pathAndQuery.count > 1 ? String(pathAndQuery[1]) : "")
        let call = Call(method: String(requestLine.first ?? ""), path: String(pathAndQuery[0]), parameters: parameters, query: query, at: Date())
        lock.withLock { recorded.append(call) }
        let (status, text, headers) = respond(call)
        let extra = headers.map { "\($0.key): \($0.value)\r\n" }.joined()
        let response = "HTTP/1.1 \(status) X\r\nContent-Type: \(text.hasPrefix("{") ? "application/json" : "text/plain")\r\n\(extra)Content-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n\(text)"
        _ = response.withCString { write(client, $0, strlen($0)) }
    }

    private func respond(_ call: Call) -> (Int, String, [String: String]) {
        switch (call.method, call.path) {
        case ("POST", "/nacos/v1/auth/login"):
            guard call.parameters["username"] == Self.username, call.parameters["password"] == Self.password else { return (403, "unknown user!", [:]) }
            return (200, #"{"accessToken":"\#(Self.token)","tokenTtl":18000,"globalAdmin":true}"#, [:])
        case ("PUT", "/nacos/v1/ns/instance"):
            guard call.parameters["accessToken"] == Self.token else { return (403, "token invalid!", [:]) }
            guard call.parameters["serviceName"] != nil, call.parameters["ip"] != nil, call.parameters["port"] != nil else {
                return (400, "missing parameter", [:])
            }
            return (200, "ok", [:])
        case (_, "/nacos/v1/cs/configs"), (_, "/nacos/v2/cs/config"):
            guard call.parameters["accessToken"] == Self.token else { return (403, "token invalid!", [:]) }
            return configCall(call, v2: call.path.hasPrefix("/nacos/v2"))
        default:
            return (404, "no such API", [:])
        }
    }

    /// The config API as documented: dataId and group required, content required to publish.
    private func configCall(_ call: Call, v2: Bool) -> (Int, String, [String: String]) {
        func answer(_ status: Int, code: Int, message: String, data: String) -> (Int, String, [String: String]) {
            (status, "{\"code\":\(code),\"message\":\"\(message)\",\"data\":\(data)}", [:])
        }
        let p = call.parameters
        guard let dataId = p["dataId"], !dataId.isEmpty, let group = p["group"], !group.isEmpty else {
            return v2 ? answer(400, code: 10000, message: "parameter missing", data: "\"dataId and group are required\"") : (400, "dataId and group are required", [:])
        }
        let key = Self.key(p[v2 ? "namespaceId" : "tenant"] ?? "", group, dataId)
        switch call.method {
        case "GET":
            guard var content = lock.withLock({ configs[key] }) else {
                return v2 ? answer(404, code: 20004, message: "resource not found", data: "\"config data not exist\"") : (404, "config data not exist", [:])
            }
            if corruptReads { content += "\n# changed by another writer\n" }
            if v2 {
                let encoded = String(decoding: (try? JSONSerialization.data(withJSONObject: [content], options: [.fragmentsAllowed])) ?? Data("[\"\"]".utf8), as: UTF8.self)
                return answer(200, code: 0, message: "success", data: String(encoded.dropFirst().dropLast()))
            }
            return (200, content, ["Content-MD5": Self.md5(content)])
        case "POST":
            guard let content = p["content"], !content.isEmpty else {
                return v2 ? answer(400, code: 10000, message: "parameter missing", data: "\"content is required\"") : (400, "content is required", [:])
            }
            lock.withLock { configs[key] = content }
            return v2 ? answer(200, code: 0, message: "success", data: "true") : (200, "true", [:])
        case "DELETE":
            lock.withLock { configs[key] = nil }
            return v2 ? answer(200, code: 0, message: "success", data: "true") : (200, "true", [:])
        default:
            return (405, "method not allowed", [:])
        }
    }

    /// MD5 by the system's md5sum: independent of quickup's own implementation.
    static func md5(_ content: String) -> String {
        let path = "/tmp/qu-fake-nacos-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(content.utf8))
        let output = path + ".md5"
        defer { unlink(output) }
        guard let pid = try? ChildSpawn.spawn(["/usr/bin/md5sum", path], output: output) else { return "" }
        ChildSpawn.wait(pid)
        return String(((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").prefix(32))
    }

    static func form(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            if parts.count == 2 { result[parts[0]] = parts[1] }
        }
        return result
    }
}
