import CRMModel
import CRMStore
import CRMTestSupport
import Foundation
import Testing

/// `crmgate serve` in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`) driven by Selenium
/// from a venv the test makes (`Tests/Browser/e2e.py`). Screenshots of every page go to `.build/test-output/browser/`.
@Suite("crmgate serve in headless Chromium", .serialized)
struct BrowserTests {
    @Test(
        "sign in, accept a review pair, resolve a conflict field by field, move a card, bulk-reschedule without and with the permission"
    )
    func endToEnd() throws {
        let bin = try #require(TestSupport.crmgateBinary, "the crmgate binary is built by `swift build`")
        for p in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
            try #require(
                FileManager.default.isExecutableFile(atPath: p),
                "\(p) is missing: scripts/install-deps.sh installs chromium and chromium-driver")
        }
        let venv = TestSupport.pythonWith(["selenium"])
        let python = try #require(venv.python, "no Python with selenium: \(venv.problem ?? "")")
        let f = try WebFixture()
        let leadsBefore = try f.store.count(.lead)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: bin)
        server.arguments = [
            "serve", "--store", f.storePath, "--port", "0", "--users", TestSupport.mapping("users.yaml"), "--pipelines",
            TestSupport.mapping("pipelines.yaml"),
        ]
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        server.standardInput = FileHandle.nullDevice
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        var line = ""
        while !line.hasSuffix("\n") {
            let d = out.fileHandleForReading.readData(ofLength: 1)
            if d.isEmpty { break }
            line += String(decoding: d, as: UTF8.self)
        }
        let url = line.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(
            url.hasPrefix("http://127.0.0.1:") && url.contains("/signin?token="), "serve's first line: \(line)")
        let shots = TestSupport.repoRoot.appendingPathComponent(".build/test-output/browser").path
        let mine = f.tasks.filter { $0.assignee == "Pablo Ruiz" }
        let r = try TestSupport.run(
            python,
            [
                TestSupport.repoRoot.appendingPathComponent("Tests/Browser/e2e.py").path, url, shots, String(f.pairID),
                String(f.conflictID),
                f.opportunities[0].id.description, mine.map(\.id.description).joined(separator: ","),
            ])
        #expect(r.status == 0, "e2e.py: \(r.stdout)\n\(r.stderr.suffix(3000))")
        #expect(r.stdout.contains("\"ok\": true"))
        // The store after each step, read independently of the page.
        #expect(try f.store.reviewPairs().isEmpty)
        #expect(try f.store.count(.lead) == leadsBefore - 1)  // the pair's two leads are one now
        #expect(try f.store.conflicts().isEmpty)
        let lead = try f.store.record(Lead.self, id: f.leads[2].id.description)
        #expect(lead.company == "Remote Co" && lead.phone == "+2")
        #expect(try f.store.record(Opportunity.self, id: f.opportunities[0].id.description).stage == "Won")
        for t in mine {
            #expect(try f.store.record(CRMTask.self, id: t.id.description).due == t.due.map { $0 + 2 * 86400 })
        }
        let pngs = (try? FileManager.default.contentsOfDirectory(atPath: shots))?.filter { $0.hasSuffix(".png") } ?? []
        #expect(pngs.count >= 10, "screenshots: \(pngs)")
    }
}
