import Foundation
import QuickupBundle
import QuickupCore

/// `quickup bundle` and `GET /v1/runs/{id}/bundle` write the same zip (L1, H2): logs, journal
/// extract, plan, reports, doctor, version and env.yaml with its secrets redacted.
public enum BundleOperation {
    public static func write(state: String, run: String, env: String?, to output: String) throws(QuickupError) -> SupportBundle.Result {
        let request = SupportBundleRequest(stateDirectory: state, run: run, environmentFile: env, doctor: DoctorReport.make().render())
        return try SupportBundle(request).write(to: output)
    }
}
