import Foundation
import QuickupCore
import QuickupTestSupport
import Testing
@testable import QuickupData

/// Backups per engine restore a non-reversible change (F3, F4, issue 16): the checksum read by
/// the test itself, through its own query, is the same before the change and after the restore.
@Suite("Backup and restore per engine (F3, F4)", .serialized)
struct BackupRestoreTests {
    func backup(_ directory: String) -> DataBackup {
        DataBackup(directory: directory, tag: TestServers.uniqueName("hbk"), secrets: TestServers.secrets,
                   now: { Int64(Date().timeIntervalSince1970 * 1000) })
    }

    func sql(_ connection: any DatasourceConnection, _ text: String) async throws {
        try await connection.execute(SQLStatement(text: text, line: 1, file: "test"))
    }

    @Test("MariaDB: DROP COLUMN and a data rewrite restored from mariadb-dump; CHECKSUM TABLE as before; no password on argv",
          .enabled(if: TestServers.mariaDBEnabled))
    func mariaDB() async throws {
        let server = try TestServers.requireMariaDB()
        let database = TestServers.uniqueName("hbk_bk")
        let admin = try await Datasources.connect(server.config(), secrets: SecretResolver())
        try await sql(admin, "CREATE DATABASE \(database)")
        let tree = try TemporaryTree("hbk-backup")
        defer { tree.remove() }
        let connection = try await Datasources.connect(server.config(database: database), secrets: SecretResolver())
        do {
            try await sql(connection, "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(40), note TEXT)")
            try await sql(connection, "INSERT INTO t SELECT seq, CONCAT('n', seq), REPEAT('x', seq % 50) FROM seq_1_to_2000")
            let before = try await connection.query("CHECKSUM TABLE t")
            let bk = backup(tree.root.path)
            let manifest = try await bk.take(.table("t"), on: connection)
            #expect(manifest.rows == 2000 && manifest.method == "mariadb-dump --single-transaction")
            #expect(manifest.bytes == Int64(try Data(contentsOf: tree.root.appendingPathComponent(manifest.location)).count))
            let dump = String(decoding: try Data(contentsOf: tree.root.appendingPathComponent(manifest.location)), as: UTF8.self)
            #expect(!dump.contains(server.password), "the password is in no file of the backup")
            try await sql(connection, "UPDATE t SET name = 'rewritten'")
            try await sql(connection, "ALTER TABLE t DROP COLUMN note")
            #expect(try await connection.query("CHECKSUM TABLE t") != before)
            try await bk.restore(manifest, on: connection)
            #expect(try await connection.query("CHECKSUM TABLE t") == before)
            try await bk.restore(manifest, on: connection)  // a rollback killed mid-restore restores again
            #expect(try await connection.query("CHECKSUM TABLE t") == before)
        } catch {
            _ = try? await admin.execute(SQLStatement(text: "DROP DATABASE \(database)", line: 1, file: "test"))
            throw error
        }
        await connection.close()
        try await sql(admin, "DROP DATABASE \(database)")
        await admin.close()
    }

    @Test("ClickHouse: a data rewrite and DROP COLUMN restored from the in-server copy; groupBitXor(cityHash64(*)) as before",
          .enabled(if: TestServers.clickHouseEnabled))
    func clickHouse() async throws {
        let connection = try await Datasources.connect(try TestServers.clickHouse(), secrets: TestServers.secrets)
        let table = TestServers.uniqueName("hbk_ch")
        let bk = backup(NSTemporaryDirectory())
        try await sql(connection, "CREATE TABLE \(table) (id UInt64, name String, note String) ENGINE = MergeTree ORDER BY id")
        var manifest: BackupManifest?
        do {
            try await sql(connection, "INSERT INTO \(table) SELECT number, concat('n', toString(number)), toString(number % 7) FROM system.numbers LIMIT 5000")
            let checksum = "SELECT count(), groupBitXor(cityHash64(*)) FROM \(table)"
            let before = try await connection.query(checksum)
            manifest = try await bk.take(.table(table), on: connection)
            #expect(manifest?.rows == 5000)
            try await sql(connection, "ALTER TABLE \(table) DROP COLUMN note")
            try await sql(connection, "INSERT INTO \(table) SELECT number, 'extra' FROM system.numbers LIMIT 10")
            #expect(try await connection.query("SELECT count() FROM \(table)") == [["5010"]])
            try await bk.restore(try #require(manifest), on: connection)
            #expect(try await connection.query(checksum) == before)
        } catch {
            _ = try? await connection.execute(SQLStatement(text: "DROP TABLE IF EXISTS \(table)", line: 1, file: "test"))
            throw error
        }
        if let manifest { try await bk.remove(manifest, on: connection) }
        #expect(try await connection.scalar("SELECT count() FROM system.tables WHERE database = 'quickup_backup' AND name = '\(manifest?.location.split(separator: ".").last ?? "")'") == "0")
        try await sql(connection, "DROP TABLE \(table)")
        await connection.close()
    }

    /// Every key of `prefix` with its DUMP, read by the test.
    func dumps(_ redis: RedisConnection, _ prefix: String) async throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for case let key? in try await redis.query("KEYS \(prefix)*").map({ $0.first ?? nil }) {
            if case .string(let bytes) = try await redis.command(RedisCommand(["DUMP", key])) { result[key] = bytes }
        }
        return result
    }

