import Foundation

/// The one allowed stand-in: a tiny HTTP server speaking the two Nacos Open API calls quickup
/// makes (login, instance update), recording every call with its time. Auth is on: login needs
/// the right user and password, instance updates need the token login returned.
final class FakeNacos: @unchecked Sendable {
    struct Call: Sendable {
        var method: String
        var path: String
        var parameters: [String: String]
        var at: Date
    }

    static let username = "nacos"
    static let password = "s3cret-for-tests"
    static let token = "token-from-fake-nacos"

    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var recorded: [Call] = []

    var calls: [Call] { lock.withLock { recorded } }
    var url: String { "http://127.0.0.1:\(port)" }

    init() throws {
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

    func stop() {
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
        let call = Call(method: String(requestLine.first ?? ""), path: String(pathAndQuery[0]), parameters: parameters, at: Date())
        lock.withLock { recorded.append(call) }
        let (status, text) = respond(call)
        let response = "HTTP/1.1 \(status) X\r\nContent-Type: text/plain\r\nContent-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n\(text)"
        _ = response.withCString { write(client, $0, strlen($0)) }
    }

    private func respond(_ call: Call) -> (Int, String) {
        switch (call.method, call.path) {
        case ("POST", "/nacos/v1/auth/login"):
            guard call.parameters["username"] == Self.username, call.parameters["password"] == Self.password else { return (403, "unknown user!") }
            return (200, #"{"accessToken":"\#(Self.token)","tokenTtl":18000,"globalAdmin":true}"#)
        case ("PUT", "/nacos/v1/ns/instance"):
            guard call.parameters["accessToken"] == Self.token else { return (403, "token invalid!") }
            guard call.parameters["serviceName"] != nil, call.parameters["ip"] != nil, call.parameters["port"] != nil else {
                return (400, "missing parameter")
            }
            return (200, "ok")
        default:
            return (404, "no such API")
        }
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
