/// Which keys a Redis script writes (F3): the keys a backup must keep before the script runs.
/// A script whose every command is known names its keys; a Lua script, a command quickup does
/// not know, or one that empties a database (FLUSHDB, FLUSHALL) cannot be analysed, and the
/// whole database is backed up instead.
public enum RedisKeys: Hashable, Sendable {
    case keys([String])
    case wholeDatabase(reason: String)

    /// Commands whose first argument is the one key they write.
    static let firstKey: Set<String> = [
        "SET", "SETEX", "PSETEX", "SETNX", "GETSET", "GETDEL", "GETEX", "APPEND", "INCR", "INCRBY", "INCRBYFLOAT",
        "DECR", "DECRBY", "SETRANGE", "SETBIT", "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT", "PERSIST",
        "HSET", "HSETNX", "HMSET", "HDEL", "HINCRBY", "HINCRBYFLOAT", "LPUSH", "RPUSH", "LPUSHX", "RPUSHX",
        "LPOP", "RPOP", "LSET", "LREM", "LTRIM", "LINSERT", "SADD", "SREM", "SPOP", "ZADD", "ZREM", "ZINCRBY",
        "ZREMRANGEBYSCORE", "ZREMRANGEBYRANK", "ZREMRANGEBYLEX", "ZPOPMIN", "ZPOPMAX", "PFADD", "XADD", "XDEL", "XTRIM",
        "GET", "HGET", "HGETALL", "EXISTS", "TTL", "PTTL", "TYPE", "LRANGE", "SMEMBERS", "ZRANGE",
    ]
    /// Commands every argument of which is a key.
    static let allKeys: Set<String> = ["DEL", "UNLINK", "TOUCH"]
    /// Commands that read only and name no key (nothing to keep).
    static let keyless: Set<String> = ["PING", "ECHO", "SELECT", "INFO", "TIME", "DBSIZE"]

    /// The keys of `script`, in order of first mention, or why the whole database is needed.
    public static func of(_ script: RedisScript) -> RedisKeys {
        guard case .commands(let commands) = script else {
            return .wholeDatabase(reason: "a Lua script cannot be analysed")
        }
        var seen = Set<String>(), keys: [String] = []
        func add(_ key: String) { if seen.insert(key).inserted { keys.append(key) } }
        for command in commands {
            let words = command.strings
            guard let name = words.first?.uppercased() else { continue }
            let arguments = Array(words.dropFirst())
            if firstKey.contains(name), let key = arguments.first {
                add(key)
            } else if allKeys.contains(name) {
                arguments.forEach(add)
            } else if name == "MSET" || name == "MSETNX" {
                stride(from: 0, to: arguments.count, by: 2).forEach { add(arguments[$0]) }
            } else if name == "RENAME" || name == "RENAMENX" || name == "COPY" {
                arguments.prefix(2).forEach(add)
            } else if keyless.contains(name) {
                continue
            } else {
                return .wholeDatabase(reason: "\(command.file):\(command.line): \(name) is not a command whose keys quickup knows")
            }
        }
        return .keys(keys)
    }
}
