import Foundation
import QuickupCore
@testable import QuickupRun
import Testing

/// E10: a run's detail.jsonl line is written by hand (E12: JSONEncoder cost more per task than the
/// rest of the bookkeeping); it must stay byte for byte what JSONEncoder writes, so that readers
/// of older logs and of new ones see the same thing.
struct DetailRecordTests {
    static func encoded(_ record: DetailRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(record), as: UTF8.self)
    }

    static var records: [DetailRecord] {
        var bare = DetailRecord(run: "20261203-081432-5650", event: "run_start", at: 1_764_749_672_000)
        var full = DetailRecord(run: "r/1", event: "task_end", at: -1)
        full.task = "app:V1.0.1:m\"1\""
        full.component = "app/ü"
        full.version = "V1.0.1"
        full.stage = "pre_stop"
        full.kind = "sql"
        full.datasource = "db\\main"
        full.attempt = 2
        full.statements = 0
        full.transactional = false
        full.status = "FAILED"
        full.durationMs = Int64.max
        full.succeeded = 1
        full.skipped = 0
        full.failed = Int.min
        full.message = "line\nbreak\ttab\r\u{0}\u{1F}\u{7F} 😀 </script> \u{2028}"
        full.error = "ERROR 1050 (42S01): Table 'bench_1' already exists"
        full.hint = "run `quickup resume r/1 --confirm-rerun m1`"
        var some = full
        some.transactional = true
        some.error = nil
        some.hint = ""
        bare.message = nil
        return [bare, full, some, DetailRecord(run: "", event: "", at: 0)]
    }

    @Test func linesAreWhatJSONEncoderWrites() throws {
        for record in Self.records {
            #expect(record.jsonLine == (try Self.encoded(record)))
        }
    }
}
