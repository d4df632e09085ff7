import Foundation
import NIOPosix
import QuickupCore
import Synchronization

/// A Redis datasource through hiredis (SPEC D1), on a thread of its own.
///
/// hiredis blocks while it waits for the server, so every call runs on this connection's private
/// one-thread pool: Swift's cooperative threads never block, and the context is only ever used by
/// one thread. Connecting sends `AUTH` (the password is never logged or shown) and `SELECT` of the
/// database index (env.yaml `database`, default 0).
///
/// As a `DatasourceConnection`: `execute` runs one command line (the statement's text, split like
/// `redis-cli` does), `query` runs one and returns its reply as one-column rows. Redis has no
/// rollback, so `supportsTransactions` is false and `begin`/`commit`/`rollback` throw; there is no
/// `upgrade_log` (quickup's journal records Redis tasks), no table sizes and no progress.
public final class RedisConnection: DatasourceConnection, Sendable {
    public let config: DatasourceConfig
    private let thread: NIOThreadPool
    private let socket: RedisSocket
    private let password: String?
    private let databaseIndex: Int
    /// Also used to reconnect after a broken connection.
    private let policy: ConnectRetryPolicy
    private let closed = Mutex(false)

    private init(config: DatasourceConfig, password: String?, databaseIndex: Int, policy: ConnectRetryPolicy) {
        self.config = config
        self.policy = policy
        self.password = password
        self.databaseIndex = databaseIndex
        self.socket = RedisSocket(host: config.host ?? "127.0.0.1", port: config.port ?? 6379,
                                  connectTimeout: config.connectTimeoutOrDefault, readTimeout: config.readTimeoutOrDefault)
        self.thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
    }

    /// A connection dropped without `close()` still stops its thread (which frees the hiredis
    /// context) instead of leaking it.
    deinit {
        if !closed.withLock({ $0 }) { thread.shutdownGracefully { _ in } }
    }

    /// `host:port db N as user` for messages; never the password.
    var target: String {
        "\(socket.host):\(socket.port) db \(databaseIndex)" + (config.user.map { " as user '\($0)'" } ?? "")
    }

    public static func connect(_ config: DatasourceConfig, secrets: SecretResolver,
                               policy: ConnectRetryPolicy = .standard) async throws(QuickupError) -> RedisConnection {
        let text = config.database?.trimmingCharacters(in: .whitespaces) ?? ""
        guard let index = text.isEmpty ? 0 : Int(text), index >= 0 else {
            throw QuickupError(.invalidArgument, "datasource '\(config.name)': database '\(text)' is not a Redis database index",
                               at: config.location, hint: "give the index as a number, e.g. database: 0")
        }
        let password = try secrets.secret(for: config.password, of: config.name)
        let connection = RedisConnection(config: config, password: password, databaseIndex: index, policy: policy)
        do throws(QuickupError) {
            try await policy.run { _ async throws(QuickupError) in try await connection.open() }
        } catch {
            await connection.close()
            throw error.named(config)
        }
        return connection
    }

    private enum OpenOutcome: Sendable {
        case ready
        case refused(String, authentication: Bool)
        case failed(RedisSocket.Failure)
    }

    /// Connects, authenticates and selects the database, on the connection's thread.
    private func open() async throws(QuickupError) {
        let socket = self.socket, password = self.password, user = config.user, index = databaseIndex
        let outcome = await onThread { () -> OpenOutcome in
            do throws(RedisSocket.Failure) {
                try socket.connect()
                if let password {
                    let auth = [Array("AUTH".utf8)] + (user.map { [Array($0.utf8)] } ?? []) + [Array(password.utf8)]
                    if case .error(let text) = try socket.command(auth) {
                        socket.disconnect()
                        return .refused(text, authentication: true)
                    }
                }
                if case .error(let text) = try socket.command([Array("SELECT".utf8), Array(String(index).utf8)]) {
                    socket.disconnect()
                    return .refused(text, authentication: text.hasPrefix("NOAUTH"))
                }
                return .ready
            } catch {
                return .failed(error)
            }
        }
        switch outcome {
        case .ready:
            return
        case .refused(let text, true):
            throw QuickupError(.datasourceAuthentication, "Redis at \(target) refused the credentials: \(text)",
                               hint: "check the password (password_env/password_file) and user of the datasource in env.yaml")
        case .refused(let text, false):
            throw QuickupError(.statementFailed, "Redis at \(target) refused SELECT \(index): \(text)",
                               hint: "check the database index in env.yaml; the server has `databases` of them (16 by default)")
        case .failed(let failure):
            throw error(failure, command: nil)
        case nil:
            throw closedError(at: nil)
        }
    }

    /// Runs one command. An error reply throws `statementFailed` naming the command's file:line.
    @discardableResult
    public func command(_ command: RedisCommand) async throws(QuickupError) -> RedisReply {
        guard !closed.withLock({ $0 }) else { throw closedError(at: command.location) }
        // A command already sent cannot be taken back (Redis runs each atomically); cancellation
        // is honoured between commands.
        guard !Task.isCancelled else {
            throw QuickupError(.statementCancelled, "cancelled before \(preview(command))", at: command.location)
        }
        // After a broken connection, the next command reconnects (with the usual tries).
        let socket = self.socket, arguments = command.arguments
        if await onThread({ socket.isConnected }) != true {
            try await policy.run { _ async throws(QuickupError) in try await open() }
        }
        let outcome = await onThread { () -> Result<RedisReply, RedisSocket.Failure> in
            do throws(RedisSocket.Failure) { return .success(try socket.command(arguments)) } catch { return .failure(error) }
        }
        switch outcome {
        case .success(.error(let text))?:
            throw QuickupError(.statementFailed, "Redis replied: \(text) — command: \(preview(command)) (on \(target))",
                               at: command.location, hint: hint(for: text))
        case .success(let reply)?:
            return reply
        case .failure(let failure)?:
            var error = error(failure, command: command)
            error.location = command.location
            throw error
        case nil:
            throw closedError(at: command.location)
        }
    }

