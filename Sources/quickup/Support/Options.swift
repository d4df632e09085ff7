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

    /// `--to` past the newest version the release has material for plans without complaint but
    /// is most likely a typo or the wrong release: say so (stderr; the plan is still made).
    func warnIfBeyondNewest(_ release: Release, to: Version) {
        guard let newest = release.newestVersion, to > newest else { return }
        Console.error("warning: --to \(to) is beyond the newest version of release \(release.name) (\(newest)): "
            + "the plan ends at \(newest); check --to, or use the release that ships \(to)")
    }

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
