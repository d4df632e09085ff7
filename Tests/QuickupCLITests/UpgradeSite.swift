import Foundation
import QuickupTestSupport

/// A site for `quickup upgrade` end-to-end tests (issue 15): a release with one component `app`
/// (packages V1.0.0 and V1.1.0, a pre_stop and an in_stop SQL task, a business_check hook), two
/// `local` hosts each running `app` as a real service (`quickup demo-service`, free ports),
/// V1.0.0 installed and running. Each start appends a line to `<host>/starts.log`: the marker
/// that tells whether a start ran twice.
struct UpgradeSite {
    /// A host of the site: its env.yaml entry (without `components`) and the command prefix that
    /// runs a process where its services run (`ip netns exec NS` for an SSH host in a namespace).
    struct Host {
        var name: String
        var entry: String
        var portOffset: Int
        var prefix: [String]
    }

    static func localHosts(_ root: String) -> [Host] {
        [Host(name: "a", entry: "{name: a, kind: local, state_dir: \(root)/a/quickup", portOffset: 0, prefix: []),
         Host(name: "b", entry: "{name: b, kind: local, port_offset: 1, state_dir: \(root)/b/quickup", portOffset: 1, prefix: [])]
    }

    let tree: TemporaryTree
    let port: Int
    let hosts: [Host]
    var root: String { tree.path }
    var release: String { "\(root)/release" }
    var env: String { "\(root)/env.yaml" }
    var state: String { "\(root)/state" }

    init(inStopSQL: String = "CREATE TABLE IF NOT EXISTS orders_v2 (id INTEGER);", compatible: Bool = true,
         check: String = "#!/bin/sh\nexit 0\n", datasource: String? = nil, bind: String = "127.0.0.1", withRollback: Bool = false, schemaRollback: Bool = true,
         component extra: String = "", hosts: ((String) -> [Host])? = nil,
         releaseFiles: [String: String] = [:], envExtra: String = "", startPrefix: String = "") throws {
        tree = try TemporaryTree("quickup-upgrade")
        port = try Self.freePair()
        let hosts = (hosts ?? Self.localHosts)(tree.path)
        self.hosts = hosts
        let compat = compatible ? "V1.0.0" : "V9.0.0"
        try tree.write("release/release.yaml", "name: site\ncomponents: [app]\n")
        try tree.write("release/app/component.yaml", """
            plugin_class: core
            on_failure: {tries: 1}
            datasources:
              - {name: db, type: \(datasource?.contains("type: mariadb") == true ? "mariadb" : "sqlite")}
            package: package
            keep: [conf/site.yml]
            hooks:
              business_check: hooks/check.sh
            \(extra)
            """)
        try tree.write("release/app/hooks/check.sh", check)
        chmod("\(release)/app/hooks/check.sh", 0o755)
        try tree.write("release/app/upgrade/V1.1.0/upgrade_tasks_V1.1.0.properties", """
            sql.prepare.id=APP-1
            sql.prepare.description=prepare
            sql.prepare.file=sql/prepare.sql
            sql.prepare.stage=pre_stop
            sql.prepare.compatible_version=\(compat)
            sql.schema.id=APP-2
            sql.schema.description=new schema
            sql.schema.file=sql/schema.sql
            sql.schema.stage=in_stop
            sql.schema.compatible_version=\(compat)
            \(withRollback ? "sql.prepare.rollback=sql/prepare_rollback.sql\n" + (schemaRollback ? "sql.schema.rollback=sql/schema_rollback.sql\n" : "") : "")
            """)
        if withRollback {
            try tree.write("release/app/upgrade/V1.1.0/sql/prepare_rollback.sql", "DROP TABLE IF EXISTS prepared;\n")
            try tree.write("release/app/upgrade/V1.1.0/sql/schema_rollback.sql", "DROP TABLE IF EXISTS orders_v2;\n")
        }
        for (path, text) in releaseFiles { try tree.write("release/\(path)", text) }
        try tree.write("release/app/upgrade/V1.1.0/sql/prepare.sql", "CREATE TABLE IF NOT EXISTS prepared (id INTEGER);\n")
        try tree.write("release/app/upgrade/V1.1.0/sql/schema.sql", inStopSQL + "\n")
        for version in ["V1.0.0", "V1.1.0"] {
            try tree.write("release/app/package/\(version)/VERSION", "\(version)\n")
            try tree.write("release/app/package/\(version)/conf/app.yml", "shipped: \(version)\n")
        }
        try tree.write("app.db", "")
        let program = CLI.executable.path
        try tree.write("env.yaml", """
            site: UP-\(port)
            thresholds: {cpu_idle_min: 0}
            datasources:
              db: \(datasource ?? "{type: sqlite, path: \(root)/app.db}")
            hosts:
            \(hosts.map { "  - \($0.entry), components: [app]}" }.joined(separator: "\n"))
            services:
              app:
                start: \(startPrefix)echo start >> \(root)/{host}/starts.log; exec \(program) demo-service --port {port} --dir {install_dir}/current --bind \(bind)
                process_match: demo-service --port {port} --dir {install_dir}/current
                port: \(port)
                health_url: http://127.0.0.1:{port}/health
                version_url: http://127.0.0.1:{port}/version
                install_dir: \(root)/{host}/app
                stop_grace: 5s
                start_timeout: 30s
            \(envExtra)
            """)
        for h in hosts {
            let (host, offset) = (h.name, h.portOffset)
            let dir = "\(root)/\(host)/app"
            let script = """
                set -e
                mkdir -p \(dir)/releases
                cp -a \(release)/app/package/V1.0.0 \(dir)/releases/V1.0.0
                echo 'site: own' > \(dir)/releases/V1.0.0/conf/site.yml
                ln -s releases/V1.0.0 \(dir)/current
                echo start >> \(root)/\(host)/starts.log
                """
            _ = try CLI.run(["-c", script], program: URL(fileURLWithPath: "/bin/sh"))
            // Spawned with nothing of the test process inherited: a held pipe end would keep
            // CLI.run waiting for EOF.
            _ = try ChildSpawn.spawn((h.prefix.isEmpty ? ["/usr/bin/setsid"] : h.prefix)
                                     + [program, "demo-service", "--port", "\(port + offset)", "--dir", "\(dir)/current", "--bind", bind],
                                     output: "/dev/null")
        }
        for h in hosts { _ = try waitVersion(h.name, not: "") }
    }

