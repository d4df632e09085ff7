import Foundation
import QuickupCore
import QuickupData
import Testing
@testable import QuickupRun

/// E6: the database half of the site lock is free the moment a run has released it — a resume
/// started right after a failed run in the same process (the API's next run, a test's resume)
/// met "locked by another quickup run … connected 0 s ago" while the server had not yet seen the
/// first run's lock connection go (CI, issue 16's resume test).
extension BackupRunTests {
    @Test("E6: after a run releases its GET_LOCK, another connection takes it at once — every time")
    func databaseLockFreeAtOnce() async throws {
        let created = try await site([("rewrite", "UPDATE t SET name = 'x';", "")])
        try await using(created) { site in
            let (_, plan) = try plan(site)
            let name = DatabaseLocks.name(site: site.env.site)
            // Order of events, repeated: release() has returned → the lock is free for others.
            for attempt in 0..<25 {
                let locks = DatabaseLocks()
                try await locks.acquire(plan: plan, environment: site.env,
                                        holder: LockRecord(environment: site.env.site, runID: "lock-\(attempt)", host: "test", pid: getpid(), startedAt: 0),
                                        connect: { config throws(QuickupError) in try await Datasources.connect(config, secrets: SecretResolver()) })
                #expect(try await site.connection.scalar("SELECT GET_LOCK('\(name)', 0)") == "0", "held while the run holds it")
                await locks.release()
                #expect(try await site.connection.scalar("SELECT GET_LOCK('\(name)', 0)") == "1", "free at once after release (attempt \(attempt))")
                _ = try await site.connection.scalar("SELECT RELEASE_LOCK('\(name)')")
            }
        }
    }
}
