import Testing
@testable import QuickupCore

@Suite("Redis scripts (task kind redis.)")
struct RedisScriptTests {
    func split(_ line: String) throws -> [String] {
        try RedisCommandLine.split(line, at: SourceLocation(file: "t.redis", line: 1)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("arguments split like redis-cli: blanks, double and single quotes, escapes")
    func quoting() throws {
        #expect(try split("SET  key\tvalue") == ["SET", "key", "value"])
        #expect(try split(#"SET k "a b \"c\" \\ \n""#) == ["SET", "k", "a b \"c\" \\ \n"])
        #expect(try split(#"SET k 'it\'s \n literal'"#) == ["SET", "k", "it's \\n literal"])
        #expect(try split(#"SET k "" ''"#) == ["SET", "k", "", ""])
        #expect(try split(#"HSET h f"x y""#) == ["HSET", "h", "fx y"])
        #expect(try RedisCommandLine.split(#"SET k "\x00\xfF\xZZ""#, at: SourceLocation(file: "t", line: 1))[2] == [0x00, 0xFF, 0x78, 0x5A, 0x5A])
    }

    @Test("comments, blank lines and CRLF are skipped; commands keep their line numbers")
    func lines() throws {
        let script = try RedisScript.parse("# header\r\n\r\n  SET a 1\r\n   # indented comment\nDEL a b\n", file: "x.redis")
        let commands = script.commands
        #expect(commands.map(\.strings) == [["SET", "a", "1"], ["DEL", "a", "b"]])
        #expect(commands.map(\.line) == [3, 5])
        #expect(commands.first?.location == SourceLocation(file: "x.redis", line: 3))
        // A '#' inside a command is data, not a comment.
        #expect(try RedisScript.parse("SET tag #1", file: "x.redis").commands.first?.strings == ["SET", "tag", "#1"])
    }

    @Test("bad quoting is an error naming file:line and column")
    func errors() throws {
        let unterminated = #expect(throws: QuickupError.self) {
            _ = try RedisScript.parse("SET a 1\n\nSET b \"open\n", file: "base/redis/001.redis")
        }
        #expect(unterminated?.code == .redisScriptSyntax)
        #expect(unterminated?.location == SourceLocation(file: "base/redis/001.redis", line: 3))
        #expect(unterminated?.message == "unterminated double quote (column 7)")
        #expect(unterminated?.isInvalidInput == true)

        let glued = #expect(throws: QuickupError.self) { _ = try RedisScript.parse("SET a 'x'y", file: "f.redis") }
        #expect(glued?.message.contains("closing quote") == true)
        #expect(glued?.location?.line == 1)

        let single = #expect(throws: QuickupError.self) { _ = try RedisScript.parse("SET a 'x", file: "f.redis") }
        #expect(single?.message.contains("single quote") == true)
    }

    @Test("Lua: by extension or a first line '-- lua'; sent as EVAL <source> 0")
    func lua() throws {
        let source = "-- lua\nreturn redis.call('PING')\n"
        let script = try RedisScript.parse(source, file: "fix.redis")
        #expect(script == .lua(source: source, file: "fix.redis"))
        #expect(script.commands.map(\.strings) == [["EVAL", source, "0"]])
        #expect(RedisScript.isLua("return 1", file: "a/b.LUA"))
        #expect(RedisScript.isLua("-- LUA: note\nreturn 1", file: "x.redis"))
        #expect(!RedisScript.isLua("-- luau\nSET a 1", file: "x.redis"))
        #expect(!RedisScript.isLua("SET a 1\n-- lua", file: "x.redis"))
    }
}
