import Testing

@testable import CRMExport

/// The sink's in-place writers against the standard library's formatting.
@Suite("ByteSink's numbers and short writes")
struct ByteSinkTests {
    @Test("writeDecimal writes what String(_:) does, zero-padded to the width; a negative number as 0")
    func decimals() {
        var values = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 25569, 45_447, 9_999_999_999, Int.max]
        var state: UInt64 = 42
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            values.append(Int(state >> (1 + state % 63)))
        }
        for v in values {
            for width in [0, 1, 3, 10, 20] {
                let s = ByteSink()
                s.writeDecimal(v, width: width)
                let plain = String(v)
                let want = String(repeating: "0", count: max(0, width - plain.count)) + plain
                #expect(s.bytes == Array(want.utf8), "\(v) width \(width)")
            }
        }
        let s = ByteSink()
        s.writeDecimal(-5)
        #expect(s.bytes == Array("0".utf8))
    }

    @Test("a shared string's index is written as its decimal digits, for indexes of one to five digits")
    func sharedIndexes() {
        var strings = SharedStrings()
        let s = ByteSink()
        var want: [UInt8] = []
        for i in 0..<12_000 {
            let text = Array("text \(i)".utf8)
            let (k, found) = text.withUnsafeBufferPointer { strings.index(of: $0)! }
            #expect(k == i && !found)
            let d = strings.decimal(k)
            s.write(word: d.word, d.count)
            s.write(static: ",")
            want += Array("\(i),".utf8)
        }
        #expect(s.bytes == want)
        #expect(SharedStrings.packed(65_535).count == 5 && SharedStrings.packed(0).count == 1)
    }

    @Test("writes of every length from 0 to 40 bytes, one after another, keep every byte")
    func shortWrites() {
        let s = ByteSink()
        var want: [UInt8] = []
        for n in 0...40 {
            let piece = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ n) }
            piece.withUnsafeBufferPointer { s.write(bytes: $0) }
            want += piece
        }
        #expect(s.bytes == want)
    }
}
