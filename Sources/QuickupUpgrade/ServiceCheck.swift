import QuickupCore
import QuickupRemote

/// One service on one host answers its health URL and reports the expected version (read on
/// the host from its version URL) — what the upgrade's post-checks (F1 flow 5) and the
/// rollback's verify phase (F4) both ask, with the version each expects.
struct ServiceCheck: Sendable {
    let component: String
    let host: HostConfig
    let service: ServiceDefinition
    let services: ServiceController
    /// "after the upgrade", "after the rollback": said in the errors.
    let when: String

    /// Throws when the health URL does not answer or another version runs; returns the version
    /// read, or nil when the service has no version URL.
    func run(expecting expected: Version) async throws(QuickupError) -> Version? {
        if let url = service.healthURL {
            guard try await services.query("curl -fsS -m 5 -o /dev/null \(ShellQuoting.quote(url))\n", on: host).ok else {
                throw QuickupError(.serviceNotReady, "\(component) on \(host.name) does not answer its health URL \(url) \(when)",
                                   at: service.location, hint: "look at the service's log on \(host.name)")
            }
        }
        guard let script = InstallLayout.version(service: service) else { return nil }
        let answer = try await services.query(script, on: host)
        let text = answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard answer.ok, let running = Version.parse(text), running == expected else {
            throw QuickupError(.taskFailed, "\(component) on \(host.name) reports version '\(text.isEmpty ? "none" : text)' \(when), expected \(expected)",
                               at: service.location, hint: "check that the start command runs the program under \(service.installDir ?? "install_dir")/current")
        }
        return running
    }
}
