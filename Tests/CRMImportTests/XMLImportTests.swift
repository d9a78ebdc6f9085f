import CRMImport
import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import GRDB
import Testing

/// A TCP listener on 127.0.0.1 that counts the connections it gets (for "no network" checks).
final class Listener: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var accepted = 0
    var connections: Int {
        lock.lock()
        defer { lock.unlock() }
        return accepted
    }

    init() throws {
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, len) }
        }
        listen(sock, 16)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(sock, $0, &len) }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        fd = sock
        let t = Thread { [self] in
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                lock.lock()
                accepted += 1
                lock.unlock()
                close(c)
            }
        }
        t.start()
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}

@Suite("Importing XML lead lists")
struct XMLImportTests {
    static let bundled = [
        ("xml/generic-leads.xml", "sources/generic-leads-xml.yaml"),
        ("xml/salesforce-leads.xml", "sources/salesforce-leads-xml.yaml"),
        ("xml/soap-contacts.xml", "sources/soap-contacts-xml.yaml"),
    ]

    @Test("every bundled XML mapping imports its fixture; a re-import changes nothing", arguments: bundled)
    func bundledFixtures(file: String, mapping: String) throws {
        let w = try Workspace()
        let s = try w.importFile(file, mapping: mapping)
        #expect(s.addsUp)
        #expect(s.rejected == 0)
        #expect(s.created > 1)
        let again = try w.importFile(file, mapping: mapping)
        #expect(again.created == 0 && again.updated == 0 && again.unchanged == again.read)
    }

    @Test("the XML and the CSV of the same list make the same leads")
    func sameAsCSV() throws {
        let a = try Workspace()
        let b = try Workspace()
        let x = try a.importFile("xml/generic-leads.xml", mapping: "sources/generic-leads-xml.yaml")
        let c = try b.importFile("csv/generic-leads.csv", mapping: "sources/generic-leads.yaml")
        #expect(x.created == c.created && x.merged == c.merged)
        let strip = { (l: Lead) -> [String] in
            [l.firstName, l.lastName, l.email, l.phone, l.company, l.address.city, l.status, l.notes]
        }
        let xs = try CRMStore(path: a.store).all(Lead.self).map(strip).sorted { $0.joined() < $1.joined() }
        let cs = try CRMStore(path: b.store).all(Lead.self).map(strip).sorted { $0.joined() < $1.joined() }
        #expect(xs == cs)
    }

