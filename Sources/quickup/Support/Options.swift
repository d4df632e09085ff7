import ArgumentParser
import QuickupCore

/// `--release DIR|ZIP`: the release directory, or a zip from `quickup pack` (R1), which
/// `Workspace.open` checks against its manifest and extracts.
struct ReleaseOptions: ParsableArguments {
    @Option(name: .long, help: "Release directory (holds release.yaml and one folder per component), or a zip written by `quickup pack`.")
    var release: String
}

/// `--from`, `--to`, `--site`: what to upgrade, where.
struct UpgradeOptions: ParsableArguments {
    @Option(name: .long, help: "Version installed now, e.g. V2.16.7.")
    var from: String

    @Option(name: .long, help: "Version to upgrade to, e.g. V2.17.0-P1.")
    var to: String

    @Option(name: .long, help: "Site id (default: env.yaml's site).")
    var site: String?

    func versions() throws(QuickupError) -> (Version, Version) {
        (try Version(parsing: from, origin: SourceLocation(file: "--from")),
         try Version(parsing: to, origin: SourceLocation(file: "--to")))
    }
}

/// `--env env.yaml`.
struct EnvironmentOption: ParsableArguments {
    @Option(name: .long, help: "The site's env.yaml (hosts, datasources, Nacos).")
    var env: String?
}

/// `--json`.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false
}
