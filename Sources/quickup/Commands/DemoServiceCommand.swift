import ArgumentParser
import Foundation
import QuickupCore

/// `quickup demo-service --port N --dir D` (hidden): the tiny service `quickup demo` upgrades.
/// It listens on 127.0.0.1:N and answers `GET /health` (200 ok) and `GET /version` (the first line
/// of `D/VERSION`, read at start), so the demo needs nothing but the quickup binary (issue 15 item 6).
struct DemoServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo-service", abstract: "The demo's tiny HTTP service.",
                                                    shouldDisplay: false)

    @Option(name: .long, help: "Port to listen on.")
    var port: Int
    @Option(name: .long, help: "Address to listen on (default 127.0.0.1).")
    var bind: String = "127.0.0.1"
    @Option(name: .long, help: "The installed folder (its VERSION file is the version answered).")
    var dir: String

    func run() throws {
        let version = ((try? String(contentsOfFile: "\(dir)/VERSION", encoding: .utf8)) ?? "unknown")
            .split(separator: "\n").first.map(String.init) ?? "unknown"
        signal(SIGPIPE, SIG_IGN)
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard server >= 0 else { throw ExitCode(1) }
        var yes: Int32 = 1
        setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(bind)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(server, 64) == 0 else {
            Console.error("demo-service: cannot listen on \(bind):\(port): \(String(cString: strerror(errno)))")
            throw ExitCode(1)
        }
        Console.error("demo-service \(version) listening on \(bind):\(port)")
        while true {
            let client = accept(server, nil, nil)
            guard client >= 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 2048)
            let count = read(client, &buffer, buffer.count)
            let request = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
            let path = request.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
            let (status, body) = path == "/version" ? ("200 OK", version) : path == "/health" ? ("200 OK", "ok") : ("404 Not Found", "not found")
            let response = "HTTP/1.1 \(status)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            _ = response.withCString { write(client, $0, strlen($0)) }
            close(client)
        }
    }
}
