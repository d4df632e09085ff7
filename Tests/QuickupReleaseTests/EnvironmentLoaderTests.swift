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
