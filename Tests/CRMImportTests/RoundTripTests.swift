import CRMCSV
import CRMMapping
import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import Testing

/// An export edited in a spreadsheet and imported back: a trial exported its leads, drafted a mapping with `mapping
/// suggest` and imported the file into the same store, which created a second copy of every lead without an e-mail
/// (nothing else matched them).
@Suite("Export, edit, import back: the id column updates the records it names")
struct RoundTripTests {
    func crmgate(_ args: [String], _ w: Workspace?) throws -> (status: Int32, stdout: String, stderr: String) {
        try CLIOutputTests().crmgate(args, w)
    }

    @Test(
        "an export imported back with the drafted mapping creates nothing and updates what was edited; a bad id is refused, an unknown one creates",
        arguments: StoreKind.allCases)
    func exportEditImport(kind: StoreKind) throws {
        let w = try Workspace(kind: kind)
        _ = try w.importFile("csv/generic-leads.csv", mapping: "sources/generic-leads.yaml")
        let before = try w.open().all(Lead.self)
        // A lead whose e-mail the spreadsheet changes: only its id can find it (as for a lead without one).
        let noEmail = try #require(before.first { !$0.email.isEmpty && $0.status != "Converted" })
        let file = w.dir.appendingPathComponent("leads.csv").path
        let export = try crmgate(["export", "leads", "--out", file], w)
        try #require(export.status == 0, "\(export.stderr)")
        let suggest = try crmgate(["mapping", "suggest", file], nil)
        try #require(suggest.status == 0, "\(suggest.stderr)")
        #expect(suggest.stdout.contains("\nid: id"), "\(suggest.stdout)")
        let mapping = w.dir.appendingPathComponent("leads.yaml").path
        try suggest.stdout.write(toFile: mapping, atomically: true, encoding: .utf8)

        // Edit one lead without an e-mail, and add a row with an id the store does not hold and one with no id.
        let reader = try CSVReader(path: file)
        var rows: [[String]] = [reader.header]
        while let b = try reader.nextBatch() {
            for r in 0..<b.count { rows.append((0..<b.fieldCount(r)).map { b.string(r, $0) }) }
        }
        let idAt = try #require(reader.header.firstIndex(of: "id"))
        let companyAt = try #require(reader.header.firstIndex(of: "company"))
        let emailAt = try #require(reader.header.firstIndex(of: "email"))
        let edited = try #require(rows.firstIndex { $0[idAt] == noEmail.id.description })
        rows[edited][companyAt] = "Renamed Ltd"
        rows[edited][emailAt] = "renamed@example.com"
        var unknown = rows[edited]
        unknown[idAt] = RecordID.make().description
        unknown[companyAt] = "Unknown Id Co"
        unknown[emailAt] = "unknown-id@example.com"
        var malformed = rows[edited]
        malformed[idAt] = "not-an-id"
        malformed[emailAt] = "malformed@example.com"
        rows += [unknown, malformed]
        let csv =
            rows.map { $0.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") }
            .joined(separator: "\r\n") + "\r\n"
        try csv.write(toFile: file, atomically: true, encoding: .utf8)

        let back = try crmgate(["import", file, "--mapping", mapping, "--json", "--rejects", w.rejects], w)
        #expect(back.status == 0, "\(back.stdout) \(back.stderr)")
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(back.stdout.utf8)) as? [String: Any], "\(back.stdout)")
        // Every other row comes back unchanged: the drafted mapping reads the export as it was written.
        #expect(summary["created"] as? Int == 1 && summary["updated"] as? Int == 1, "\(summary)")
        #expect(summary["rejected"] as? Int == 1 && summary["unchanged"] as? Int == before.count - 1, "\(summary)")
        let after = try w.open().all(Lead.self)
        #expect(after.count == before.count + 1, "only the unknown id's row is new: \(back.stdout)")
        let renamed = try w.open().record(Lead.self, id: noEmail.id.description)
        #expect(renamed.company == "Renamed Ltd" && renamed.email == "renamed@example.com")
        let created = try #require(after.first { $0.company == "Unknown Id Co" })
        #expect(created.id != noEmail.id)
        let rejects = try w.rejectRows()
        #expect(rejects.count == 2 && rejects[1].joined().contains("not a crmgate record id"), "\(rejects)")
    }

    /// A trial edited a note in an export and imported it back: the note was appended to itself (`old\nold (edited)`).
    @Test("a row that names its record by id replaces its notes and tags, as edited", arguments: StoreKind.allCases)
    func editedNotesReplace(kind: StoreKind) throws {
        let w = try Workspace(kind: kind)
        _ = try w.importFile("csv/generic-leads.csv", mapping: "sources/generic-leads.yaml")
        let lead = try #require(try w.open().all(Lead.self).first { $0.status != "Converted" })
        let set = try crmgate(["leads", "set", lead.id.short, "notes=called on Monday", "tags=vip;eu"], w)
        try #require(set.status == 0, "\(set.stderr)")
        let file = w.dir.appendingPathComponent("notes.csv").path
        let export = try crmgate(
            [
                "export", "leads", "--columns", "id,first_name,last_name,notes,tags", "--out", file, "--where",
                "id=\(lead.id.description)",
            ], w)
        try #require(export.status == 0, "\(export.stderr)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try #require(text.contains("called on Monday"), "\(text)")
        try text.replacingOccurrences(of: "called on Monday", with: "called on Monday (edited)")
            .replacingOccurrences(of: "vip; eu", with: "eu").replacingOccurrences(of: "vip;eu", with: "eu")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let mapping = w.dir.appendingPathComponent("notes.yaml").path
        try crmgate(["mapping", "suggest", file], nil).stdout.write(toFile: mapping, atomically: true, encoding: .utf8)
        let back = try crmgate(["import", file, "--mapping", mapping, "--rejects", w.rejects], w)
        #expect(back.status == 0, "\(back.stdout) \(back.stderr)")
        let after = try w.open().record(Lead.self, id: lead.id.description)
        #expect(after.notes == "called on Monday (edited)")
        #expect(after.tags == ["eu"])
    }

    @Test("a mapping's id: is checked like its other keys, and match: may name id")
    func mappingKey() throws {
        let yaml = """
            record: lead
            id: Id
            match: [email]
            fields:
              email: Email
            """
        let m = try MappingFile.parse(yaml: yaml)
        #expect(m.recordID == "Id" && m.matchKeys == ["id", "email"])
        let placed = try MappingFile.parse(yaml: yaml.replacingOccurrences(of: "[email]", with: "[email, id]"))
        #expect(placed.matchKeys == ["email", "id"])
        #expect(try MappingFile.parse(yaml: "record: lead\nmatch: [id]\nfields:\n  email: Email\n").matchKeys == ["id"])
    }
}
