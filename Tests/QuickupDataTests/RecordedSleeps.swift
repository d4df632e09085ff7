import QuickupTestSupport
import Foundation
import QuickupCore
import Synchronization
@testable import QuickupData

/// A retry policy that records the waits instead of sleeping, so connect-failure tests take no time.
final class RecordedSleeps: Sendable {
    private let delays = Mutex<[Duration]>([])
    var recorded: [Duration] { delays.withLock { $0 } }

    func policy(tries: Int = 3) -> ConnectRetryPolicy {
        var policy = ConnectRetryPolicy.standard
        policy.tries = tries
        policy.sleep = { [self] delay in delays.withLock { $0.append(delay) } }
        return policy
    }
}
