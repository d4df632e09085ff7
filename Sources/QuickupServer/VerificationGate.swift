import QuickupCore

/// The verification gate of a whole upgrade (`quickup upgrade`, built on another branch): a
/// paused upgrade waits for someone to say the site was verified. The API's
/// `POST /v1/runs/{id}/verification` hands the decision to this seam; until the upgrade lands the
/// server is given `UnavailableGate`, which answers 409 with why.
public protocol VerificationGate: Sendable {
    /// `decision` is `continue` or `abort`; returns what happened, for the answer's `message`.
    func decide(runID: String, decision: String, note: String?) async throws(QuickupError) -> String
}

public struct UnavailableGate: VerificationGate {
    public init() {}

    public func decide(runID: String, decision: String, note: String?) async throws(QuickupError) -> String {
        throw QuickupError(Self.code, "run \(runID) has no verification gate: the whole upgrade (`quickup upgrade`, which pauses at the gate) is not part of this quickup",
                           hint: "stage runs (`POST /v1/runs`) need no gate: the pipeline verifies between its own stages")
    }

    public static let code = QuickupError.Code(rawValue: "gate_unavailable")
}
