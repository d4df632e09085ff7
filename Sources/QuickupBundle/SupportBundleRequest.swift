import Foundation

/// What `quickup bundle` collects (L1): one run of one state directory, the site's env.yaml when
/// given, and facts about this machine the front end already has (doctor, version).
public struct SupportBundleRequest: Sendable {
    /// The state directory holding `journal.sqlite` and `runs/<id>/`.
    public var stateDirectory: String
    /// A run id, or `latest`.
    public var run: String
    /// The site's env.yaml, redacted before it goes in; nil leaves it out.
    public var environmentFile: String?
    /// `quickup doctor`'s text: how this machine contains tools.
    public var doctor: String
    /// When the bundle is made (injected so tests and the README agree).
    public var now: Date

    public init(stateDirectory: String, run: String, environmentFile: String?, doctor: String, now: Date = Date()) {
        self.stateDirectory = stateDirectory
        self.run = run
        self.environmentFile = environmentFile
        self.doctor = doctor
        self.now = now
    }
}

/// One file of the bundle: its path inside the zip, its bytes, and a line for README.txt.
public struct BundleDocument: Sendable {
    public var path: String
    public var data: Data
    public var about: String

    public init(path: String, data: Data, about: String) {
        self.path = path
        self.data = data
        self.about = about
    }

    public init(path: String, text: String, about: String) {
        self.init(path: path, data: Data(text.utf8), about: about)
    }
}