    /// Runs a whole script, stopping at the first failing command.
    public func run(_ script: RedisScript) async throws(QuickupError) {
        for command in script.commands { try await self.command(command) }
    }

    public func serverVersion() async throws(QuickupError) -> String {
        let info = try await command(RedisCommand(["INFO", "server"])).text ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("redis_version:") }
        return line.map { String($0.dropFirst("redis_version:".count)) } ?? ""
    }

    /// Runs the statement's text as a piece of a Redis script: usually one command line; several
    /// lines run in order, and a Lua text (`-- lua` first) runs with EVAL. `affectedRows` sums the
    /// integer replies (DEL, HSET…). Errors name the script line: the statement's line plus the
    /// line inside its text.
    @discardableResult
    public func execute(_ statement: SQLStatement) async throws(QuickupError) -> ExecutionResult {
        var affected: Int64 = 0
        for command in try commands(of: statement) {
            if case .integer(let value) = try await self.command(command) { affected += value }
        }
        return ExecutionResult(affectedRows: affected)
    }

    /// One command's reply as rows of one column.
    public func query(_ sql: String) async throws(QuickupError) -> [[String?]] {
        let commands = try commands(of: SQLStatement(text: sql, line: 1, file: "<query>"))
        guard commands.count == 1, let command = commands.first else {
            throw QuickupError(.invalidArgument, "a Redis query is one command; got \(commands.count): \(StatementPreview.of(sql))")
        }
        return try await self.command(command).rows
    }

    public var supportsTransactions: Bool { false }
    public func begin() async throws(QuickupError) { throw noTransactions() }
    public func commit() async throws(QuickupError) { throw noTransactions() }
    public func rollback() async throws(QuickupError) { throw noTransactions() }
    public func tableSizes(_ tables: [String]) async throws(QuickupError) -> [String: Int64] { [:] }
    public func progress() async -> Double? { nil }

    public func close() async {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        let socket = self.socket
        _ = await onThread { socket.disconnect() }
        try? await thread.shutdownGracefully()
    }

    /// Runs blocking work on the connection's own thread.
    private func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        try? await thread.runIfActive(body)
    }

    private func commands(of statement: SQLStatement) throws(QuickupError) -> [RedisCommand] {
        let offset = statement.line - 1
        var commands: [RedisCommand]
        do {
            commands = try RedisScript.parse(statement.text, file: statement.file).commands
        } catch {
            var located = error
            let line = (error.location?.line ?? 1) + offset
            located.location?.line = line
            throw located
        }
        for index in commands.indices { commands[index].line += offset }
        guard !commands.isEmpty else {
            throw QuickupError(.redisScriptSyntax, "no Redis command in the statement", at: statement.location)
        }
        return commands
    }

    /// The command for messages, with AUTH's password left out (D4).
    private func preview(_ command: RedisCommand) -> String {
        if command.name == "AUTH" || command.name == "HELLO" { return command.name + " …" }
        return StatementPreview.of(command.strings.joined(separator: " "))
    }

    private func error(_ failure: RedisSocket.Failure, command: RedisCommand?) -> QuickupError {
        switch failure {
        case .unreachable(let reason):
            return QuickupError(.datasourceUnreachable, "cannot reach Redis at \(target): \(reason)",
                                hint: "check that redis-server runs and listens on that address (port 6379 by default) and the host/port in env.yaml")
        case .io(let reason, let timedOut):
            let what = command.map { " during \(preview($0))" } ?? ""
            return timedOut
                ? QuickupError(.datasourceTimeout, "Redis at \(target) did not answer within \(config.readTimeoutOrDefault)\(what)",
                               hint: "the command may still run on the server; raise read_timeout in env.yaml for long Lua scripts")
                : QuickupError(.io, "the connection to Redis at \(target) broke\(what): \(reason)",
                               hint: "the command may or may not have run; check the keys before re-running")
        }
    }

    private func hint(for reply: String) -> String? {
        if reply.hasPrefix("WRONGTYPE") { return "the key holds another type than the command expects; check the script against the data" }
        if reply.hasPrefix("NOSCRIPT") { return "the script is not cached on the server; use EVAL with its source" }
        if reply.hasPrefix("NOPERM") || reply.hasPrefix("NOAUTH") { return "the datasource's user lacks the permission; check its ACL" }
        if reply.hasPrefix("ERR unknown command") { return "the server's version does not have this command (check INFO server)" }
        return nil
    }

    private func closedError(at location: SourceLocation?) -> QuickupError {
        QuickupError(.invalidArgument, "the Redis connection '\(config.name)' is closed", at: location)
    }

    private func noTransactions() -> QuickupError {
        QuickupError(.datasourceUnsupported, "Redis datasource '\(config.name)' has no transactions that can be rolled back",
                     hint: "mark Redis tasks transactional=false; use MULTI/EXEC or a Lua script inside the script for atomicity")
    }
}