    @Test(
        "hostile documents are refused and leave the store untouched",
        arguments: ["billion-laughs", "quadratic-blowup", "external-dtd"])
    func hostile(name: String) throws {
        let w = try Workspace()
        _ = try w.importFile("csv/generic-leads.csv", mapping: "sources/generic-leads.yaml")
        #expect {
            _ = try w.importFile("xml/bad/\(name).xml", mapping: "sources/generic-leads-xml.yaml")
        } throws: {
            ($0 as? ImportError)?.code == .malformedSource
                && ("\($0)".contains("DOCTYPE") || "\($0)".localizedCaseInsensitiveContains("entity"))
        }
        #expect(try CRMStore(path: w.store).count(.lead) == 36)
    }

    @Test("external entities reading a local file or a URL: refused, nothing fetched, the secret appears nowhere")
    func externalEntities() throws {
        let w = try Workspace()
        let secret = "TOP-SECRET-\(UUID().uuidString)"
        let secretFile = w.dir.appendingPathComponent("secret.txt")
        try secret.write(to: secretFile, atomically: true, encoding: .utf8)
        let listener = try Listener()
        defer { listener.stop() }
        let docs = [
            "file":
                "<?xml version=\"1.0\"?>\n<!DOCTYPE leads [<!ENTITY xxe SYSTEM \"file://\(secretFile.path)\">]>\n<leads><lead id=\"1\"><first_name>&xxe;</first_name><last_name>X</last_name><email>x@example.com</email></lead></leads>\n",
            "url":
                "<?xml version=\"1.0\"?>\n<!DOCTYPE leads [<!ENTITY xxe SYSTEM \"http://127.0.0.1:\(listener.port)/secret\">]>\n<leads><lead id=\"1\"><first_name>&xxe;</first_name><last_name>X</last_name><email>x@example.com</email></lead></leads>\n",
            "dtd":
                "<?xml version=\"1.0\"?>\n<!DOCTYPE leads SYSTEM \"http://127.0.0.1:\(listener.port)/leads.dtd\">\n<leads><lead id=\"1\"><first_name>A</first_name></lead></leads>\n",
            "param":
                "<?xml version=\"1.0\"?>\n<!DOCTYPE leads [<!ENTITY % p SYSTEM \"http://127.0.0.1:\(listener.port)/p.dtd\"> %p;]>\n<leads/>\n",
        ]
        for (name, doc) in docs {
            let path = w.dir.appendingPathComponent("\(name).xml")
            try doc.write(to: path, atomically: true, encoding: .utf8)
            var thrown = ""
            do {
                _ = try w.importFile(path.path, mapping: "sources/generic-leads-xml.yaml") { $0.keepGoing = true }
            } catch {
                thrown = "\(error)"
            }
            #expect(!thrown.contains(secret))
        }
        usleep(200_000)
        #expect(listener.connections == 0)
        #expect(try CRMStore(path: w.store).count(.lead) == 0)
        for f in try FileManager.default.contentsOfDirectory(atPath: w.dir.path) where f != "secret.txt" {
            let data = try Data(contentsOf: w.dir.appendingPathComponent(f))
            #expect(data.range(of: Data(secret.utf8)) == nil, "secret found in \(f)")
        }
    }

    @Test(
        """
        external ids: into an empty store their index (and that of change numbers) is built at the end of the import, \
        and stays after a failed one; \
        a row with an id merged into a stored lead gives it the id and the source system
        """)
    func externalIDs() throws {
        func count(_ w: Workspace, where condition: String) throws -> Int? {
            try DatabaseQueue(path: w.store).read {
                try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM leads WHERE \(condition)")
            }
        }
        let w = try Workspace()
        // A failed first import into an empty store rolls back, the index with it. (Into no store at all it creates
        // none: the store is made first here.)
        _ = try CRMStore(path: w.store)
        #expect(throws: ImportError.self) {
            _ = try w.importFile("xml/bad/unclosed-tag.xml", mapping: "sources/generic-leads-xml.yaml")
        }
        func indexes() throws -> [String] {
            try DatabaseQueue(path: w.store).read {
                try String.fetchAll(
                    $0, sql: "SELECT name FROM sqlite_master WHERE name IN ('leads_ext', 'leads_change') ORDER BY name")
            }
        }
        #expect(try indexes() == ["leads_change", "leads_ext"])
        let s = try w.importFile("xml/generic-leads.xml", mapping: "sources/generic-leads-xml.yaml")
        #expect(s.created == 36 && s.merged == 4)
        let plan = try DatabaseQueue(path: w.store).read {
            try Row.fetchAll(
                $0, sql: "EXPLAIN QUERY PLAN SELECT rowid FROM leads WHERE ext_system = 'generic-xml' AND ext_id = '7'"
            ).map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.joined().contains("leads_ext"), "\(plan)")
        // The index of change numbers is built again too, and has every record.
        #expect(try indexes() == ["leads_change", "leads_ext"])
        let changes = try DatabaseQueue(path: w.store).read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM leads INDEXED BY leads_change WHERE change_seq > 0")
        }
        #expect(changes == 40 - 4)
        #expect(try count(w, where: "ext_id IS NOT NULL") == 36)
        #expect(try count(w, where: "ext_system = 'generic-xml'") == 36)
        // The same leads from the CSV (no ids) first: the XML's rows merge into them and bring their ids.
        let v = try Workspace()
        _ = try v.importFile("csv/generic-leads.csv", mapping: "sources/generic-leads.yaml")
        _ = try v.importFile("xml/generic-leads.xml", mapping: "sources/generic-leads-xml.yaml")
        #expect(try count(v, where: "ext_id IS NOT NULL") == 36)
        #expect(try count(v, where: "ext_system = 'generic-xml'") == 36)
        #expect(try count(v, where: "ext_system IS NOT NULL AND ext_id IS NULL") == 0)
    }

    @Test(
        "malformed XML: nothing is imported by default; --keep-going keeps the records before the fault and reports it")
    func keepGoing() throws {
        let w = try Workspace()
        #expect {
            _ = try w.importFile("xml/bad/unclosed-tag.xml", mapping: "sources/generic-leads-xml.yaml")
        } throws: { ($0 as? ImportError)?.code == .malformedSource && "\($0)".contains("line 5") }
        // The store it would have created is not left behind (a failed import never creates one).
        #expect(!FileManager.default.fileExists(atPath: w.store))
        _ = try CRMStore(path: w.store)  // an empty store: a failed import into it leaves it as it was
        #expect {
            _ = try w.importFile("xml/bad/unclosed-tag.xml", mapping: "sources/generic-leads-xml.yaml")
        } throws: { ($0 as? ImportError)?.code == .malformedSource }
        #expect(try CRMStore(path: w.store).count(.lead) == 0)
        let s = try w.importFile("xml/bad/unclosed-tag.xml", mapping: "sources/generic-leads-xml.yaml") {
            $0.keepGoing = true
        }
        #expect(s.created == 2)
        #expect(s.rejected == 1)
        #expect(s.addsUp)
        let rows = try w.rejectRows()
        #expect(rows.count == 2)
        #expect(rows[1].last?.contains("the rest of the file was not read") == true)
        #expect(rows[1][rows[1].count - 2] == "5")
        // What was read of the record the fault cut (its id, its open first name with the text inside it) is in the
        // row, not lost (a trial's truncated record came out as empty cells).
        #expect(rows[1].contains("3") && rows[1].contains { $0.hasPrefix("Cy") }, "\(rows[1])")
        #expect(rows[1].last?.contains("the record that starts on line 5 holds what was read of it") == true)
    }

    @Test("libxml2 prints nothing behind the program's back; the error is one line")
    func quietErrors() throws {
        let w = try Workspace()
        let bin = try #require(TestSupport.crmgateBinary)
        let r = try TestSupport.run(
            bin,
            [
                "import", TestSupport.fixture("xml/bad/unclosed-tag.xml"), "--mapping",
                TestSupport.mapping("sources/generic-leads-xml.yaml"), "--store", w.store,
            ])
        #expect(r.status == 65)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("line 5"))
    }
}
