import Foundation
import QuickupCore

/// Redis keys kept as `DUMP` + `PTTL` in a file of `backup.dir` (F3): the keys the task's script
/// names, or every key of the database when the script cannot be analysed (Lua, an unknown
/// command; `RedisKeys`). A restore `RESTORE … REPLACE`s each key and deletes those that did not
/// exist when the backup was taken (for a whole database: every key not in the backup).
enum RedisKeyBackup {
    static let method = "redis DUMP/PTTL"

    struct Entry {
        var key: [UInt8]
        var pttl: Int64
        /// nil: the key did not exist.
        var dump: [UInt8]?
    }

    static func take(_ object: BackupObject, on connection: any DatasourceConnection, into directory: String) async throws(QuickupError) -> BackupManifest {
        guard let redis = connection as? RedisConnection else { throw QuickupError(.unsupported, "not a Redis connection") }
        let keys: [[UInt8]]
        switch object {
        case .redisKeys(let names): keys = names.map { Array($0.utf8) }
        default: keys = try await allKeys(redis)
        }
        var entries: [Entry] = []
        for key in keys { entries.append(try await entry(key, redis)) }
        let file = "\(DataBackup.safe(redis.config.name))/\(object.description)-\(entries.count).redisdump"
        let path = "\(directory)/\(file)"
        try MariaDBDump.makeParent(of: path)
        guard FileManager.default.createFile(atPath: path, contents: Data(encode(entries))) else {
            throw QuickupError(.io, "cannot write \(path)", hint: "check backup.dir's permissions and free space")
        }
        var manifest = BackupManifest(datasource: redis.config.name, engine: "redis", object: object.description, method: method,
                                      location: file, rows: Int64(entries.filter { $0.dump != nil }.count),
                                      bytes: DataBackup.fileSize(path), checksum: checksum(entries))
        if case .redisKeys(let names) = object { manifest.keys = names }
        return manifest
    }

    static func restore(_ manifest: BackupManifest, on connection: any DatasourceConnection, from directory: String) async throws(QuickupError) {
        guard let redis = connection as? RedisConnection else { throw QuickupError(.unsupported, "not a Redis connection") }
        let path = "\(directory)/\(manifest.location)"
        guard let data = FileManager.default.contents(atPath: path), let entries = decode(Array(data)) else {
            throw QuickupError(.io, "cannot read the Redis backup \(path)", hint: "check that the backup file is there and whole")
        }
        if manifest.keys == nil {
            let kept = Set(entries.map(\.key))
            for key in try await allKeys(redis) where !kept.contains(key) {
                try await redis.command(RedisCommand(arguments: [Array("DEL".utf8), key], line: 1, file: "<restore>"))
            }
        }
        for entry in entries {
            if let dump = entry.dump {
                let ttl = Array(String(max(0, entry.pttl)).utf8)
                try await redis.command(RedisCommand(arguments: [Array("RESTORE".utf8), entry.key, ttl, dump, Array("REPLACE".utf8)], line: 1, file: "<restore>"))
            } else {
                try await redis.command(RedisCommand(arguments: [Array("DEL".utf8), entry.key], line: 1, file: "<restore>"))
            }
        }
    }

    /// SHA-256 over every key (sorted) and its DUMP: equal data gives equal figures.
    static func checksum(keys: [String]?, on connection: any DatasourceConnection) async throws(QuickupError) -> String {
        guard let redis = connection as? RedisConnection else { throw QuickupError(.unsupported, "not a Redis connection") }
        let names: [[UInt8]]
        if let keys { names = keys.map { Array($0.utf8) } } else { names = try await allKeys(redis) }
        var entries: [Entry] = []
        for key in names { entries.append(try await entry(key, redis)) }
        return checksum(entries)
    }

    static func checksum(_ entries: [Entry]) -> String {
        var hash = SHA256()
        for entry in entries.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            hash.update("\(entry.key.count):")
            hash.update(entry.key)
            if let dump = entry.dump { hash.update("=\(dump.count):"); hash.update(dump) } else { hash.update("-") }
        }
        return SHA256.hex(hash.finalize())
    }

    private static func entry(_ key: [UInt8], _ redis: RedisConnection) async throws(QuickupError) -> Entry {
        let dump = try await redis.command(RedisCommand(arguments: [Array("DUMP".utf8), key], line: 1, file: "<backup>"))
        guard case .string(let bytes) = dump else { return Entry(key: key, pttl: 0, dump: nil) }
        let pttl = try await redis.command(RedisCommand(arguments: [Array("PTTL".utf8), key], line: 1, file: "<backup>"))
        guard case .integer(let ttl) = pttl else { return Entry(key: key, pttl: 0, dump: bytes) }
        return Entry(key: key, pttl: ttl, dump: bytes)
    }

    static func allKeys(_ redis: RedisConnection) async throws(QuickupError) -> [[UInt8]] {
        var cursor: [UInt8] = Array("0".utf8), keys: [[UInt8]] = []
        repeat {
            let reply = try await redis.command(RedisCommand(arguments: [Array("SCAN".utf8), cursor, Array("COUNT".utf8), Array("1000".utf8)],
                                                             line: 1, file: "<backup>"))
            guard case .array(let parts) = reply, parts.count == 2, case .string(let next) = parts[0], case .array(let found) = parts[1] else {
                throw QuickupError(.io, "unexpected reply to SCAN from \(redis.config.displayName)")
            }
            for case .string(let key) in found { keys.append(key) }
            cursor = next
        } while cursor != Array("0".utf8)
        return Array(Set(keys)).sorted { $0.lexicographicallyPrecedes($1) }
    }

    // MARK: file format: per key u32 length, key, i64 pttl, i32 length (-1: absent), dump

    static func encode(_ entries: [Entry]) -> [UInt8] {
        var out: [UInt8] = Array("QUICKUP-REDIS-1\n".utf8)
        func int<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.bigEndian) { out += $0 } }
        for entry in entries {
            int(UInt32(entry.key.count)); out += entry.key
            int(entry.pttl)
            if let dump = entry.dump { int(Int32(dump.count)); out += dump } else { int(Int32(-1)) }
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) -> [Entry]? {
        let magic = Array("QUICKUP-REDIS-1\n".utf8)
        guard bytes.starts(with: magic) else { return nil }
        var index = magic.count, entries: [Entry] = []
        func int<T: FixedWidthInteger>(_: T.Type) -> T? {
            let size = MemoryLayout<T>.size
            guard index + size <= bytes.count else { return nil }
            let value = bytes[index..<index + size].reduce(T.zero) { ($0 << 8) | T(truncatingIfNeeded: $1) }
            index += size
            return value
        }
        func take(_ count: Int) -> [UInt8]? {
            guard count >= 0, index + count <= bytes.count else { return nil }
            defer { index += count }
            return Array(bytes[index..<index + count])
        }
        while index < bytes.count {
            guard let length = int(UInt32.self), let key = take(Int(length)), let pttl = int(Int64.self), let size = int(Int32.self) else { return nil }
            if size < 0 {
                entries.append(Entry(key: key, pttl: pttl, dump: nil))
            } else {
                guard let dump = take(Int(size)) else { return nil }
                entries.append(Entry(key: key, pttl: pttl, dump: dump))
            }
        }
        return entries
    }
}
