import Foundation
import QuickupCore

/// The outcome of loading a release: the values read (possibly partial) and every problem found.
public struct LoadedRelease: Sendable {
    public var release: Release
    public var diagnostics: Diagnostics
    /// The release directory as given.
    public var root: String
    /// The lint report, when `load(directory:lint:)` was asked to lint (N1).
    public var lint: LintReport? = nil
}

/// Reads a release directory (SPEC §3) into a `Release`, collecting all errors in one pass (M5).
public struct ReleaseLoader: Sendable {
    public init() {}

    /// Loads and validates; never throws for content problems — they are in `diagnostics`.
    /// With `lint`, also lints every script while it is in hand from validation (one read, one
    /// split, issue 19): the report is `ReleaseLinter`'s for the same release. Without
    /// `checksums`, every file is still read, split and checked, but tasks carry no checksum
    /// (M7): for commands that print none (`validate`, `lint`, the text plan), SHA-256 over
    /// every script is ~6 % of their time (P5, issues 19 and 20).
    public func load(directory: String, lint: LintPass? = nil, checksums: Bool = true) -> LoadedRelease {
        let sink = DiagnosticSink()
        guard let files = ReleaseFiles(root: directory), files.isDirectory("") else {
            sink.error("release directory not found", at: SourceLocation(file: directory),
                       hint: "pass --release with the directory that holds release.yaml and the component folders, or a zip from `quickup pack`")
            return LoadedRelease(release: Release(name: directory, components: []), diagnostics: sink.diagnostics, root: directory)
        }
        var release = Release(name: URL(fileURLWithPath: files.root).lastPathComponent, components: [])
        let listed = readReleaseYAML(files, sink: sink, into: &release)
        let names = componentNames(files, listed: listed, sink: sink)
        if names.isEmpty, (listed ?? []).isEmpty {
            sink.error("no components found in \(files.root)", at: SourceLocation(file: files.root), hint: ReleaseLocator(files: files).hint())
        }
        var diagnostics = sink.diagnostics
        let pass = lint.map { LintPass(request: $0.request, releaseDisabled: release.lintDisabled) }
        var linted: [ComponentLintResult] = []
        var checks: [Diagnostics] = []
        for (loaded, found, checked) in loadComponents(names, files: files, lint: pass, checksums: checksums) {
            release.components.append(loaded.component)
            if let result = loaded.lint { linted.append(result) }
            diagnostics.merge(found)
            checks.append(checked)
        }
        ReleaseValidator().validate(release, into: &diagnostics, componentChecks: checks)
        return LoadedRelease(release: release, diagnostics: diagnostics, root: files.root,
                             lint: pass.map { _ in ComponentLintResult.report(linted) })
    }

    /// Components are independent, so they load in parallel (one listing cache and sink each),
    /// and each gets its own validation there too (M5); results keep release order: the
    /// component, what loading found, what validating it found.
    private func loadComponents(_ names: [String], files: ReleaseFiles, lint: LintPass?, checksums: Bool) -> [(ComponentLoader.Loaded, Diagnostics, Diagnostics)] {
        let root = files.root, realRoot = files.realRoot
        return ParallelMap.map(names.count) { index in
            let sink = DiagnosticSink()
            let component = ComponentLoader(files: ReleaseFiles(root: root, realRoot: realRoot), sink: sink, lint: lint, checksums: checksums).load(name: names[index])
            let checks = ReleaseValidator().validate(component.component, datasourcesKnown: component.datasourcesKnown)
            return (component, sink.diagnostics, checks)
        }
    }

    /// release.yaml is optional; returns the listed component names when it has any.
    private func readReleaseYAML(_ files: ReleaseFiles, sink: DiagnosticSink, into release: inout Release) -> [(String, SourceLocation)]? {
        guard files.exists("release.yaml") else { return nil }
        let file = files.display("release.yaml")
        guard let text = files.readText("release.yaml", sink: sink),
              let yaml = YAMLObject.load(text: text, file: file, sink: sink, what: "release.yaml") else { return nil }
        if let name = yaml.string("name") { release.name = name }
        _ = yaml.string("description")
        if let text = yaml.string("version") {
            do { release.targetVersion = try Version(parsing: text, origin: yaml.location("version")) } catch {
                sink.diagnostics.append(error)
            }
        }
        if let text = yaml.string("upgrades_from") {
            do { release.upgradesFrom = try VersionRange(parsing: text, origin: yaml.location("upgrades_from")) } catch {
                sink.diagnostics.append(error)
            }
        }
        let listed = yaml.strings("components").map { $0.map { ($0, yaml.location("components")) } }
        release.lintDisabled = LintSettings.disabledRules(yaml)
        yaml.finish(context: "release.yaml")
        return listed
    }

    /// Components in release.yaml order, else every folder with a component.yaml or upgrade/, by name.
    private func componentNames(_ files: ReleaseFiles, listed: [(String, SourceLocation)]?, sink: DiagnosticSink) -> [String] {
        let folders = files.list("").filter { name in
            !name.hasPrefix(".") && files.isDirectory(name) && (files.exists("\(name)/component.yaml") || files.isDirectory("\(name)/upgrade"))
        }
        guard let listed else { return folders }
        var names: [String] = []
        for (name, location) in listed {
            if names.contains(name) {
                sink.error("component '\(name)' is listed twice", at: location)
            } else if !folders.contains(name) {
                sink.error("component '\(name)' has no folder with a component.yaml", at: location,
                           hint: "expected \(files.display(name))/component.yaml")
            } else {
                names.append(name)
            }
        }
        for folder in folders where !names.contains(folder) {
            sink.error("component folder '\(folder)' is not listed in release.yaml components", at: SourceLocation(file: files.display("release.yaml")),
                       hint: "add it to components, or remove the folder")
        }
        return names
    }
}
