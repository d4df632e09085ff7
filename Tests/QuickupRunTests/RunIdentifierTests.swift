import Foundation
import Testing
@testable import QuickupRun

@Suite("Run ids")
struct RunIdentifierTests {
    @Test("yyyyMMdd-HHmmss in UTC and four hex digits, as a DateFormatter in UTC gives them, for times across years and days")
    func format() throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        for seconds in [0.0, 951_782_400.5, 1_764_700_000.999, 1_796_306_634, 4_102_444_799] {
            let date = Date(timeIntervalSince1970: seconds)
            let id = RunIdentifier.make(now: date)
            #expect(id.dropLast(5) == formatter.string(from: date)[...], "\(id)")
            let suffix = id.suffix(5)
            #expect(suffix.first == "-" && suffix.dropFirst().allSatisfy(\.isHexDigit), "\(id)")
        }
    }
}
