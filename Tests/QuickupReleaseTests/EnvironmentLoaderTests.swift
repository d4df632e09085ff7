import QuickupCore
import Testing
@testable import QuickupRelease

@Suite("env.yaml (D4)")
struct EnvironmentLoaderTests {
    @Test("credential references are kept as references; nothing secret is shown")
    func credentials() {
        let loaded = EnvironmentLoader().load(file: "env.yaml", text: """
        site: S1
        datasources:
          a: {type: mariadb, host: 127.0.0.1, port: 3306, user: u, password_env: DB_PASS}
          b: {type: clickhouse, host: 127.0.0.1, password_file: /run/secrets/ck}
          c: {type: redis, host: 127.0.0.1, password: hunter2}
          d: {type: sqlite, path: demo.db}
        """)
        #expect(loaded.diagnostics.errors.isEmpty, "\(loaded.diagnostics.errors)")
        let env = loaded.environment
        #expect(env.site == "S1")
        #expect(env.datasource(named: "a")?.password == .environment("DB_PASS"))
        #expect(env.datasource(named: "b")?.password == .file("/run/secrets/ck"))
        #expect(env.datasource(named: "c")?.password == .literal("hunter2"))
        #expect(!"\(env.datasource(named: "c")!.password)".contains("hunter2"))
        #expect(!(env.datasource(named: "c")!.displayName.contains("hunter2")))
    }

    @Test("an unclosed flow mapping names the line where it was opened, not only the end of the file")
    func unclosedFlowMapping() {
        let loaded = EnvironmentLoader().load(file: "env.yaml", text: "site: X\nservices:\n  base: {start: 7\n\n# end\n")
        let error = loaded.diagnostics.errors.first
        #expect(error?.message.contains("not valid YAML") == true, "\(loaded.diagnostics.errors)")
        #expect(error?.message.contains("opened on line 3") == true, "\(String(describing: error))")
        #expect(!loaded.parsed, "nothing read: no checks against the release follow")
    }

    @Test("mistakes name the line and key")
    func errors() {
        let loaded = EnvironmentLoader().load(file: "env.yaml", text: """
        site: S1
        datasources:
          a:
            type: postgres
            host: x
          b:
            type: mariadb
            host: x
            password: p
            password_env: P
          c:
            type: sqlite
        hosts:
          - name: h1
            adress: 10.0.0.1
        colour: blue
        """)
        let lines = loaded.diagnostics.errors.map(\.description)
        #expect(lines.contains { $0.contains("env.yaml:4: type") && $0.contains("expected mariadb|mysql|clickhouse|redis|sqlite") }, "\(lines)")
        #expect(lines.contains { $0.contains("only one of password") })
        #expect(lines.contains { $0.contains("needs 'path'") })
        #expect(lines.contains { $0.contains("env.yaml:15: adress") && $0.contains("unknown key") })
        #expect(lines.contains { $0.contains("missing key 'address'") })
        #expect(lines.contains { $0.contains("env.yaml:16: colour") })
    }

    @Test("an environment missing a datasource the release needs is an error")
    func crossCheck() {
        var component = Component(name: "base", location: SourceLocation(file: "base/component.yaml"))
        component.datasources = [DatasourceRef(name: "base_db", type: .mariadb), DatasourceRef(name: "cache", type: .redis)]
        let release = Release(name: "r", components: [component])
        let env = EnvironmentLoader().load(file: "env.yaml", text: "site: S\ndatasources:\n  base_db: {type: mysql, host: h}\n").environment
        var diagnostics = Diagnostics()
        EnvironmentValidator().validate(env, for: release, into: &diagnostics)
        #expect(diagnostics.errors.count == 1)
        #expect(diagnostics.errors.first?.message.contains("no datasource 'cache'") == true)
    }
}

@Suite("env.yaml hosts, services and SSH policy (S1–S3)")
struct EnvironmentHostsTests {
    @Test("S1/S3: host key policy, pinned key, state dir, keepalive overrides and services are read")
    func hostsAndServices() {
        let loaded = EnvironmentLoader().load(file: "env.yaml", text: """
        site: S1
        hosts:
          - name: app1
            address: 10.0.0.5
            user: deploy
            identity_file: keys/deploy
            host_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
            state_dir: /data/quickup
            components: [gps]
          - name: app2
            address: 10.0.0.6
            host_key_policy: accept-new
        ssh:
          transfer: {interval: 10s, timeout: 40s, reconnects: 5}
        services:
          gps:
            start: /opt/gps/bin/start.sh
            port: 8081
            health_url: http://127.0.0.1:8081/actuator/health
            process_match: gps-service.jar
            nacos_service: gps-service
            stop_grace: 20s
            start_timeout: 3m
        """)
        #expect(loaded.diagnostics.errors.isEmpty, "\(loaded.diagnostics.errors)")
        let env = loaded.environment
        #expect(env.hosts[0].hostKey?.hasPrefix("ssh-ed25519 ") == true)
        #expect(env.hosts[0].remoteStateDir == "/data/quickup")
        #expect(env.hosts[0].hostKeyPolicy == .strict)
        #expect(env.hosts[1].hostKeyPolicy == .acceptNew)
        #expect(env.hosts[1].remoteStateDir == HostConfig.defaultRemoteStateDir)
        #expect(env.keepalive[.transfer] == KeepalivePolicy(interval: .seconds(10), timeout: .seconds(40), reconnectTries: 5))
        #expect(env.keepalive[.control] == .defaults(for: .control))
        let gps = env.service(of: "gps")
        #expect(gps?.port == 8081)
        #expect(gps?.nacosServiceName == "gps-service")
        #expect(gps?.stopGrace == .seconds(20))
        #expect(gps?.startTimeout == .minutes(3))
        #expect(gps?.location.line == 17)
    }

    @Test("S1/S3: mistakes name file, line and key")
    func mistakes() {
        let loaded = EnvironmentLoader().load(file: "env.yaml", text: """
        site: S1
        hosts:
          - name: app1
            address: 10.0.0.5
            host_key_policy: trust-me
            host_key: AAAA
        ssh:
          control: {interval: 60s, timeout: 10s}
          bulk: {interval: 1s}
        services:
          gps:
            start: /opt/gps/bin/start.sh
            stop_grace: soon
        """)
        let lines = loaded.diagnostics.errors.map(\.description)
        #expect(lines.contains { $0.contains("env.yaml:5: host_key_policy") && $0.contains("strict|accept-new") }, "\(lines)")
        #expect(lines.contains { $0.contains("env.yaml:6: host_key") && $0.contains("ssh-ed25519") }, "\(lines)")
        #expect(lines.contains { $0.contains("env.yaml:8") && $0.contains("shorter than the keepalive interval") }, "\(lines)")
        #expect(lines.contains { $0.contains("env.yaml:9: bulk") && $0.contains("unknown key") }, "\(lines)")
        #expect(lines.contains { $0.contains("env.yaml:13: stop_grace") }, "\(lines)")
        #expect(lines.contains { $0.contains("env.yaml:12") && $0.contains("needs 'port' or 'health_url'") }, "\(lines)")
        #expect(lines.contains { $0.contains("needs 'stop', 'pid_file' or 'process_match'") }, "\(lines)")
    }
}
