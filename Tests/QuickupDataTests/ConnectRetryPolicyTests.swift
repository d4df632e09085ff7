import QuickupCore
import Synchronization
import Testing
@testable import QuickupData

@Suite("Connect retry policy (D3)")
struct ConnectRetryPolicyTests {
    @Test("standard: 3 tries, waits 0.5 s then 1 s, capped by maxDelay")
    func schedule() {
        let policy = ConnectRetryPolicy.standard
        #expect(policy.tries == 3)
        #expect(policy.delay(afterTry: 1) == .milliseconds(500))
        #expect(policy.delay(afterTry: 2) == .seconds(1))
        let capped = ConnectRetryPolicy(tries: 10, firstDelay: .seconds(4), factor: 2, maxDelay: .seconds(10))
        #expect(capped.delay(afterTry: 3) == .seconds(10))
    }

    @Test("retries only unreachable errors and says how many tries were made")
    func retries() async {
        let sleeps = RecordedSleeps()
        let count = Mutex(0)
        let error = await #expect(throws: QuickupError.self) {
            try await sleeps.policy().run { _ async throws(QuickupError) -> Int in
                count.withLock { $0 += 1 }
                throw QuickupError(.datasourceUnreachable, "cannot reach x:1: Connection refused")
            }
        }
        #expect(count.withLock { $0 } == 3)
        #expect(error?.message == "cannot reach x:1: Connection refused (3 tries)")
        #expect(sleeps.recorded == [.milliseconds(500), .seconds(1)])

        count.withLock { $0 = 0 }
        await #expect(throws: QuickupError.self) {
            try await sleeps.policy().run { _ async throws(QuickupError) -> Int in
                count.withLock { $0 += 1 }
                throw QuickupError(.datasourceAuthentication, "wrong password")
            }
        }
        #expect(count.withLock { $0 } == 1)
    }

    @Test("a later try that succeeds ends the retries")
    func recovers() async throws {
        let sleeps = RecordedSleeps()
        let value = try await sleeps.policy().run { number async throws(QuickupError) -> Int in
            if number < 2 { throw QuickupError(.datasourceUnreachable, "refused") }
            return number
        }
        #expect(value == 2)
        #expect(sleeps.recorded == [.milliseconds(500)])
    }
}
