import CRMCSV
import Foundation
import Testing

@Suite("Text encodings: detection and transcoding to UTF-8")
struct EncodingTests {
    @Test("a BOM decides the encoding")
    func boms() {
        #expect(
            TextEncoding.detect([0xEF, 0xBB, 0xBF, 0x61], isWholeFile: true) == .init(encoding: .utf8, bomLength: 3))
        #expect(
            TextEncoding.detect([0xFF, 0xFE, 0x61, 0], isWholeFile: true) == .init(encoding: .utf16LE, bomLength: 2))
        #expect(
            TextEncoding.detect([0xFE, 0xFF, 0, 0x61], isWholeFile: true) == .init(encoding: .utf16BE, bomLength: 2))
    }

    @Test("valid UTF-8 is UTF-8; other high bytes are Windows-1252; NULs mean binary")
    func fallbacks() {
        #expect(TextEncoding.detect(Array("Zoë".utf8), isWholeFile: true)?.encoding == .utf8)
        #expect(TextEncoding.detect([0x5A, 0x6F, 0xEB], isWholeFile: true)?.encoding == .windows1252)
        // UTF-8 with one stray byte stays UTF-8 (its row is rejected with the reason, not every row misread).
        let stray = Array("Zoë Müller, fine €, Straße\n".utf8) + [0x92] + Array(" ok\n".utf8)
        #expect(TextEncoding.detect(stray, isWholeFile: true)?.encoding == .utf8)
        // Windows-1252 text with many accents and one pair that happens to be valid UTF-8 stays Windows-1252.
        let latin =
            Array("Caf".utf8) + [
                0xE9, 0x2C, 0x20, 0x53, 0x74, 0x72, 0x61, 0xDF, 0x65, 0x2C, 0xC3, 0xA9, 0x20, 0xFC, 0x62,
            ]
        #expect(TextEncoding.detect(latin, isWholeFile: true)?.encoding == .windows1252)
        #expect(TextEncoding.detect([0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0x0D, 0x49], isWholeFile: true) == nil)
        // A multi-byte sequence cut by the end of the sample is not evidence against UTF-8.
        #expect(TextEncoding.detect([0x61, 0xC3], isWholeFile: false)?.encoding == .utf8)
    }

    @Test("UTF-16 without a BOM is recognised by its NUL pattern")
    func utf16NoBOM() {
        let le = Array("a,b\r\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(TextEncoding.detect(le, isWholeFile: true)?.encoding == .utf16LE)
    }

    @Test("UTF-16 surrogate pairs survive any split", arguments: [1, 2, 3, 5])
    func surrogates(chunk: Int) {
        let text = "😀é,x"
        let le = Array(text.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        var t = UTF8Transcoder(.utf16LE)
        var out: [UInt8] = []
        var i = 0
        while i < le.count {
            let piece = Array(le[i..<min(i + chunk, le.count)])
            piece.withUnsafeBytes { t.transcode($0, into: &out) }
            i += chunk
        }
        t.finish(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == text)
    }

    @Test("Windows-1252 maps 0x80–0x9F to their characters; Latin-1 to C1 controls")
    func singleByte() {
        var t = UTF8Transcoder(.windows1252)
        var out: [UInt8] = []
        [UInt8]([0x80, 0x93, 0x94, 0xE4, 0xDF]).withUnsafeBytes { t.transcode($0, into: &out) }
        #expect(String(decoding: out, as: UTF8.self) == "€“”äß")
        var l = UTF8Transcoder(.latin1)
        var out2: [UInt8] = []
        [UInt8]([0xE9, 0xFC]).withUnsafeBytes { l.transcode($0, into: &out2) }
        #expect(String(decoding: out2, as: UTF8.self) == "éü")
    }

    @Test("all 256 bytes of Latin-1 and Windows-1252 decode as Foundation decodes them")
    func everySingleByte() {
        let all = [UInt8](0...255)
        for (encoding, foundation) in [
            (TextEncoding.latin1, String.Encoding.isoLatin1), (.windows1252, .windowsCP1252),
        ] {
            var t = UTF8Transcoder(encoding)
            var out: [UInt8] = []
            all.withUnsafeBytes { t.transcode($0, into: &out) }
            let scalars = Array(String(decoding: out, as: UTF8.self).unicodeScalars)
            #expect(scalars.count == 256)
            for b in all {
                // The five bytes Windows-1252 leaves undefined are their C1 code points here (as in Python, WHATWG).
                if encoding == .windows1252, [0x81, 0x8D, 0x8F, 0x90, 0x9D].contains(b) {
                    #expect(scalars[Int(b)].value == UInt32(b))
                    continue
                }
                #expect(String(scalars[Int(b)]) == String(bytes: [b], encoding: foundation), "byte \(b) in \(encoding)")
            }
        }
    }

    @Test(
        "encoding names users write",
        arguments: [
            ("UTF8", TextEncoding.utf8), ("cp1252", .windows1252), ("ISO-8859-1", .latin1), ("utf-16le", .utf16LE),
        ])
    func names(name: String, expected: TextEncoding) {
        #expect(TextEncoding(name: name) == expected)
    }
}

@Suite("Delimiter sniffing")
struct SniffTests {
    @Test("the delimiter with a steady count per line wins", arguments: [",", ";", "\t", "|"])
    func sniff(d: String) {
        let text = "First\(d)Last\(d)Note\nAnn\(d)Lee\(d)\"a, b; c | d\"\nBo\(d)Wu\(d)x\n"
        #expect(CSVDialect.sniff(Array(text.utf8)) == d.utf8.first!)
    }

    @Test("commas inside a semicolon file do not fool it")
    func europeanAmounts() {
        let text = "Name;Betrag;Ort\nA;1.234,56;Köln\nB;850,00;Bonn\nC;12,5;Berlin\n"
        #expect(CSVDialect.sniff(Array(text.utf8)) == UInt8(ascii: ";"))
    }
}
