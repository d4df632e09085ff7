import Foundation

/// A tiny real Java service for the upgrade tests (S3, issue 15): built in the test with the
/// machine's `javac` and `jar`, one jar per version, cached for the life of the test process.
/// It serves `GET /health` (`UP`) and `GET /version` (its version) with com.sun.net.httpserver,
/// writes its pid to a file when asked, registers with Nacos (`POST /nacos/v1/ns/instance`) when
/// given a URL, and on SIGTERM deregisters, stops accepting, lets requests in flight finish and
/// exits — a graceful stop, the way a Spring service behaves.
///
/// Arguments: `--port N [--bind ADDR] [--pid-file F] [--nacos URL --service NAME --ip IP]`.
public enum JavaServices {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The java launcher by its real path, so a host in a namespace finds it without PATH.
    public static var java: String {
        for candidate in [ProcessInfo.processInfo.environment["JAVA_HOME"].map { "\($0)/bin/java" }, "/usr/bin/java"].compactMap({ $0 })
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return URL(fileURLWithPath: candidate).resolvingSymlinksInPath().path
        }
        return "java"
    }

    private static let lock = NSLock()
    private nonisolated(unsafe) static var built: [String: String] = [:]

    /// The jar of `version` (e.g. `1.0.0`), compiled on first use in this process.
    public static func jar(version: String) throws -> String {
        try lock.withLock {
            if let path = built[version], FileManager.default.fileExists(atPath: path) { return path }
            let safe = String(version.map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "_" })
            let directory = "/tmp/qujava-\(getpid())/\(safe)"
            try? FileManager.default.removeItem(atPath: directory)
            try FileManager.default.createDirectory(atPath: "\(directory)/src", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: "\(directory)/classes", withIntermediateDirectories: true)
            try source(version: version).write(toFile: "\(directory)/src/QuickupTestService.java", atomically: true, encoding: .utf8)
            try "Main-Class: QuickupTestService\n".write(toFile: "\(directory)/manifest.txt", atomically: true, encoding: .utf8)
            try run(["/usr/bin/javac", "-d", "\(directory)/classes", "\(directory)/src/QuickupTestService.java"], in: directory)
            let jar = "\(directory)/service-\(safe).jar"
            try run(["/usr/bin/jar", "cfm", jar, "\(directory)/manifest.txt", "-C", "\(directory)/classes", "."], in: directory)
            built[version] = jar
            return jar
        }
    }

    /// The shell command that starts `version` on `port` (what env.yaml's `services.<c>.start` holds).
    public static func startCommand(version: String, port: Int, pidFile: String? = nil, bind: String = "0.0.0.0",
                                    nacos: (url: String, service: String, ip: String)? = nil) throws -> String {
        var words = [java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-jar", try jar(version: version),
                     "--port", "\(port)", "--bind", bind]
        if let pidFile { words += ["--pid-file", pidFile] }
        if let nacos { words += ["--nacos", nacos.url, "--service", nacos.service, "--ip", nacos.ip] }
        return words.map { "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }.joined(separator: " ")
    }

    /// Removes this process's compiled jars.
    public static func removeAll() {
        lock.withLock {
            built.removeAll()
            try? FileManager.default.removeItem(atPath: "/tmp/qujava-\(getpid())")
        }
    }

    private static func run(_ arguments: [String], in directory: String) throws {
        let output = "\(directory)/\(URL(fileURLWithPath: arguments[0]).lastPathComponent).out"
        let pid = try ChildSpawn.spawn(arguments, output: output)
        let status = ChildSpawn.wait(pid)
        guard status == 0 else {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw Failure(description: "\(arguments[0]) failed (\(status)): \(text)")
        }
    }

    static func source(version: String) -> String {
        """
        import com.sun.net.httpserver.HttpServer;
        import com.sun.net.httpserver.HttpExchange;
        import java.io.OutputStream;
        import java.net.HttpURLConnection;
        import java.net.InetSocketAddress;
        import java.net.URL;
        import java.net.URLEncoder;
        import java.nio.charset.StandardCharsets;
        import java.nio.file.Files;
        import java.nio.file.Paths;
        import java.util.HashMap;
        import java.util.Map;
        import java.util.concurrent.Executors;

        public class QuickupTestService {
            static final String VERSION = "\(version)";

            public static void main(String[] args) throws Exception {
                Map<String, String> a = new HashMap<>();
                for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i], args[i + 1]);
                int port = Integer.parseInt(a.getOrDefault("--port", "8080"));
                HttpServer server = HttpServer.create(new InetSocketAddress(a.getOrDefault("--bind", "0.0.0.0"), port), 64);
                server.setExecutor(Executors.newFixedThreadPool(4));
                server.createContext("/health", e -> answer(e, "UP"));
                server.createContext("/version", e -> answer(e, VERSION));
                server.start();
                if (a.containsKey("--pid-file")) {
                    Files.write(Paths.get(a.get("--pid-file")), (ProcessHandle.current().pid() + "\\n").getBytes(StandardCharsets.UTF_8));
                }
                String nacos = a.get("--nacos");
                String query = nacos == null ? null : "serviceName=" + enc(a.getOrDefault("--service", "quickup-test"))
                    + "&ip=" + enc(a.getOrDefault("--ip", "127.0.0.1")) + "&port=" + port;
                if (nacos != null) call(nacos, "POST", query + "&metadata=" + enc("{\\"version\\":\\"" + VERSION + "\\"}"));
                System.out.println("QuickupTestService " + VERSION + " listening on " + port);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    System.out.println("SIGTERM: stopping " + VERSION);
                    if (nacos != null) call(nacos, "DELETE", query);
                    server.stop(2);
                    System.out.println("stopped " + VERSION);
                }));
            }

            static void answer(HttpExchange e, String text) throws java.io.IOException {
                byte[] body = (text + "\\n").getBytes(StandardCharsets.UTF_8);
                e.getResponseHeaders().set("Content-Type", "text/plain");
                e.sendResponseHeaders(200, body.length);
                try (OutputStream out = e.getResponseBody()) { out.write(body); }
            }

            static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

            /// Nacos registration is best effort: a service keeps serving when Nacos is away.
            static void call(String base, String method, String query) {
                try {
                    HttpURLConnection c = (HttpURLConnection) new URL(base + "/nacos/v1/ns/instance?" + query).openConnection();
                    c.setRequestMethod(method);
                    c.setConnectTimeout(2000);
                    c.setReadTimeout(2000);
                    System.out.println("nacos " + method + " " + c.getResponseCode());
                    c.disconnect();
                } catch (Exception ex) {
                    System.out.println("nacos " + method + " failed: " + ex);
                }
            }
        }

        """
    }
}
