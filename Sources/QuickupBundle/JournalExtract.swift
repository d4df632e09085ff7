import Foundation
import QuickupCore
import QuickupRun

/// The journal's record of one run as JSON files (L1): the run row, every task attempt, every
/// event, and the plan snapshot the run stored when it started.
enum JournalExtract {
    static func selectRun(_ selector: String, in journal: Journal, state: String) throws(QuickupError) -> RunRecord {
        let found = selector == "latest" ? try journal.runs(limit: 1).first : try journal.run(selector)
        guard let found else {
            throw QuickupError(.invalidArgument, selector == "latest" ? "no run recorded in \(state) yet" : "no run '\(selector)' in \(state)",
                               hint: "`quickup history --state \(state)` lists the runs")
        }
        return found
    }

    static func documents(_ run: RunRecord, journal: Journal) throws(QuickupError) -> [BundleDocument] {
        var row = run
        row.planJSON = nil
        var documents = [
            BundleDocument(path: "journal/run.json", data: try encode(row), about: "the journal's row for the run: status, versions, site, host, times, message"),
            BundleDocument(path: "journal/attempts.json", data: try encode(journal.attempts(run: run.id)),
                           about: "every task attempt of the run: status, checksum, duration, error"),
            BundleDocument(path: "journal/events.json", data: try encode(journal.events(run: run.id)),
                           about: "the run's events: warnings, retries, timeouts, corrections"),
        ]
        if let plan = run.planJSON {
            documents.append(BundleDocument(path: "plan.json", text: plan, about: "the plan the run executed, as stored when it started"))
        }
        return documents
    }

    static func encode<T: Encodable>(_ value: T) throws(QuickupError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(value) + Data("\n".utf8) } catch {
            throw QuickupError(.io, "cannot encode the journal extract: \(error)")
        }
    }
}
