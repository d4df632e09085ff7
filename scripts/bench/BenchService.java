// The Java service of the upgrade benchmark (scripts/bench/upgrade-steps.py java): what the
// upgrade tests' service does, for the outage figure of a real JVM service (issue 15).
// GET /health answers UP, GET /version the VERSION file of --dir (the installed release);
// SIGTERM stops accepting, lets requests in flight end, exits.
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

public class BenchService {
    public static void main(String[] args) throws Exception {
        int port = 0;
        String dir = ".";
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--port")) port = Integer.parseInt(args[i + 1]);
            if (args[i].equals("--dir")) dir = args[i + 1];
        }
        final Path version = Path.of(dir, "VERSION").toRealPath();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/health", exchange -> answer(exchange, "UP"));
        server.createContext("/version", exchange -> answer(exchange, Files.readString(version, StandardCharsets.UTF_8).trim()));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(1)));
    }

    static void answer(com.sun.net.httpserver.HttpExchange exchange, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) { out.write(bytes); }
    }
}
