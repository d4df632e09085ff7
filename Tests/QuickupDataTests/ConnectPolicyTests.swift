import QuickupCore
import QuickupData
import Synchronization
import Testing

/// The retry loop of D3 on its own: no server, no real waiting.
@Suite struct ConnectPolicyTests {
    private func failure(transient: Bool, _ message: String = "refused") -> ConnectFailure {
        ConnectFailure(isTransient: transient, error: QuickupError(.connectionFailed, message))
    }

    @Test func defaultsAreThreeTriesWithGrowingBackoff() {
        let policy = ConnectPolicy.standard
        #expect(policy.tries == 3)
        #expect(policy.delay(beforeTry: 1) == TimeSpan(milliseconds: 0))
        #expect(policy.delay(beforeTry: 2) == TimeSpan(milliseconds: 500))
        #expect(policy.delay(beforeTry: 3) == .seconds(1))
        #expect(policy.delay(beforeTry: 7) == .seconds(1), "the last wait repeats")
        #expect(policy.readTimeout == nil, "long statements must not hit a read timeout by default")
    }

    @Test func envYamlTimeoutsWin() {
        var config = DatasourceConfig(name: "db", type: .mariadb, location: QuickupCore.SourceLocation(file: "env.yaml"))
        config.connectTimeout = .seconds(3)
        config.readTimeout = .seconds(600)
        let policy = ConnectPolicy.standard.applying(config)
        #expect(policy.connectTimeout == .seconds(3))
        #expect(policy.readTimeout == .seconds(600))
        #expect(policy.tries == 3)
    }

    @Test func transientFailuresAreRetriedWithBackoffThenReported() async {
        let recorder = SleepRecorder()
        let calls = Mutex(0)
        let error = await quickupError {
            _ = try await ConnectRetry.run(policy: .standard, sleeper: recorder.sleeper) {
                (attempt: Int) async throws(ConnectFailure) -> Int in
                calls.withLock { $0 += 1 }
                throw failure(transient: true, "refused on try \(attempt)")
            }
        }
        #expect(calls.withLock { $0 } == 3)
        #expect(recorder.waits == [TimeSpan(milliseconds: 500), .seconds(1)])
        #expect(error?.message == "refused on try 3 (after 3 tries)")
    }

    @Test func aLaterTrySucceeds() async throws {
        let recorder = SleepRecorder()
        let value = try await ConnectRetry.run(policy: .standard, sleeper: recorder.sleeper) {
            (attempt: Int) async throws(ConnectFailure) -> Int in
            if attempt < 2 { throw failure(transient: true) }
            return attempt * 10
        }
        #expect(value == 20)
        #expect(recorder.waits == [TimeSpan(milliseconds: 500)])
    }

    @Test func permanentFailuresAreNotRetried() async {
        let recorder = SleepRecorder()
        let error = await quickupError {
            _ = try await ConnectRetry.run(policy: .standard, sleeper: recorder.sleeper) {
                (_: Int) async throws(ConnectFailure) -> Int in
                throw failure(transient: false, "access denied")
            }
        }
        #expect(recorder.waits.isEmpty)
        #expect(error?.message == "access denied", "one try: no 'after N tries'")
    }

    @Test func customTriesAndBackoff() async {
        let recorder = SleepRecorder()
        let policy = ConnectPolicy(tries: 5, backoff: [TimeSpan(milliseconds: 100), TimeSpan(milliseconds: 200)])
        _ = await quickupError {
            _ = try await ConnectRetry.run(policy: policy, sleeper: recorder.sleeper) {
                (_: Int) async throws(ConnectFailure) -> Int in
                throw failure(transient: true)
            }
        }
        #expect(recorder.waits.map(\.milliseconds) == [100, 200, 200, 200])
    }

    @Test func cancellationDuringBackoffStopsTrying() async {
        let calls = Mutex(0)
        let sleeper = RetrySleeper { _ in throw CancellationError() }
        let error = await quickupError {
            _ = try await ConnectRetry.run(policy: .standard, sleeper: sleeper) {
                (_: Int) async throws(ConnectFailure) -> Int in
                calls.withLock { $0 += 1 }
                throw failure(transient: true)
            }
        }
        #expect(error?.code == .cancelled)
        #expect(calls.withLock { $0 } == 1)
    }
}
