/// Each cluster's strongest link to another cluster and its strongest link to any third one, to tell a pair that
/// stands alone between its two clusters: each cluster's strongest link to another is to the other, and neither has a
/// link to a third even as likely as not. A duplicate has one original, so such a pair needs less evidence than one of
/// several candidates (the one-to-one reading of record linkage; `DedupeSettings.soleMatchProbability`). Clusters are
/// named by their roots; a row of its own is a cluster of one.
struct ClusterLinks {
    private var best: [Int32: (weight: Double, other: Int32)] = [:]
    private var second: [Int32: Double] = [:]

    /// Counts a link of weight `w` between the clusters `a` and `b` (nothing when they are one cluster).
    mutating func note(_ a: Int32, _ b: Int32, _ w: Double) {
        guard a != b else { return }
        add(a, b, w)
        add(b, a, w)
    }

    private mutating func add(_ c: Int32, _ other: Int32, _ w: Double) {
        guard let top = best[c] else {
            best[c] = (w, other)
            return
        }
        if top.other == other {
            if w > top.weight { best[c] = (w, other) }
        } else if w > top.weight {
            second[c] = max(second[c] ?? -.infinity, top.weight)
            best[c] = (w, other)
        } else {
            second[c] = max(second[c] ?? -.infinity, w)
        }
    }

    /// Whether the link of weight `w` between clusters `a` and `b` stands alone: it is the strongest link of both
    /// (a tie with a link to a third cluster is not alone), and neither has a link to a third cluster at or above
    /// `unsure` (the review weight).
    func standAlone(_ a: Int32, _ b: Int32, _ w: Double, unsure: Double) -> Bool {
        guard let x = best[a], let y = best[b] else { return false }
        return x.other == b && y.other == a && x.weight == w && y.weight == w && (second[a] ?? -.infinity) < unsure
            && (second[b] ?? -.infinity) < unsure
    }
}
