import Foundation

/// The JSON a tool reads on stdin (T1). Field names are the protocol: keep them stable.
public struct ToolContext: Encodable, Sendable {
    public struct TaskInfo: Encodable, Sendable {
        public var key: String
        public var uid: String
        public var id: String
        public var description: String
        public var version: String
        public var package: String?
        /// The task's own keys that a tool may use (`source`, `target`, `volume`, …).
        public var parameters: [String: String]
        public init(key: String, uid: String, id: String, description: String, version: String, package: String?, parameters: [String: String]) {
            self.key = key
            self.uid = uid
            self.id = id
            self.description = description
            self.version = version
            self.package = package
            self.parameters = parameters
        }
    }

    /// Connection parameters, password included: they travel only on the tool's stdin.
    public struct DatasourceInfo: Encodable, Sendable {
        public var type: String
        public var host: String?
        public var port: Int?
        public var user: String?
        public var password: String?
        public var database: String?
        public var path: String?
        public init(type: String, host: String?, port: Int?, user: String?, password: String?, database: String?, path: String?) {
            self.type = type
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.database = database
            self.path = path
        }
    }

    public var protocolVersion = 1
    public var runID: String
    public var from: String
    public var to: String
    public var stage: String
    public var site: String?
    public var component: String
    public var attempt: Int
    public var hook: String?
    public var task: TaskInfo?
    public var workDirectory: String
    public var environment: [String: String]
    public var datasources: [String: DatasourceInfo]

    public init(runID: String, from: String, to: String, stage: String, site: String?, component: String, attempt: Int,
                hook: String? = nil, task: TaskInfo? = nil, workDirectory: String, environment: [String: String],
                datasources: [String: DatasourceInfo]) {
        self.runID = runID
        self.from = from
        self.to = to
        self.stage = stage
        self.site = site
        self.component = component
        self.attempt = attempt
        self.hook = hook
        self.task = task
        self.workDirectory = workDirectory
        self.environment = environment
        self.datasources = datasources
    }

    enum CodingKeys: String, CodingKey {
        case protocolVersion = "protocol", runID = "run_id", from, to, stage, site, component, attempt, hook, task
        case workDirectory = "work_directory", environment, datasources
    }

    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)) ?? Data("{}".utf8)) + Data("\n".utf8)
    }

    /// The `QUICKUP_*` variables mirroring the context (never credentials).
    public var variables: [String: String] {
        var result = ["QUICKUP_RUN_ID": runID, "QUICKUP_FROM": from, "QUICKUP_TO": to, "QUICKUP_STAGE": stage,
                      "QUICKUP_COMPONENT": component, "QUICKUP_ATTEMPT": "\(attempt)", "QUICKUP_WORK_DIR": workDirectory]
        if let site { result["QUICKUP_SITE"] = site }
        if let hook { result["QUICKUP_HOOK"] = hook }
        if let task { result["QUICKUP_TASK"] = task.key }
        return result
    }
}
