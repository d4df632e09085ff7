import ArgumentParser
import Foundation
import QuickupCore
import QuickupRelease

/// `quickup validate --release DIR [--env env.yaml]` (M6): checks everything, touches nothing.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a release (and optionally an env.yaml) without touching any system.",
        discussion: "Reports every problem at once with file:line: key. Exit 0 when valid, 2 when not.")

    @OptionGroup var releaseOptions: ReleaseOptions
    @OptionGroup var envOption: EnvironmentOption
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "Lint findings that fail validation: error (default), warn, or off (N1; all rules: quickup lint).")
    var lint: String = "error"

    func validate() throws {
        guard lint == "off" || LintSeverity(flag: lint) != nil else { throw ValidationError("--lint takes error, warn or off, not '\(lint)'") }
    }

    func run() async throws {
        try await runReporting {
            let workspace: Workspace
            do {
                workspace = try Workspace.open(release: releaseOptions.release, environment: envOption.env,
                                               lint: LintSeverity(flag: lint).map { _ in LintPass() }, checksums: false)
            } catch let error as QuickupErrors {
                if output.json { try printJSON(ValidationReport(valid: false, errors: error.errors)) }
                throw error
            }
            if let level = LintSeverity(flag: lint) {
                let findings = ReleaseLint.validationErrors(workspace, atLeast: level)
                if !findings.isEmpty {
                    if output.json { try printJSON(ValidationReport(valid: false, errors: findings)) }
                    throw QuickupErrors(findings)
                }
            }
            for warning in workspace.warnings { Console.error("warning: \(warning)") }
            let release = workspace.release
            if output.json {
                try printJSON(ValidationReport(valid: true, errors: [], release: release))
            } else {
                let versions = release.versions.map(\.description).joined(separator: ", ")
                Console.out("Release \(release.name) is valid: \(release.components.count) components, \(release.taskCount) tasks, "
                    + "\(release.components.reduce(0) { $0 + $1.qualityRules.count }) quality rules; versions \(versions.isEmpty ? "none" : versions).")
                if let range = release.upgradesFrom { Console.out("Upgrades from \(range).") }
            }
            return .success
        }
    }
}

/// `validate --json`: a stable shape for CI.
struct ValidationReport: Encodable {
    struct Problem: Encodable {
        var code: String
        var file: String?
        var line: Int?
        var key: String?
        var message: String
        var hint: String?
    }
    var valid: Bool
    var errors: [Problem]
    var components: Int?
    var tasks: Int?

    init(valid: Bool, errors: [QuickupError], release: Release? = nil) {
        self.valid = valid
        self.errors = errors.map {
            Problem(code: $0.code.rawValue, file: $0.location?.file, line: $0.location?.line, key: $0.location?.key,
                    message: $0.message, hint: $0.hint)
        }
        components = release?.components.count
        tasks = release?.taskCount
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    Console.out(String(decoding: try encoder.encode(value), as: UTF8.self))
}
