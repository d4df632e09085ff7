import Foundation
import QuickupTestSupport
import Testing

/// K3 against the fake Nacos (the one allowed stand-in), v1 and v2 config APIs: a config that
/// had content is edited and published, one that was absent is created; each is read back by
/// MD5; the rollback republishes the previous content and deletes the one that did not exist.
/// The password goes only into the login body: never a URL, the output or the state directory.
@Suite("Nacos config tasks (K3, issue 18)", .serialized)
struct NacosConfigTests {
    static let previous = "# app\nserver.port=8080\nfeature.x=on\n"

    @Test("K3: publish, verify, rollback (had content / was absent), password never in URLs or logs", arguments: ["v1", "v2"])
    func publishAndRollBack(api: String) throws {
        let nacos = try FakeNacos()
        defer { nacos.stop() }
        let site = try ConfigSite("qu-nacos-\(api)")
        defer { site.stop() }
        nacos.setConfig(Self.previous, namespace: "ns-cfg", group: "DEFAULT_GROUP", dataId: "app.properties")
        try site.release(tasks: [
            ConfigSite.task("props", format: "properties", target: "nacos:DEFAULT_GROUP/app.properties", order: 1),
            ConfigSite.task("routes", format: "yaml", target: "nacos:GATEWAY/routes.yaml", order: 2),
        ].joined(separator: "\n"), changes: [
            "props.change": "set server.port = 8081\nremove feature.x\n",
            "routes.change": "set gateway.enabled = true\nset gateway.routes.orders = lb://orders\n",
        ])
        try site.env("""
            nacos:
              url: \(nacos.url)
              namespace: ns-cfg
              username: \(FakeNacos.username)
              password_env: QU_TEST_NACOS_PASSWORD
              config_api: \(api)
            """)
        site.environment = ["QU_TEST_NACOS_PASSWORD": FakeNacos.password]

        let dry = try site.run(["--dry-run"])
        #expect(dry.status == 0, "\(dry.stdout)\n\(dry.stderr)")
        #expect(dry.stdout.contains("-server.port=8080") && dry.stdout.contains("+server.port=8081"), "\(dry.stdout)")
        #expect(nacos.config(namespace: "ns-cfg", group: "DEFAULT_GROUP", dataId: "app.properties") == Self.previous, "a dry run publishes nothing")

        let callsBefore = nacos.calls.count
        let (result, runID) = try site.runJSON()
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let runCalls = Array(nacos.calls.dropFirst(callsBefore))
        #expect(nacos.config(namespace: "ns-cfg", group: "DEFAULT_GROUP", dataId: "app.properties") == "# app\nserver.port=8081\n")
        let routes = nacos.config(namespace: "ns-cfg", group: "GATEWAY", dataId: "routes.yaml")
        #expect(routes?.contains("orders: lb://orders") == true, "\(routes ?? "absent")")
        let path = api == "v1" ? "/nacos/v1/cs/configs" : "/nacos/v2/cs/config"
        let configCalls = runCalls.filter { $0.path == path }
        // Fetched (kept) before publishing, and read back after.
        let methods = configCalls.filter { $0.parameters["dataId"] == "app.properties" }.map(\.method)
        #expect(methods == ["GET", "POST", "GET"], "\(methods)")
        #expect(configCalls.allSatisfy { $0.parameters[api == "v1" ? "tenant" : "namespaceId"] == "ns-cfg" })

        let back = try site.rollback(runID)
        #expect(back.status == 0, "\(back.stdout)\n\(back.stderr)")
        #expect(nacos.config(namespace: "ns-cfg", group: "DEFAULT_GROUP", dataId: "app.properties") == Self.previous, "had content: republished byte for byte")
        #expect(nacos.config(namespace: "ns-cfg", group: "GATEWAY", dataId: "routes.yaml") == nil, "was absent: deleted")
        #expect(nacos.calls.contains { $0.method == "DELETE" && $0.parameters["dataId"] == "routes.yaml" })

        // D4: the password went into login bodies only.
        let logins = nacos.calls.filter { $0.path == "/nacos/v1/auth/login" }
        #expect(!logins.isEmpty && logins.allSatisfy { $0.parameters["password"] == FakeNacos.password && $0.query["password"] == nil })
        #expect(!nacos.calls.contains { $0.query.values.contains(FakeNacos.password) }, "never in a URL")
        for output in [dry, result, back] {
            #expect(!output.stdout.contains(FakeNacos.password) && !output.stderr.contains(FakeNacos.password))
        }
        #expect(!site.allStateText().contains(FakeNacos.password), "never in the journal, logs or kept copies")
    }

    @Test("K3: a read-back whose MD5 differs fails the task (another writer, a broken cluster)")
    func md5Mismatch() throws {
        let nacos = try FakeNacos()
        defer { nacos.stop() }
        let site = try ConfigSite("qu-nacos-md5")
        defer { site.stop() }
        try site.release(tasks: ConfigSite.task("props", format: "properties", target: "nacos:DEFAULT_GROUP/app.properties"),
                         changes: ["props.change": "set a = 1\n"])
        try site.env("nacos:\n  url: \(nacos.url)\n  username: \(FakeNacos.username)\n  password_env: QU_TEST_NACOS_PASSWORD\n")
        site.environment = ["QU_TEST_NACOS_PASSWORD": FakeNacos.password]
        nacos.corruptReads = true
        let result = try site.run()
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("has MD5"), "\(result.stdout)")
    }
}
