import Foundation
import Synchronization
@testable import QuickupCore
import Testing

/// `ParallelMap` (P5, issue 20 item 1): the loader, planner and plan output rely on it giving
/// exactly `(0..<count).map(body)`, whatever thread each index ran on.
@Suite("ParallelMap keeps the serial map's result", .timeLimit(.minutes(10)))
struct ParallelMapTests {
    @Test("every index once, in index order, for small and large counts")
    func order() {
        for count in [0, 1, 2, 3, 17, 1000] {
            let seen = Mutex<[Int]>([])
            let result = ParallelMap.map(count) { index in
                seen.withLock { $0.append(index) }
                return "item \(index)"
            }
            #expect(result == (0..<count).map { "item \($0)" })
            #expect(seen.withLock { $0.sorted() } == Array(0..<count), "each index exactly once")
        }
    }

    @Test("a map inside a map's body completes with the same result (the helpers never wait on themselves)")
    func nested() {
        let result = ParallelMap.map(64) { outer in
            ParallelMap.map(16) { inner in outer * 100 + inner }.reduce(0, +)
        }
        #expect(result == (0..<64).map { outer in (0..<16).map { outer * 100 + $0 }.reduce(0, +) })
    }
}
