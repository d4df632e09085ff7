import QuickupTestSupport
import Foundation
import QuickupCore
import Testing
@testable import QuickupData

/// The Redis driver against the real test server. Keys carry a prefix unique to the run and are
/// deleted afterwards; the suite works in database 11 (other suites share the server).
@Suite("Redis driver (D1, D3, D4)", .enabled(if: TestServers.redisEnabled), .serialized)
struct RedisTests {
    let secrets = TestServers.secrets

    /// Runs `body` with a connection and a key prefix; deletes the prefix's keys and closes.
    func withRedis(_ body: (RedisConnection, String) async throws -> Void) async throws {
        let redis = try await RedisConnection.connect(try TestServers.redis(), secrets: secrets)
        let prefix = TestServers.uniqueName("quickup-chredis") + ":"
        var failure: (any Error)?
        do { try await body(redis, prefix) } catch { failure = error }
        if let keys = try? await redis.query("KEYS \(prefix)*") {
            for case let key? in keys.map({ $0.first ?? nil }) { _ = try? await redis.command(RedisCommand(["DEL", key])) }
        }
        await redis.close()
        if let failure { throw failure }
    }

    @Test("commands by text and by script; replies as rows; the selected database is used")
    func commands() async throws {
        try await withRedis { redis, prefix in
            #expect(try await redis.serverVersion().first?.isNumber == true)
            try await redis.execute(SQLStatement(text: "SET \(prefix)greeting \"hello world\"", line: 1, file: "r.redis"))
            #expect(try await redis.scalar("GET \(prefix)greeting") == "hello world")
            try await redis.run(try RedisScript.parse("""
                # fill a list
                RPUSH \(prefix)list a 'b c' "d\\te"

                """, file: "redis/001.redis"))
            #expect(try await redis.query("LRANGE \(prefix)list 0 -1") == [["a"], ["b c"], ["d\te"]])
            #expect(try await redis.execute(SQLStatement(text: "DEL \(prefix)list \(prefix)none", line: 1, file: "r.redis")).affectedRows == 1)
            #expect(try await redis.scalar("CLIENT INFO").map { $0.contains("db=11") } ?? false)
            #expect(try await redis.scalar("GET \(prefix)absent") == nil)
        }
    }

    @Test("binary values travel unchanged")
    func binary() async throws {
        try await withRedis { redis, prefix in
            try await redis.run(try RedisScript.parse("SET \(prefix)bin \"\\x00\\xff\\x01\"", file: "bin.redis"))
            let reply = try await redis.command(RedisCommand(["GET", "\(prefix)bin"]))
            #expect(reply == .string([0x00, 0xFF, 0x01]))
        }
    }

    @Test("an error reply names the script's file:line, the reply and the command")
    func errorReply() async throws {
        try await withRedis { redis, prefix in
            let script = try RedisScript.parse("SET \(prefix)n abc\n\n# now break\nINCR \(prefix)n\nSET \(prefix)after 1\n",
                                               file: "base/V2/redis/002_counters.redis")
            let error = await #expect(throws: QuickupError.self) { try await redis.run(script) }
            #expect(error?.code == .statementFailed)
            #expect(error?.location == SourceLocation(file: "base/V2/redis/002_counters.redis", line: 4))
            #expect(error?.message.contains("ERR value is not an integer") == true, "\(String(describing: error))")
            #expect(error?.message.contains("INCR \(prefix)n") == true)
            // The script stopped at the failure.
            #expect(try await redis.scalar("EXISTS \(prefix)after") == "0")
            // The connection is still usable after an error reply.
            #expect(try await redis.scalar("GET \(prefix)n") == "abc")
        }
    }

