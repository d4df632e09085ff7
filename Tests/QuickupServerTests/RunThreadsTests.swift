import Foundation
import Testing
@testable import QuickupServer

/// H1 (issue 17): a server's runs execute on threads of their own, not on the cooperative pool
/// the HTTP handlers use — a status answer must not wait for a thread the run holds.
@Suite("Runs on threads of their own (H1)")
struct RunThreadsTests {
    @Test("a task preferring RunThreads, and its child tasks, run on its threads; others do not")
    func runsThere() async {
        let threads = RunThreads(count: 2)
        let places = await Task(executorPreference: threads) { () -> [Bool] in
            var places = [threads.isCurrent]
            await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { threads.isCurrent } }
                for await place in group { places.append(place) }
            }
            try? await Task.sleep(for: .milliseconds(1))
            places.append(threads.isCurrent)
            return places
        }.value
        #expect(places == Array(repeating: true, count: 10), "\(places)")
        let elsewhere = await Task.detached { threads.isCurrent }.value
        #expect(!elsewhere)
    }
}
