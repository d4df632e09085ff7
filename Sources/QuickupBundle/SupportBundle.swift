import Foundation
import QuickupCore
import QuickupRelease
import QuickupRun

/// `quickup bundle RUN -o file.zip` (L1, §5.1.8): everything an engineer needs from a customer
/// site about one run — its logs, the journal's record of it, the plan it ran, assessment
/// reports, how the machine contains tools, the quickup version and the environment — with
/// every secret removed. Secrets are never resolved: env.yaml's literal ones and URL credentials
/// are redacted there and scrubbed from every other file too, in case a log quoted one.
public struct SupportBundle: Sendable {
    public var request: SupportBundleRequest

    public init(_ request: SupportBundleRequest) { self.request = request }

    public struct Result: Sendable {
        public var runID: String
        public var output: String
        public var files: [String]
    }

    /// Collects the documents and writes the zip (atomically: a partial file is renamed into place).
    public func write(to output: String) throws(QuickupError) -> Result {
        let (runID, documents) = try collect()
        let folder = "quickup-bundle-\(runID)"
        try BundleZip.write(documents, under: folder, to: output)
        return Result(runID: runID, output: output, files: documents.map { "\(folder)/\($0.path)" })
    }

    /// The bundle's files, README.txt first, every text already scrubbed.
    public func collect() throws(QuickupError) -> (runID: String, documents: [BundleDocument]) {
        let state = request.stateDirectory
        guard FileManager.default.fileExists(atPath: "\(state)/journal.sqlite") else {
            throw QuickupError(.invalidArgument, "no journal in \(state): no run was recorded there",
                               hint: "pass --state with the directory the run used (default .quickup)")
        }
        let journal = try Journal(stateDirectory: state)
        let run = try JournalExtract.selectRun(request.run, in: journal, state: state)
        var notes: [String] = []
        var redaction = SecretRedaction()
        var documents: [BundleDocument] = []

        if let envFile = request.environmentFile {
            guard let data = FileManager.default.contents(atPath: envFile) else {
                throw QuickupError(.fileNotFound, "cannot read the environment file \(envFile)", hint: "pass --env with the site's env.yaml")
            }
            let env = EnvironmentRedactor.redact(text: String(decoding: data, as: UTF8.self), file: URL(fileURLWithPath: envFile).lastPathComponent)
            env.secrets.forEach { redaction.remember($0) }
            documents.append(BundleDocument(path: "env.yaml", text: env.text, about: "the site's env.yaml, secrets redacted"))
            if !env.redactedPaths.isEmpty { notes.append("Redacted in env.yaml: \(env.redactedPaths.joined(separator: ", ")).") }
        } else {
            notes.append("No env.yaml: pass --env with the site's env.yaml to include it (redacted).")
        }

        documents += try JournalExtract.documents(run, journal: journal)
        documents += Self.files(under: "\(state)/runs/\(run.id)", as: "logs", about: [
            "summary.log": "the run's summary log, as a person reads it (E10)",
            "detail.jsonl": "the run's detailed log, one JSON object per line (E10)",
        ])
        if !documents.contains(where: { $0.path.hasPrefix("logs/") }) { notes.append("No log files found in \(state)/runs/\(run.id).") }
        let assessments = Self.files(under: "\(state)/assessments", as: "assessments", about: [:])
        documents += assessments
        if assessments.isEmpty { notes.append("No assessment reports in \(state)/assessments.") }
        documents.append(BundleDocument(path: "doctor.txt", text: request.doctor + "\n", about: "quickup doctor: how this machine contains tools"))
        documents.append(BundleDocument(path: "version.txt", text: Self.version(now: request.now),
                                        about: "quickup version, operating system, when the bundle was made"))

        let scrubbed = documents.map { document -> BundleDocument in
            var document = document
            document.data = Data(redaction.redact(String(decoding: document.data, as: UTF8.self)).utf8)
            return document
        }
        let readme = redaction.scrubKnown(BundleIndex(run: run, documents: scrubbed, notes: notes, now: request.now).text)
        return (run.id, [BundleDocument(path: "README.txt", text: readme, about: "this index")] + scrubbed)
    }

    /// Every regular file below `directory`, sorted, as `prefix/relative`.
    static func files(under directory: String, as prefix: String, about: [String: String]) -> [BundleDocument] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var out: [BundleDocument] = []
        while let relative = enumerator.nextObject() as? String {
            let path = "\(directory)/\(relative)"
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: path) else { continue }
            out.append(BundleDocument(path: "\(prefix)/\(relative)", data: data, about: about[relative] ?? "copied from \(path)"))
        }
        return out.sorted { $0.path < $1.path }
    }

    static func version(now: Date) -> String {
        """
        quickup \(QuickupInfo.version)
        system: \(ProcessInfo.processInfo.operatingSystemVersionString)
        bundle made: \(ISO8601DateFormatter().string(from: now))

        """
    }
}
