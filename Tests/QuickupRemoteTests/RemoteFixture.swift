import Foundation
import QuickupCore
import QuickupTestSupport
@testable import QuickupRemote

/// A real sshd, a state directory and a context whose waits are recorded (and shortened to
/// `realSleep`), plus short keepalives so a drop is noticed in seconds.
final class RemoteFixture: Sendable {
    let server: TestSSHServer
    let state: TemporaryTree
    let context: RemoteContext
    let connections: SSHConnections
    let sleeps = Locked<[Duration]>([])
    let logLines = Locked<[(at: ContinuousClock.Instant, line: String)]>([])
    /// Runs at each recorded wait (e.g. to bring the link back during the first backoff).
    let onSleep = Locked<(@Sendable (Int) -> Void)?>(nil)

    /// For drop tests: 1 s keepalive, gone after 2 s of silence (OpenSSH: (count + 1) × interval), 1 s connect
    /// timeout, 3 reconnect tries 200 ms, 400 ms … apart. ControlPersist 900 s: the master must
    /// still be there when the test cuts the link, even when the test process got no thread for
    /// minutes in a busy suite — with 30 s it had ended idle before the cut, so the drop was never
    /// seen and the next command simply connected afresh.
    static let shortPolicy = KeepalivePolicy(interval: .seconds(1), timeout: .seconds(2), reconnectTries: 3,
                                             backoff: Backoff(firstDelay: TimeSpan(milliseconds: 200)),
                                             connectTimeout: .seconds(1), persist: .seconds(900))

    /// For tests that do not cut the link: the same backoff, but keepalives patient enough that
    /// a loaded machine never looks like a dropped link, and a master that outlives a test
    /// process whose threads are busy for minutes with other tests (ControlPersist).
    static let relaxedPolicy = KeepalivePolicy(interval: .seconds(5), timeout: .seconds(30), reconnectTries: 3,
                                               backoff: Backoff(firstDelay: TimeSpan(milliseconds: 200)),
                                               connectTimeout: .seconds(5), persist: .seconds(900))

    /// `policies` overrides `policy` per class (e.g. the status class's real "no reconnect").
    init(isolated: Bool = false, policy: KeepalivePolicy? = nil, policies: KeepalivePolicies? = nil, realSleep: Duration = .milliseconds(20)) throws {
        let policy = policy ?? (isolated ? Self.shortPolicy : Self.relaxedPolicy)
        server = try TestSSHServer.start(isolated: isolated)
        state = try TemporaryTree("qur")
        let sleeps = self.sleeps, onSleep = self.onSleep, logLines = self.logLines
        context = RemoteContext(
            stateDirectory: state.path, keepalive: policies ?? .uniform(policy),
            sleep: { delay in
                let count = sleeps.update { $0.append(delay); return $0.count }
                onSleep.value?(count)
                try await Task.sleep(for: min(delay, realSleep))
            },
            log: { line in logLines.update { $0.append((.now, line)) } })
        connections = SSHConnections(context: context)
    }

    var host: HostConfig { server.host() }
    var recordedSleeps: [Duration] { sleeps.value }

    /// When the first log line containing `text` was written.
    func logged(_ text: String) -> ContinuousClock.Instant? {
        logLines.value.first { $0.line.contains(text) }?.at
    }

    func connection(_ connectionClass: ConnectionClass = .control) -> SSHConnection {
        connections.connection(to: host, connectionClass)
    }

    /// Runs `body` with a fresh fixture and tears it down afterwards, also when `body` throws.
    static func with<T>(isolated: Bool = false, policy: KeepalivePolicy? = nil, policies: KeepalivePolicies? = nil,
                        _ body: (RemoteFixture) async throws -> T) async throws -> T {
        let fixture = try RemoteFixture(isolated: isolated, policy: policy, policies: policies)
        do {
            let result = try await body(fixture)
            await fixture.tearDown()
            return result
        } catch {
            await fixture.tearDown()
            throw error
        }
    }

    func tearDown() async {
        await connections.closeAll()
        server.stop()
        state.remove()
    }
}

/// A value shared between a test and the closures it hands out.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
    @discardableResult
    func update<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&stored) } }
}
