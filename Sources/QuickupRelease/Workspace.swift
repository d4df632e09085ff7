import Foundation
import QuickupCore

/// The inputs of one operation, loaded and checked once: release, optional environment, plan.
/// Both front ends (CLI, later HTTP) go through here so they behave the same (H2).
public struct Workspace: Sendable {
    public var release: Release
    public var releaseRoot: String
    public var environment: Environment?
    public var warnings: [QuickupError]
    /// The release's lint, when `open` was asked to lint while loading (N1, issue 19).
    public var lint: LintReport? = nil

    /// Each component's plugin class, limits, failure policy and hooks, in release order (T3–T5).
    public var plugins: [PluginProfile] { release.components.map(PluginProfile.init) }

    /// Loads the release (and env.yaml when given); throws every problem at once (M5).
    /// `release` is a directory or a zip from `quickup pack`: a zip is checked against its
    /// manifest and used from `cache` (default: a private temp folder), the one place every
    /// command's `--release` goes through (R1). `lint`: lint every script while loading it
    /// (`validate`'s lint, N1), the report in `lint`. `checksums: false` for commands that show
    /// no checksum and run nothing (`ReleaseLoader.load(checksums:)`).
    public static func open(release: String, environment envFile: String? = nil,
                            cache: ReleaseCache? = nil, lint: LintPass? = nil, checksums: Bool = true) throws(QuickupErrors) -> Workspace {
        let directory = try ReleaseCache.resolve(release, cache: cache)
        let loaded = ReleaseLoader().load(directory: directory, lint: lint, checksums: checksums)
        var diagnostics = loaded.diagnostics
        var environment: Environment?
        if let envFile {
            if let data = FileManager.default.contents(atPath: envFile) {
                let text: String
                do { text = try UTF8Text.decode(Array(data), file: envFile, what: "environment file") } catch {
                    diagnostics.append(error)
                    throw QuickupErrors(diagnostics.sortedErrors)
                }
                let env = EnvironmentLoader().load(file: envFile, text: text)
                diagnostics.merge(env.diagnostics)
                if env.parsed { EnvironmentValidator().validate(env.environment, for: loaded.release, into: &diagnostics) }
                environment = Self.resolvingPaths(env.environment, relativeTo: URL(fileURLWithPath: envFile).deletingLastPathComponent().path)
            } else {
                diagnostics.error("environment file not found", at: SourceLocation(file: envFile),
                                  hint: "pass --env with the site's env.yaml", code: .fileNotFound)
            }
        }
        guard diagnostics.isEmpty else { throw QuickupErrors(diagnostics.sortedErrors) }
        return Workspace(release: loaded.release, releaseRoot: loaded.root, environment: environment, warnings: diagnostics.warnings,
                         lint: loaded.lint)
    }

    /// Only env.yaml (for commands that need no release, like `hosts check`); every problem at once.
    public static func loadEnvironment(file envFile: String) throws(QuickupErrors) -> Environment {
        guard let data = FileManager.default.contents(atPath: envFile) else {
            throw QuickupErrors([QuickupError(.fileNotFound, "environment file not found", at: SourceLocation(file: envFile),
                                              hint: "pass --env with the site's env.yaml")])
        }
        let text: String
        do { text = try UTF8Text.decode(Array(data), file: envFile, what: "environment file") } catch {
            throw QuickupErrors([error])
        }
        let loaded = EnvironmentLoader().load(file: envFile, text: text)
        guard loaded.diagnostics.isEmpty else { throw QuickupErrors(loaded.diagnostics.sortedErrors) }
        return resolvingPaths(loaded.environment, relativeTo: URL(fileURLWithPath: envFile).deletingLastPathComponent().path)
    }

    /// SQLite paths, password files, identity and known_hosts files in env.yaml are relative to
    /// the env.yaml's folder.
    static func resolvingPaths(_ env: Environment, relativeTo base: String) -> Environment {
        var env = env
        if let dir = env.backupDir, !dir.hasPrefix("/") { env.backupDir = "\(base)/\(dir)" }
        for i in env.hosts.indices {
            if let path = env.hosts[i].identityFile, !path.hasPrefix("/") { env.hosts[i].identityFile = "\(base)/\(path)" }
            if let path = env.hosts[i].knownHostsFile, !path.hasPrefix("/") { env.hosts[i].knownHostsFile = "\(base)/\(path)" }
        }
        for i in env.datasources.indices {
            if env.datasources[i].type == .sqlite, let path = env.datasources[i].path, !path.hasPrefix("/"), path != ":memory:" {
                env.datasources[i].path = "\(base)/\(path)"
            }
            if case .file(let path) = env.datasources[i].password, !path.hasPrefix("/") {
                env.datasources[i].password = .file("\(base)/\(path)")
            }
        }
        return env
    }

    /// The site: the flag wins over env.yaml.
    public func site(_ flag: String?) -> String? { flag ?? environment?.site }

    public func plan(from: Version, to: Version, site: String?) throws(QuickupError) -> Plan {
        try Planner().plan(release, PlanRequest(from: from, to: to, site: self.site(site)))
    }
}
