@testable import CRMDedupe

extension PairScorer {
    /// A scorer for asking the shape rules (`twoPeople`, `householdShape`) about `d`'s rows: every level weighs
    /// nothing, u is one half, and the match, review and sole weights are 10, 5 and 8.
    static func forShapes(_ d: FuzzyDeduplicator, settings: DedupeSettings = DedupeSettings()) -> PairScorer {
        PairScorer(
            model: PairWeights(
                rows: d, weights: FuzzyDeduplicator.levels.map { [Double](repeating: 0, count: $0) }, codes: [Int](),
                u: FuzzyDeduplicator.levels.map { [Double](repeating: 0.5, count: $0) }),
            settings: settings, matchWeight: 10, reviewWeight: 5, soleWeight: 8)
    }
}
