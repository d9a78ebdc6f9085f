import CRMDedupe
import CRMImport
import CRMTestSupport
import Foundation
import Testing

/// The fuzzy matcher scored on scripts/bench/fourth/gen.py: a generator written by a helper who had seen neither the
/// repository's other generators nor the matcher (households, namesakes in one suburb, a small name list), scored by
/// its own scorer.
@Suite("Fuzzy matching on a fourth, independent generator with namesakes", .serialized)
struct FourthGeneratorTests {
    @Test("namesakes in one suburb do not pass for a match whose street was replaced: precision ≥ 0.98 (0.85 before)")
    func namesakesStayApart() throws {
        let py = try #require(TestSupport.python, "python3 is needed to generate the list")
        let dir = try TestSupport.temporaryDirectory("crmgate-fourth")
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = { (n: String) in dir.appendingPathComponent(n).path }
        let root = TestSupport.repoRoot.path
        // 2,500 people and 1,500 duplicates (up to three each, one to four error classes), 10% in households, 5% with
        // a namesake in their suburb. Before the namesakes' cap: precision 0.8529, recall 0.8672 on this file.
        let g = try TestSupport.run(
            py,
            [
                "\(root)/scripts/bench/fourth/gen.py", f("people.csv"), "--seed", "304", "--originals", "2500",
                "--dups", "1500", "--max-dups", "3", "--min-err", "1", "--max-err", "4", "--households", "0.10",
                "--namesakes", "0.05",
            ])
        try #require(g.status == 0, "gen.py: \(g.stderr)")
        let o = DedupeFileOptions(
            source: f("people.csv"), mapping: "\(root)/scripts/bench/third/names.yaml", clustersPath: f("clusters.csv"))
        let summary = try DedupeFile.run(o)
        #expect(summary.rejected == 0)
        let s = try TestSupport.run(py, ["\(root)/scripts/bench/fourth/score.py", f("people.csv"), f("clusters.csv")])
        try #require(s.status == 0, "score.py: \(s.stderr)")
        // "precision 0.9916 recall 0.8651 F1 0.9240"
        let words = s.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
        func figure(_ name: String) -> Double? { words.firstIndex(of: name).flatMap { Double(words[$0 + 1]) } }
        let precision = try #require(figure("precision"), "\(s.stdout)")
        let recall = try #require(figure("recall"), "\(s.stdout)")
        #expect(precision >= 0.98, "precision \(precision)")
        // 0.8593 (precision 0.9963) until relatives whose last names agree only loosely were kept apart with the file's
        // households (2026-12-07): 0.8467 (precision 0.9975).
        #expect(recall >= 0.84, "recall \(recall)")
        #expect(summary.result.reviewReasons.contains(.namesakes), "no pair held back as namesakes")
    }
}
