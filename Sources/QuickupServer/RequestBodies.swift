import Foundation
import QuickupCore

/// What `POST /v1/plans` and `POST /v1/assessments` take: a release from the store, the site's
/// env.yaml (a path on the server), the upgrade and an optional service filter.
struct UpgradeBody: Codable, Sendable {
    var release: String
    var env: String?
    var from: String
    var to: String
    var site: String?
    var service: String?

    func versions() throws(QuickupError) -> (Version, Version) {
        (try Version(parsing: from, origin: SourceLocation(file: "request", key: "from")),
         try Version(parsing: to, origin: SourceLocation(file: "request", key: "to")))
    }
}

/// `POST /v1/runs`.
struct RunBody: Codable, Sendable {
    var release: String
    var env: String
    var from: String
    var to: String
    var site: String?
    var service: String?
    var stage: String?
    var dryRun: Bool?
    var confirmRerun: [String]?
    var acceptChanged: [String]?

    var upgrade: UpgradeBody { UpgradeBody(release: release, env: env, from: from, to: to, site: site, service: service) }
}

/// `POST /v1/runs/{id}/resume`.
struct ResumeBody: Codable, Sendable {
    var release: String
    var env: String
    var confirmRerun: [String]?
    var acceptChanged: [String]?
}

/// `POST /v1/runs/{id}/rollback`.
struct RollbackBody: Codable, Sendable {
    var release: String
    var env: String
    var dryRun: Bool?
    var undoneByHand: [String]?
    var confirmRerun: [String]?
}

/// `POST /v1/runs/{id}/verification`. `release` and `env` are what `continue` resumes the
/// upgrade with; they default to those it was started with through this server.
struct VerificationBody: Codable, Sendable {
    var decision: String
    var note: String?
    var release: String?
    var env: String?
}

/// `POST /v1/upgrades`: the whole upgrade of a site (F1), as `quickup upgrade` takes it.
struct UpgradeStartBody: Codable, Sendable {
    var release: String
    var env: String
    var from: String
    var to: String
    var site: String?
    /// auto, rolling or stop-the-world.
    var mode: String?
    /// Skip the verification gate and accept assessment warnings (the CLI's --yes).
    var yes: Bool?
    /// Accept assessment warnings; the gate still pauses.
    var acceptWarnings: Bool?
}

/// The 202 answer of everything that starts work.
struct Accepted: Codable, Sendable {
    var runId: String
    var status: String
    var resumes: String?
    var rollsBack: String?
    var links: [String: String]

    init(runId: String, status: String, resumes: String? = nil, rollsBack: String? = nil) {
        self.runId = runId
        self.status = status
        self.resumes = resumes
        self.rollsBack = rollsBack
        links = ["status": "/v1/runs/\(runId)", "events": "/v1/runs/\(runId)/events", "cancel": "/v1/runs/\(runId)/cancel",
                 "logs": "/v1/runs/\(runId)/logs", "bundle": "/v1/runs/\(runId)/bundle"]
    }
}