    /// What the service on host `name` answers at /version, asked where it runs.
    func version(_ name: String) -> String {
        guard let h = hosts.first(where: { $0.name == name }) else { return "" }
        let line = (h.prefix + ["curl", "-fsS", "-m", "2", "http://127.0.0.1:\(port + h.portOffset)/version"]).joined(separator: " ")
        return (try? CLI.run(["-c", line], program: URL(fileURLWithPath: "/bin/sh")).stdout) ?? ""
    }

    @discardableResult
    func waitVersion(_ name: String, not unwanted: String) throws -> String {
        for _ in 0..<100 {
            let v = version(name)
            if !v.isEmpty, v != unwanted { return v }
            usleep(100_000)
        }
        return ""
    }

    func upgrade(_ extra: [String], environment: [String: String] = [:]) async throws -> CLI.Result {
        try await CLI.runOffPool(["upgrade", "--release", release, "--env", env, "--state", state] + extra, environment: environment)
    }

    func rollback(_ id: String, _ extra: [String] = [], environment: [String: String] = [:]) async throws -> CLI.Result {
        try await CLI.runOffPool(["rollback", id, "--release", release, "--env", env, "--state", state] + extra, environment: environment)
    }

    /// What the service on `port` answers at /version ("" when it does not answer).
    func version(_ port: Int) -> String {
        (try? CLI.run(["-c", "curl -fsS -m 2 http://127.0.0.1:\(port)/version"], program: URL(fileURLWithPath: "/bin/sh")).stdout) ?? ""
    }

    func starts(_ host: String) -> Int {
        ((try? String(contentsOfFile: "\(root)/\(host)/starts.log", encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    func current(_ host: String) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(root)/\(host)/app/current")) ?? ""
    }

    func tableExists(_ name: String) throws -> Bool {
        let r = try CLI.run(["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from sqlite_master where name=?\", (sys.argv[2],)).fetchone()[0])",
                             "\(root)/app.db", name], program: URL(fileURLWithPath: "/usr/bin/python3"))
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    /// Stops the services and removes the folder.
    func remove() {
        // pkill itself, not through `sh -c`: the shell's own command line holds both patterns, so
        // the first pkill killed the shell and host b's service was left running.
        for port in [port, port + 1] {
            _ = try? CLI.run(["-f", "demo-service --port \(port) --dir"], program: URL(fileURLWithPath: "/usr/bin/pkill"))
        }
        tree.remove()
    }

    static func runID(_ output: String) -> String? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("Upgrade ") }) else { return nil }
        return line.split(separator: " ").dropFirst().first.map { String($0.dropLast()) }
    }

    /// Two free neighbouring ports for the site's services. Below the kernel's ephemeral range
    /// (32768–60999 here), so no outgoing connection of another test takes one between this check
    /// and the service's bind.
    static func freePair() throws -> Int {
        var lastError: Int32 = 0
        for _ in 0..<100 {
            let port = Int.random(in: 20000...32000)
            let first = bindError(port), second = first == 0 ? bindError(port + 1) : first
            if second == 0 { return port }
            lastError = second
        }
        throw TestServers.Missing(description: "no two free neighbouring ports on 127.0.0.1 in 100 tries (last: \(String(cString: strerror(lastError))))")
    }

    /// 0 when `port` can be bound on 127.0.0.1, else the errno of the failing call.
    private static func bindError(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { p in p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 } }
        return bound ? 0 : errno
    }
}
