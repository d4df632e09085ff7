import Testing
@testable import QuickupCore

@Suite("Durations, sizes, rates (M2, A4)")
struct UnitsTests {
    @Test("A4: the source's worked example — 100 GB at 50 MB/s × 4 is 8 min 32 s")
    func workedExample() throws {
        let estimate = try #require(DurationEstimator.estimate(volume: Volume.parse("100GB"), rate: Rate.parse("50MB/s"), parallel: 4))
        #expect(estimate.milliseconds == 512_000)
        #expect(estimate.description == "8m32s")
    }

    @Test("A4: rows with a rows rate; mismatched units give no estimate")
    func rows() throws {
        #expect(DurationEstimator.estimate(volume: .rows(20_000_000), rate: Rate.parse("20000rows/s"), parallel: 2)?.seconds == 500)
        #expect(DurationEstimator.estimate(volume: .rows(10), rate: Rate.parse("1MB/s"), parallel: 1) == nil)
        #expect(DurationEstimator.estimate(volume: .query("SELECT 1"), rate: Rate.parse("1MB/s"), parallel: 1) == nil)
    }

    @Test("timeouts parse", arguments: [("90s", 90_000), ("30m", 1_800_000), ("1h30m", 5_400_000), ("500ms", 500), ("2d", 172_800_000), ("45", 45_000)] as [(String, Int64)])
    func timeSpans(text: String, ms: Int64) {
        #expect(TimeSpan.parse(text)?.milliseconds == ms)
    }

    @Test("bad timeouts are rejected", arguments: ["", "m", "10x", "1.5h", "-5s", "10 m s", "s10"])
    func badTimeSpans(text: String) {
        #expect(TimeSpan.parse(text) == nil)
    }

    @Test("sizes are binary", arguments: [("100GB", Int64(100) << 30), ("512MiB", Int64(512) << 20), ("1.5KB", 1536), ("42", 42), ("2 tb", Int64(2) << 40)] as [(String, Int64)])
    func sizes(text: String, bytes: Int64) {
        #expect(ByteSize.parse(text)?.bytes == bytes)
    }

    @Test("bad sizes and rates are rejected")
    func badUnits() {
        #expect(ByteSize.parse("GB") == nil)
        #expect(ByteSize.parse("10XB") == nil)
        #expect(Rate.parse("50MB") == nil)
        #expect(Rate.parse("0MB/s") == nil)
        #expect(Rate.parse("fastrows/s") == nil)
        #expect(Volume.parse("lots") == nil)
    }

    @Test("human forms")
    func descriptions() {
        #expect(TimeSpan(milliseconds: 3_900_000).description == "1h05m")
        #expect(TimeSpan(milliseconds: 450).description == "450ms")
        #expect(ByteSize(bytes: 1536 << 20).description == "1.5 GiB")
        #expect(Rate.parse("50MB/s")?.description == "50 MiB/s")
    }
}
