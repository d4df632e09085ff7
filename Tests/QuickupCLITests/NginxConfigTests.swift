import Foundation
import QuickupTestSupport
import Testing

/// K2 with the real nginx from Debian: a private instance (own prefix, pid file, a free port on
/// loopback) whose server block a `format=nginx` config task replaces over SSH. A good change is
/// tested, installed and reloaded and serves its new location; a broken one is refused by
/// `nginx -t` with nginx's own message and line, the old file stays and nginx keeps serving.
@Suite("nginx config tasks (K2, issue 18)", .serialized)
struct NginxConfigTests {
    final class PrivateNginx {
        let prefix: String
        let port: Int
        var conf: String { prefix + "/conf/nginx.conf" }
        var site: String { prefix + "/conf/conf.d/site.conf" }
        var pidFile: String { prefix + "/nginx.pid" }

        init(under root: String) throws {
            prefix = root + "/nginx"
            port = try Self.freePort()
            for directory in ["conf/conf.d", "logs", "tmp"] {
                try FileManager.default.createDirectory(atPath: "\(prefix)/\(directory)", withIntermediateDirectories: true)
            }
            try """
            worker_processes 1;
            pid \(prefix)/nginx.pid;
            error_log \(prefix)/logs/error.log;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path \(prefix)/tmp/body;
                proxy_temp_path \(prefix)/tmp/proxy;
                fastcgi_temp_path \(prefix)/tmp/fastcgi;
                uwsgi_temp_path \(prefix)/tmp/uwsgi;
                scgi_temp_path \(prefix)/tmp/scgi;
                include conf.d/*.conf;
            }

            """.write(toFile: conf, atomically: true, encoding: .utf8)
            try Self.block(port, location: "old").write(toFile: site, atomically: true, encoding: .utf8)
            try command(["-t"])
            try command([])
        }

        static func block(_ port: Int, location: String, extra: String = "") -> String {
            """
            server {
                listen 127.0.0.1:\(port);
                location /\(location) { return 200 "\(location)\\n"; }
                location /health { return 200 "ok\\n"; }
            \(extra)}

            """
        }

        @discardableResult
        func command(_ arguments: [String]) throws -> String {
            let output = prefix + "/cmd.out"
            let pid = try ChildSpawn.spawn(["/usr/sbin/nginx", "-p", prefix, "-c", conf] + arguments, output: output)
            let status = ChildSpawn.wait(pid)
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            guard status == 0 else { throw NginxFailure("nginx \(arguments) failed: \(text)") }
            return text
        }

        func stop() {
            _ = try? command(["-s", "stop"])
            for _ in 0..<100 where FileManager.default.fileExists(atPath: pidFile) { usleep(20_000) }
        }

        /// The body nginx answers for `/path`, or nil when it does not answer 200. A timeout is
        /// retried (curl's transient errors): on a loaded machine 5 s was not always enough.
        func get(_ path: String) -> String? {
            let output = prefix + "/get.out"
            guard let pid = try? ChildSpawn.spawn(["/usr/bin/curl", "-fsS", "-m", "20", "--retry", "3", "http://127.0.0.1:\(port)\(path)"], output: output),
                  ChildSpawn.wait(pid) == 0 else { return nil }
            return try? String(contentsOfFile: output, encoding: .utf8)
        }

        static func freePort() throws -> Int {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            guard ok else { throw NginxFailure("no free port") }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }

    func setUp(_ site: ConfigSite, change: String) throws -> PrivateNginx {
        let nginx = try PrivateNginx(under: site.tree.path)
        try site.release(tasks: ConfigSite.task("site", format: "nginx", target: nginx.site), changes: ["site.change": change])
        try site.env("""
            nginx:
              binary: /usr/sbin/nginx
              prefix: \(nginx.prefix)
              conf: \(nginx.conf)
              pid_file: \(nginx.pidFile)
              health_url: http://127.0.0.1:\(nginx.port)/health
            """)
        return nginx
    }

    @Test("K2: a good change is tested, installed, reloaded (new workers) and serves the new location; rollback reloads the old one")
    func goodChange() throws {
        let site = try ConfigSite("qu-ngx-good")
        defer { site.stop() }
        let nginx = try setUp(site, change: "")
        defer { nginx.stop() }
        // The change file names the port the test picked.
        try site.tree.write("release/app/upgrade/V1.0.1/config/site.change", PrivateNginx.block(nginx.port, location: "new"))
        let before = ConfigSite.snapshot(nginx.site)
        #expect(nginx.get("/old") == "old\n")
        #expect(nginx.get("/new") == nil)
        let (result, runID) = try site.runJSON()
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("nginx -t passed, reloaded"), "\(result.stderr)")
        #expect(nginx.get("/new") == "new\n")
        #expect(nginx.get("/old") == nil)
        let back = try site.rollback(runID)
        #expect(back.status == 0, "\(back.stdout)\n\(back.stderr)")
        #expect(ConfigSite.snapshot(nginx.site) == before)
        #expect(nginx.get("/old") == "old\n", "the rollback reloaded nginx with the previous file")
    }

    @Test("K2: a broken change is refused by nginx -t with nginx's message and line; the old file stays and nginx keeps serving")
    func brokenChange() throws {
        let site = try ConfigSite("qu-ngx-bad")
        defer { site.stop() }
        let nginx = try setUp(site, change: "")
        defer { nginx.stop() }
        try site.tree.write("release/app/upgrade/V1.0.1/config/site.change",
                            PrivateNginx.block(nginx.port, location: "new", extra: "    retrun 200;\n"))
        let before = ConfigSite.snapshot(nginx.site)
        let master = try String(contentsOfFile: nginx.pidFile, encoding: .utf8)
        let result = try site.run()
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("unknown directive \"retrun\" in \(nginx.site):5"), "\(result.stdout)")
        #expect(result.stdout.contains("nginx -t refused"), "\(result.stdout)")
        #expect(ConfigSite.snapshot(nginx.site) == before, "the live file is untouched")
        #expect(nginx.get("/old") == "old\n", "nginx keeps serving the old configuration")
        #expect(try String(contentsOfFile: nginx.pidFile, encoding: .utf8) == master, "the same master runs")
        // Nothing was kept either: the host has no backup of a file it never replaced.
        #expect(!FileManager.default.fileExists(atPath: site.server.directory + "/remote/backups/config"), "no backup for a refused change")
    }
}

struct NginxFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