    @Test("a statement of several lines runs them in order; errors count lines from the statement's start")
    func multiLineStatement() async throws {
        try await withRedis { redis, prefix in
            let ok = SQLStatement(text: "SET \(prefix)a 1\n# note\nDEL \(prefix)a \(prefix)b", line: 10, file: "r.redis")
            let result = try await redis.execute(ok)
            #expect(result.affectedRows == 1)
            let failing = SQLStatement(text: "SET \(prefix)k abc\nINCR \(prefix)k", line: 10, file: "r.redis")
            let error = await #expect(throws: QuickupError.self) { try await redis.execute(failing) }
            #expect(error?.location == SourceLocation(file: "r.redis", line: 11))
            let syntax = await #expect(throws: QuickupError.self) {
                try await redis.execute(SQLStatement(text: "PING\nSET \"x", line: 20, file: "r.redis"))
            }
            #expect(syntax?.location == SourceLocation(file: "r.redis", line: 21))
            await #expect(throws: QuickupError.self) { _ = try await redis.query("PING\nPING") }
        }
    }

    @Test("a Lua script runs with EVAL as one unit")
    func lua() async throws {
        try await withRedis { redis, prefix in
            let source = "-- lua: bump the counter\nredis.call('INCRBY', '\(prefix)c', 5)\nreturn redis.call('GET', '\(prefix)c')\n"
            let script = try RedisScript.parse(source, file: "redis/003_bump.redis")
            #expect(script == .lua(source: source, file: "redis/003_bump.redis"))
            try await redis.run(script)
            #expect(try await redis.scalar("GET \(prefix)c") == "5")
            let broken = try RedisScript.parse("return redis.call('NOSUCHCOMMAND')", file: "redis/004.lua")
            let error = await #expect(throws: QuickupError.self) { try await redis.run(broken) }
            #expect(error?.location == SourceLocation(file: "redis/004.lua", line: 1))
        }
    }

    @Test("D3: no answer within read_timeout is a timeout; the next command reconnects")
    func readTimeout() async throws {
        var config = try TestServers.redis()
        config.readTimeout = .seconds(1)
        let redis = try await RedisConnection.connect(config, secrets: secrets)
        let key = TestServers.uniqueName("quickup-chredis") + ":empty"
        let command = RedisCommand(["BLPOP", key, "3"], line: 2, file: "redis/wait.redis")
        let error = await #expect(throws: QuickupError.self) { try await redis.command(command) }
        let after = try? await redis.scalar("PING")
        await redis.close()
        #expect(error?.code == .datasourceTimeout, "\(String(describing: error))")
        #expect(error?.location == command.location)
        #expect(after == "PONG")
    }

    @Test("D3/D4: a wrong password is refused once, without showing it")
    func authFailure() async throws {
        var config = try TestServers.redis()
        config.password = .literal("not-the-password-91bc")
        let sleeps = RecordedSleeps()
        let error = await #expect(throws: QuickupError.self) {
            _ = try await RedisConnection.connect(config, secrets: secrets, policy: sleeps.policy())
        }
        #expect(error?.code == .datasourceAuthentication, "\(String(describing: error))")
        #expect(error?.description.contains("not-the-password-91bc") == false)
        #expect(error?.description.contains("redis_test") == true)
        #expect(sleeps.recorded.isEmpty)

        config.password = .none
        let noPassword = await #expect(throws: QuickupError.self) {
            _ = try await RedisConnection.connect(config, secrets: secrets, policy: sleeps.policy())
        }
        #expect(noPassword?.code == .datasourceAuthentication, "\(String(describing: noPassword))")
    }

    @Test("D3: a wrong port fails after 3 tries naming host:port")
    func wrongPort() async throws {
        var config = try TestServers.redis()
        config.port = 1
        let sleeps = RecordedSleeps()
        let error = await #expect(throws: QuickupError.self) {
            _ = try await RedisConnection.connect(config, secrets: secrets, policy: sleeps.policy())
        }
        #expect(error?.code == .datasourceUnreachable)
        #expect(error?.message.contains("127.0.0.1:1") == true, "\(String(describing: error))")
        #expect(error?.message.contains("3 tries") == true)
        #expect(!(error?.description.contains(TestServers.password("QUICKUP_TEST_REDIS_PASSWORD")) ?? true))
        #expect(sleeps.recorded.count == 2)
    }

    @Test("a database that is not an index is refused before connecting")
    func badDatabase() async throws {
        var config = try TestServers.redis()
        config.database = "cache"
        let error = await #expect(throws: QuickupError.self) { _ = try await RedisConnection.connect(config, secrets: secrets) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.location == config.location)
    }

    @Test("a connection dropped without close() stops its thread and closes its socket")
    func droppedConnection() async throws {
        var ids: [String] = []
        for _ in 0..<2 {
            let redis = try await RedisConnection.connect(try TestServers.redis(), secrets: secrets)
            ids.append(try await redis.scalar("CLIENT ID") ?? "")
        }
        try await withRedis { watcher, _ in
            var open = "?"
            for _ in 0..<40 where !open.isEmpty {
                try await Task.sleep(for: .milliseconds(50))
                open = try await watcher.scalar("CLIENT LIST ID \(ids.joined(separator: " "))") ?? ""
            }
            #expect(open.isEmpty, "still connected: \(open)")
        }
    }

    @Test("no transactions, table sizes or progress")
    func capabilities() async throws {
        try await withRedis { redis, _ in
            #expect(!redis.supportsTransactions)
            await #expect(throws: QuickupError.self) { try await redis.begin() }
            let sizes = try await redis.tableSizes(["x"])
            #expect(sizes.isEmpty)
            #expect(await redis.progress() == nil)
        }
    }
}