    @Test("Redis: DEL and a rewrite of the keys a script names, and a key it creates, undone from DUMP/PTTL",
          .enabled(if: TestServers.redisEnabled))
    func redisKeys() async throws {
        let redis = try await RedisConnection.connect(try TestServers.redis(index: 12), secrets: TestServers.secrets)
        let prefix = TestServers.uniqueName("hbk") + ":"
        let tree = try TemporaryTree("hbk-redis")
        defer { tree.remove() }
        try await redis.run(try RedisScript.parse("""
            SET \(prefix)a 1
            HSET \(prefix)h f1 v1 f2 v2
            RPUSH \(prefix)l x y z
            PEXPIRE \(prefix)a 600000
            """, file: "seed.redis"))
        let before = try await dumps(redis, prefix)
        let script = try RedisScript.parse("DEL \(prefix)h\nSET \(prefix)a 2\nLPUSH \(prefix)l w\nSET \(prefix)new 1\n", file: "t.redis")
        guard case .keys(let keys) = RedisKeys.of(script) else { Issue.record("the script's keys are known"); return }
        #expect(Set(keys) == ["\(prefix)h", "\(prefix)a", "\(prefix)l", "\(prefix)new"])
        let bk = backup(tree.root.path)
        let manifest = try await bk.take(.redisKeys(keys), on: redis)
        #expect(manifest.rows == 3)
        try await redis.run(script)
        #expect(try await dumps(redis, prefix) != before)
        try await bk.restore(manifest, on: redis)
        #expect(try await dumps(redis, prefix) == before)
        let ttl = Int64(try await redis.scalar("PTTL \(prefix)a") ?? "") ?? -1
        #expect(ttl > 0 && ttl <= 600_000, "the TTL comes back with the key")
        for key in before.keys { try await redis.command(RedisCommand(["DEL", key])) }
        await redis.close()
    }

    @Test("Redis: a Lua script is not analysed; the whole database (its own index) is kept and a FLUSHDB undone",
          .enabled(if: TestServers.redisEnabled))
    func redisWholeDatabase() async throws {
        #expect(RedisKeys.of(try RedisScript.parse("return redis.call('FLUSHDB')", file: "t.lua")) == .wholeDatabase(reason: "a Lua script cannot be analysed"))
        let redis = try await RedisConnection.connect(try TestServers.redis(index: 13), secrets: TestServers.secrets)
        let prefix = TestServers.uniqueName("hbk") + ":"
        let tree = try TemporaryTree("hbk-redis-db")
        defer { tree.remove() }
        for i in 0..<50 { try await redis.command(RedisCommand(["SET", "\(prefix)k\(i)", "v\(i)"])) }
        let before = try await dumps(redis, "")
        let bk = backup(tree.root.path)
        let manifest = try await bk.take(.redisDatabase, on: redis)
        try await redis.command(RedisCommand(["FLUSHDB"]))
        try await redis.command(RedisCommand(["SET", "\(prefix)after", "1"]))
        try await bk.restore(manifest, on: redis)
        #expect(try await dumps(redis, "") == before)
        for key in before.keys { try await redis.command(RedisCommand(["DEL", key])) }
        await redis.close()
    }

    @Test("SQLite: a table rebuilt without a column restored from the online backup; upgrade_log in the same file keeps its rows")
    func sqlite() async throws {
        let tree = try TemporaryTree("hbk-sqlite")
        defer { tree.remove() }
        var config = DatasourceConfig(name: "shop", type: .sqlite, location: SourceLocation(file: "env.yaml"))
        config.path = tree.root.appendingPathComponent("shop.db").path
        let db = try await SQLiteConnection.open(config, createIfMissing: true)
        try await sql(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, note TEXT)")
        try await sql(db, "CREATE INDEX t_name ON t (name)")
        try await sql(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) INSERT INTO t SELECT i, 'n' || i, 'x' || (i % 9) FROM n")
        try await sql(db, "CREATE TABLE log (x TEXT)")
        let before = try await db.query("SELECT * FROM t ORDER BY id")
        let bk = backup(tree.root.appendingPathComponent("backups").path)
        let manifest = try await bk.take(.table("t"), on: db)
        try await sql(db, "ALTER TABLE t DROP COLUMN note")
        try await sql(db, "UPDATE t SET name = 'gone'")
        try await sql(db, "INSERT INTO log VALUES ('after the backup')")
        try await bk.restore(manifest, on: db)
        #expect(try await db.query("SELECT * FROM t ORDER BY id") == before)
        #expect(try await db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 't'") == [["t_name"]])
        #expect(try await db.query("SELECT x FROM log") == [["after the backup"]], "only the table is put back")
        await db.close()
    }
}
