import CRMTestSupport
import CRMXML
import Foundation
import Testing

/// Every record of an XML document (and the fault that ended it, if any).
func readXML(_ bytes: [UInt8], chunk: Int, recordPath: String, fields: [String], namespaces: [String: String] = [:], batch: Int = 4096)
    throws -> (records: [[String]], lines: [Int], fault: XMLError?)
{
    var o = XMLReadOptions(recordPath: recordPath, fields: fields)
    o.namespaces = namespaces
    o.batchSize = batch
    let r = try XMLRecordReader(bytes: bytes, chunk: chunk, options: o)
    var records: [[String]] = [], lines: [Int] = [], fault: XMLError?
    while let b = r.nextBatch() {
        for i in 0..<b.count {
            records.append(b.fields(i))
            lines.append(b.lines[i])
        }
        if let f = b.fault { fault = f }
    }
    return (records, lines, fault)
}

let leadFields = ["@id", "first_name", "last_name", "email", "phone", "city", "notes"]

@Suite("XMLRecordReader")
struct XMLReaderTests {
    @Test("records do not depend on how the bytes arrive", arguments: [1, 3, 64, 65536])
    func chunkInvariance(chunk: Int) throws {
        let bytes = try TestSupport.bytes("xml/generic-leads.xml")
        let whole = try readXML(bytes, chunk: 1 << 20, recordPath: "/leads/lead", fields: leadFields)
        let parts = try readXML(bytes, chunk: chunk, recordPath: "/leads/lead", fields: leadFields, batch: 7)
        #expect(whole.records.count == 40)
        #expect(parts.records == whole.records)
        #expect(parts.lines == whole.lines)
        #expect(whole.fault == nil)
    }

    @Test("the XML export of a lead list reads like its CSV twin (same generator, same seed)")
    func sameAsCSV() throws {
        let xml = try readXML(
            try TestSupport.bytes("xml/generic-leads.xml"), chunk: 4096, recordPath: "/leads/lead",
            fields: ["first_name", "last_name", "email", "notes"])
        let csv = String(decoding: try TestSupport.bytes("csv/generic-leads.csv"), as: UTF8.self)
        #expect(xml.records.count == 40)
        // Spot-check: every XML email appears in the CSV; notes with "<draft>" survive entity decoding.
        for r in xml.records where !r[2].isEmpty { #expect(csv.contains(r[2].trimmingCharacters(in: .whitespaces))) }
        #expect(xml.records.contains { $0[3].contains("<draft>") } == csv.contains("<draft>"))
    }

    @Test("attributes, nested paths, picks by attribute, by position and all; CDATA and entities")
    func paths() throws {
        let r = try readXML(
            try TestSupport.bytes("xml/salesforce-leads.xml"), chunk: 5, recordPath: "//Lead",
            fields: ["@Id", "Address/City", "Phone[@type='mobile']", "Phone", "Phone[2]", "Tags/Tag[*]", "Description", "Company", "LastName"])
        #expect(r.records.count == 3)
        let zoe = r.records[0]
        #expect(zoe[0] == "00Q5e000001AbCdEAA")
        #expect(zoe[1] == "Zürich")
        #expect(zoe[2] == "079 123 45 67")
        #expect(zoe[3] == "+41 44 620 37 70")
        #expect(zoe[4] == "079 123 45 67")
        #expect(zoe[5] == "vip; dach")
        #expect(zoe[6] == "Met at <booth #42> & wants a demo; \"premium\" tier.")
        #expect(zoe[7] == "Keller & Partner GmbH")
        #expect(r.records[1][8] == "O'Connor")
        #expect(r.records[1][6] == "Asked for pricing \u{2014} enterprise plan")
        #expect(r.records[2][1] == "東京")
        #expect(r.lines == [4, 24, 42])
    }

    @Test("namespaces: a bound prefix matches its URI only; records found anywhere")
    func namespaces() throws {
        let r = try readXML(
            try TestSupport.bytes("xml/soap-contacts.xml"), chunk: 64, recordPath: "//records",
            fields: ["sf:FirstName", "sf:Phone", "sf:Account/sf:Name", "FirstName"],
            namespaces: ["sf": "urn:sobject.enterprise.soap.sforce.com"])
        #expect(r.records.map { $0[0] } == ["Élodie", "Lars"])
        #expect(r.records[0][1] == "+33 1 42 68 53 00")
        #expect(r.records[0][2] == "Château Lumière SARL")
        #expect(r.records[0][3] == "Élodie")  // an unprefixed step matches the local name in any namespace
        #expect(throws: XMLError.self) {
            _ = try readXML([], chunk: 1, recordPath: "//x:records", fields: [])
        }
    }

