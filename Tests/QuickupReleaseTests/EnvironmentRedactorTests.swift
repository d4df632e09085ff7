import QuickupCore
import QuickupRelease
import Testing

/// L1/D4: what leaves a site in a support bundle.
@Suite("Redacting env.yaml and text (L1, D4)")
struct EnvironmentRedactorTests {
    @Test("literal secrets under secret-looking keys, nested ones, aliases and URL credentials are redacted; references stay")
    func environment() {
        let yaml = """
            # root password is Sup3rSecretComment
            site: A
            datasources:
              db: {type: mariadb, host: db1, user: app, password: "p@ss:w0rd/1"}
              other: {type: mariadb, password_env: DB_PASSWORD, password_file: secrets/db.pw}
            nacos:
              url: "http://nacos:N4cosPass@10.0.0.1:8848/nacos?accessToken=Tok3nValue&x=1"
              username: nacos
            extra:
              api_token: &t T0kenAnchored
              copy: *t
              credentials: {user: u, key: NestedKey99}
              mirror: https://ghp_abcdefghijklmnopqrstuvwxyz0123@git.example/x
              ssh: ssh://deploy@app1
            """
        let result = EnvironmentRedactor.redact(text: yaml, file: "env.yaml")
        for secret in ["Sup3rSecretComment", "p@ss:w0rd/1", "N4cosPass", "Tok3nValue", "T0kenAnchored", "NestedKey99", "ghp_abcdef"] {
            #expect(!result.text.contains(secret), "\(secret) in\n\(result.text)")
        }
        #expect(result.text.contains("password_env: DB_PASSWORD") && result.text.contains("password_file: secrets/db.pw"))
        #expect(result.text.contains("http://nacos:<redacted>@10.0.0.1:8848/nacos?accessToken=<redacted>&x=1"), "\(result.text)")
        #expect(result.text.contains("ssh://deploy@app1") && result.text.contains("user: app"))
        #expect(Set(result.secrets).isSuperset(of: ["p@ss:w0rd/1", "N4cosPass", "T0kenAnchored", "NestedKey99"]), "\(result.secrets)")
        #expect(result.redactedPaths.contains("datasources.db.password") && result.redactedPaths.contains("extra.credentials.key"),
                "\(result.redactedPaths)")
    }

    @Test("YAML that does not parse is left out whole")
    func unparseable() {
        let result = EnvironmentRedactor.redact(text: "site: [A\npassword: Leak3dIfShipped\n", file: "env.yaml")
        #expect(!result.text.contains("Leak3dIfShipped") && result.text.contains("left out of the bundle"))
    }

    @Test("text: known secrets, URL credentials, key=value and bearer tokens; ordinary text untouched")
    func text() {
        let redaction = SecretRedaction(knownSecrets: ["hunter2hunter", "ab"])
        #expect(redaction.redact("login with hunter2hunter failed") == "login with <redacted> failed")
        #expect(redaction.redact("mysql://root:toor99@db:3306/x") == "mysql://root:<redacted>@db:3306/x")
        #expect(redaction.redact("connect password=abc123 host=x") == "connect password=<redacted> host=x")
        #expect(redaction.redact(#"{"api_key": "k-123456"}"#) == #"{"api_key": "<redacted>"}"#)
        #expect(redaction.redact("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x") == "Authorization: Bearer <redacted>")
        #expect(redaction.redact("password_env=DB_PASSWORD, about 2 tabs") == "password_env=DB_PASSWORD, about 2 tabs")
        #expect(redaction.scrubKnown("password=abc123") == "password=abc123")
    }
}
