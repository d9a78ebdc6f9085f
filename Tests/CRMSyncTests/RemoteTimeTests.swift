import Foundation
import Testing

@testable import CRMSync

/// Remote stamps are read without a formatter when they are RFC 3339; Foundation's formatters are the oracle.
@Suite("Remote time")
struct RemoteTimeTests {
    /// How stamps were read before the fast path: epoch milliseconds, then Foundation's formatters alone.
    static func formatters(_ text: String) -> Date? {
        if let ms = Int64(text), text.count >= 12 { return Date(timeIntervalSince1970: Double(ms) / 1000) }
        return RemoteTime.viaFormatters(text)
    }

    static func agree(_ text: String) -> Bool {
        let (a, b) = (RemoteTime.parse(text), formatters(text))
        guard let a, let b else { return a == nil && b == nil }
        // The formatters keep milliseconds; the fast path microseconds.
        return abs(a.timeIntervalSince1970 - b.timeIntervalSince1970) < 0.001
    }

    @Test("Stamps as remotes write them read as the formatters read them")
    func knownStamps() {
        let texts = [
            "2026-12-06T12:24:32Z", "2026-12-06T12:24:32.123Z", "2026-12-06T12:24:32.1Z", "2026-12-06T12:24:32.123456Z",
            "2026-12-06T12:24:32+02:00", "2026-12-06T12:24:32.5-05:30", "2024-02-29T23:59:59Z", "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999Z", "1900-03-01T00:00:00Z", "2100-02-28T12:00:00Z", "2000-02-29T00:00:00+14:00",
            "2026-12-06T12:24:32", "2026-12-06", "1733480000000",
        ]
        for t in texts { #expect(Self.agree(t), "\(t): \(String(describing: RemoteTime.parse(t)))") }
        #expect(RemoteTime.parse("2026-12-06T12:24:32.250Z")?.timeIntervalSince1970 == 1_796_559_872.25)
    }

    @Test("Texts that are not a valid RFC 3339 stamp are read as the formatters read them (or not at all)")
    func invalid() {
        let texts = [
            "2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z", "2026-12-06T24:00:00Z",
            "2026-12-06T12:60:00Z", "2026-12-06T12:24:32.Z", "2026-12-06T12:24:32Zjunk", "2026-12-06T12:24:32+0200",
            "2026-12-06 12:24:32Z", "２０２６-12-06T12:24:32Z", "2026-12-06T12:24:32.1234567890Z", "", "yesterday",
        ]
        for t in texts { #expect(Self.agree(t), "\(t): \(String(describing: RemoteTime.parse(t)))") }
        #expect(RemoteTime.parse("yesterday") == nil)
    }

    @Test("Random stamps across two centuries, zones and fractions agree with the formatters")
    func randomStamps() {
        var rng = SystemRandomNumberGenerator()
        let zones = ["Z", "+00:00", "+01:00", "-08:00", "+05:45", "-12:00", "+14:00"]
        for _ in 0..<2_000 {
            let seconds = Int.random(in: -2_208_988_800...4_102_444_800, using: &rng)
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
            var text = f.string(from: Date(timeIntervalSince1970: Double(seconds)))
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: break
            case 1: text += "." + String(format: "%03d", Int.random(in: 0..<1000, using: &rng))
            default: text += "." + String(Int.random(in: 0..<10, using: &rng))
            }
            text += zones.randomElement(using: &rng)!
            #expect(Self.agree(text), "\(text)")
        }
    }
}