    @Test("the encoding the prolog declares is honoured", arguments: [("xml/latin1-declared.xml", "José", "Köln"), ("xml/utf16.xml", "Zoë", "😀")])
    func encodings(file: String, first: String, city: String) throws {
        let r = try readXML(try TestSupport.bytes(file), chunk: 3, recordPath: "/leads/lead", fields: ["first_name", "city"])
        #expect(r.fault == nil)
        #expect(r.records == [[first, city]])
    }

    @Test("DTDs are refused before any entity is expanded or fetched", arguments: ["billion-laughs", "quadratic-blowup", "external-dtd"])
    func dtdRefused(name: String) throws {
        let started = Date()
        let r = try readXML(try TestSupport.bytes("xml/bad/\(name).xml"), chunk: 4096, recordPath: "/leads/lead", fields: leadFields)
        #expect(r.records.isEmpty)
        let fault = try #require(r.fault)
        // Refused at the DOCTYPE, or earlier by libxml2's own entity checks: either way nothing is expanded.
        #expect(fault.code == .doctypeRefused || fault.message.localizedCaseInsensitiveContains("entity"))
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test(
        "malformed XML: the fault names line and column; records before it are delivered first",
        arguments: [("unclosed-tag", 2, 5), ("bad-byte-for-encoding", 1, 4), ("truncated", 0, 0)])
    func malformed(name: String, recordsBefore: Int, line: Int) throws {
        let r = try readXML(try TestSupport.bytes("xml/bad/\(name).xml"), chunk: 64, recordPath: "/leads/lead", fields: leadFields)
        // libxml2 parses ahead: records just before the fault may be held back (the import re-reads them).
        #expect(r.records.count <= recordsBefore)
        let f = try #require(r.fault)
        #expect(f.code == .malformed)
        #expect(f.line != nil)
        if line > 0 { #expect(f.line == line) }
        #expect(!f.message.isEmpty)
    }

    /// Found by fuzzing (the last argument): read in one piece, a document with bytes invalid in its encoding ended
    /// without an error, its later records lost in silence.
    @Test("a malformed document faults however its bytes arrive, in one piece too",
          arguments: ["xml/bad/unclosed-tag.xml", "xml/bad/bad-byte-for-encoding.xml", "xml/bad/truncated.xml",
                      "fuzz/xml/crash-c4327cf75ccb9384cb3de05b52b63243335db2c0"])
    func malformedAnyChunking(fixture: String) throws {
        let bytes = try TestSupport.bytes(fixture)
        for chunk in [1 << 20, 64, 4] {
            let r = try readXML(bytes, chunk: chunk, recordPath: "/leads/lead", fields: leadFields)
            #expect(r.fault?.code == .malformed, "chunks of \(chunk): \(String(describing: r.fault)) \(r.records)")
        }
    }

    @Test("a UTF-16 document with an odd number of bytes is truncated: a fault, however its bytes arrive")
    func truncatedUTF16() throws {
        let le = try TestSupport.bytes("xml/utf16.xml")
        try #require(Array(le.prefix(2)) == [0xFF, 0xFE] && le.count % 2 == 0)
        var be = le
        for i in stride(from: 0, to: be.count - 1, by: 2) { be.swapAt(i, i + 1) }
        let noBOM = Array(le.dropFirst(2))  // starts 3C 00 3F 00: `<?xml` in UTF-16LE
        let message = "the document ends in the middle of a UTF-16 character: the file is truncated"
        for chunk in [1 << 20, 64, 3] {
            for (name, whole) in [("UTF-16LE", le), ("UTF-16BE", be), ("UTF-16LE without a BOM", noBOM)] {
                let full = try readXML(whole, chunk: chunk, recordPath: "/leads/lead", fields: ["first_name", "city"])
                #expect(full.fault == nil && full.records == [["Zoë", "😀"]], "\(name), chunks of \(chunk)")
                // Cut in the last character (the line break after the root element): libxml2 alone says nothing.
                let cut = try readXML(
                    Array(whole.dropLast()), chunk: chunk, recordPath: "/leads/lead", fields: ["first_name"])
                let fault = try #require(cut.fault, "\(name), chunks of \(chunk): no fault")
                #expect(fault.code == .malformed)
                #expect(fault.message == message, "\(name), chunks of \(chunk): \(fault)")
            }
        }
    }

    @Test("an empty root element is a document without records, not a fault")
    func emptyRoot() throws {
        for doc in ["<leads/>", "<?xml version=\"1.0\"?>\n<leads></leads>\n<!-- end -->\n"] {
            let r = try readXML(Array(doc.utf8), chunk: 3, recordPath: "/leads/lead", fields: leadFields)
            #expect(r.records.isEmpty && r.fault == nil, "\(doc): \(String(describing: r.fault))")
        }
    }

    @Test("bad paths are refused with a reason", arguments: ["a//b", "a[0]", "a[@x]", "@", "", "a/@"])
    func badPaths(path: String) {
        #expect(throws: XMLError.self) { _ = try XMLPath(path) }
    }
}
