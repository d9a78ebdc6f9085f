import Foundation

/// Unsupervised fuzzy deduplication: normalise, block on several keys, compare pairs field by field, estimate
/// Fellegi-Sunter m/u probabilities by EM on the data itself, score, and cluster with union-find under a guard.
public final class FuzzyDeduplicator {
    public let settings: DedupeSettings

    // Normalised values, interned. Rows keep ids only (struct of arrays).
    let emails = Values(), phones = Values(), firsts = Values(), lasts = Values(), companies = Values()
    let streets = Values(), places = Values(), titles = Values(), exts = Values()
    let dates = Values(), idents = Values()
    /// Middle names (folded; an initial is one letter) and ages or years of birth (their digits).
    let middles = Values(), ages = Values()
    var email: [Int32] = [], phone: [Int32] = [], phone7: [Int64] = []
    /// By row, the phone's extension (`;ext=204`, `x204`) as the number `1` followed by its digits, 0 for none; empty
    /// while no row has one. Two rows with one number and other extensions are two desks at one switchboard.
    var phoneExt: [Int32] = []
    /// By row, the mobile's id in `phones` (0 for none); empty while no row has one (`DedupeRow.mobile`).
    var mobile: [Int32] = []
    var first: [Int32] = [], last: [Int32] = [], lastR: [Int32] = []
    /// A generational suffix written with the last name (`Jones Jr`, `Adams III`), by row: 0 for none, else its
    /// number in `Normalize.generations`. The last name is compared without it; a pair whose suffixes differ is two
    /// people's shape (`PairScorer.twoPeople`).
    var generation: [UInt8] = []
    /// The rows whose e-mail address is a role's or a family's (`Normalize.isRoleAddress`), set aside: `--explain` says
    /// so.
    var roleEmail = Set<Int32>()
    /// First names as they sound (`Normalize.soundFolded`, which folds text-recognition errors too) and last names as
    /// text recognition may have confused them (`Normalize.recognitionFolded`), by row.
    let recognized = Values()
    var firstO: [Int32] = [], lastO: [Int32] = []
    var recognizedFor: (first: [Int32: Int32], last: [Int32: Int32]) = ([:], [:])
    /// The names (FNV-1a of their text) some row has as a first name and another as a last name, set when blocking
    /// starts: what the key "postcode+name across" reads.
    var crossNames: Set<UInt64> = []
    var company: [Int32] = [], street: [Int32] = [], house: [Int32] = []
    var postcode: [Int32] = [], city: [Int32] = [], title: [Int32] = []
    var ext: [Int32] = []
    /// The street without spaces (split and merged words), and as a sorted set of words (lines in either order).
    /// (64-bit hashes, 0 for none: only equality is asked of them.)
    var streetNS: [UInt64] = [], streetTS: [UInt64] = []
    var dob: [Int32] = [], ident: [Int32] = []
    /// Middle names and ages by row (ids of `middles` and `ages`; 0 for none).
    var middleName: [Int32] = [], age: [Int32] = []
    /// The sex of each row as written (`genderCode`; `sexes` reads it): 0 for none, 1 male, 2 female, 3 and 4 the
    /// letters `m` and `h`.
    var gender: [Int32] = []
    /// The number of years each id of `ages` stands for (an age below 1000, a year of birth from it).
    var ageYears: [Int32] = [0]
    /// What the rows' `age` values were read as (`DedupeResult.ageValues`).
    var ageValues = AgeValues()
    /// The `gender` values read as neither male nor female, by value (at most 1,000 values counted; 20 characters).
    var unreadSexes: [String: Int] = [:]
    var unreadSexTotal = 0
    /// Whether each id of `middles` is an initial (one character), and its first character.
    var middleInitial: [Bool] = [false], middleFirst: [UInt32] = [0]
    /// Canonical (formal) first names of each first-name id.
    var firstCanon: [[Int32]] = [[]]
    /// For a first name of five letters or more that is no known name or nickname: the known formal names one edit
    /// from it (`rbert` → `robert`), so that a nickname of a misspelled name is a nickname (`Rob` / `Rbert`).
    var firstNear: [[Int32]] = [[]]
    /// Rows per first-name id, counted when matching begins (a near formal name counts only for a rare spelling).
    var firstCount: [Int32] = []
    /// Rows per last-name id, counted with `firstCount`: whether a name read across is the file's first or last name.
    var lastCount: [Int32] = []
    /// The scripts and Latin forms of the first and last names (`FuzzyDedupe+Scripts.swift`), made when matching
    /// begins.
    var firstScripts = ScriptForms(), lastScripts = ScriptForms()
    var lastRFor: [Int32: Int32] = [:]
    var caches = (
        first: [String: (Int32, UInt8)](), last: [String: (Int32, UInt8)](), company: [String: Int32](),
        street: [String: (Int32, Int32, UInt64, UInt64)](),
        place: [String: Int32](), title: [String: Int32]()
    )

    /// Told each phase of `run` as it begins (for progress on a terminal): blocking, comparing, estimating, clustering.
    public var onPhase: ((String) -> Void)?

    public init(settings: DedupeSettings = DedupeSettings()) { self.settings = settings }

    public var count: Int { email.count }

    /// Adds a row (rows are numbered in the order added).
    public func add(_ r: DedupeRow) {
        // A role address (`info@`) names a firm, not a person: compared, blocked on or forced by it two colleagues
        // were one person.
        let e = Normalize.email(r.email, gmailDots: settings.gmailDots)
        let role = Normalize.isRoleAddress(e)
        email.append(emails.id(role ? "" : e))
        if role { roleEmail.insert(Int32(email.count - 1)) }
        let row = email.count - 1
        let (main, extDigits) = Self.phoneParts(r.phone)
        let own = Self.phoneParts(r.mobile).digits
        // The mobile stands in for a row without a phone (a list whose only number is a mobile).
        let p = main.isEmpty ? own : main
        phone.append(phones.id(p))
        phone7.append(p.count >= 7 ? Int64(p.suffix(7)) ?? -1 : -1)
        if !extDigits.isEmpty, !main.isEmpty, let x = Int32("1" + extDigits) {
            if phoneExt.isEmpty { phoneExt = [Int32](repeating: 0, count: row) }
            phoneExt.append(x)
        } else if !phoneExt.isEmpty {
            phoneExt.append(0)
        }
        if !own.isEmpty {
            if mobile.isEmpty { mobile = [Int32](repeating: 0, count: row) }
            mobile.append(phones.id(own))
        } else if !mobile.isEmpty {
            mobile.append(0)
        }
        let (f, mi) = cached(&caches.first, r.firstName) { raw in
            let (folded, mi) = Normalize.middleInitialSplit(Normalize.fold(raw))
            let id = self.firsts.id(folded)
            if Int(id) == self.firstCanon.count {
                self.firstCanon.append(
                    folded.isEmpty ? [] : Normalize.firstNameCanon(folded).sorted().map { self.firsts.id($0) })
                let near = Normalize.nearFormalNames(folded).map { self.firsts.id($0) }
                while self.firstNear.count < Int(id) { self.firstNear.append([]) }
                self.firstNear.append(near)
                // The names interned above (names of the table: formal names, and the nickname a respelling sounds
                // like) get their own formal names, as a name read from a row does; interning those may add more,
                // which the loop reaches too.
                while self.firstCanon.count < self.firsts.bytes.count {
                    let name = String(decoding: self.firsts.bytes[self.firstCanon.count], as: UTF8.self)
                    self.firstCanon.append(Normalize.firstNameCanon(name).sorted().map { self.firsts.id($0) })
                }
            }
            return (id, mi)
        }
        first.append(f)
        let (l, g) = cached(&caches.last, r.lastName) { raw in
            let (folded, g) = Normalize.generationSplit(Normalize.fold(raw))
            let id = self.lasts.id(folded)
            if self.lastRFor[id] == nil { self.lastRFor[id] = self.lasts.id(Normalize.transliterationReduced(folded)) }
            return (id, g)
        }
        last.append(l)
        generation.append(g)
        lastR.append(lastRFor[l] ?? 0)
        firstO.append(soundID(f))
        lastO.append(recognizedID(l, in: lasts, &recognizedFor.last))
        company.append(cached(&caches.company, r.company) { self.companies.id(Normalize.companyCore($0)) })
        let fullStreet = r.street2.isEmpty ? r.street : r.street + " " + r.street2
        let s: (Int32, Int32, UInt64, UInt64)
        if let c = caches.street[fullStreet] {
            s = c
        } else {
            let n = Normalize.street(fullStreet)
            // Without spaces, and with the letter pairs text recognition reads for one letter made one (`william roacl`
            // / `william road`, `jarnes street` / `james street`): the key of the street level "same without spaces".
            let noSpace = Normalize.lettersRecognized(Normalize.fold(fullStreet))
            let words = n.split(separator: " ").sorted().joined(separator: " ")
            // A house number of zeros is none (`00`: a `1` lost from `100`; no address is number 0).
            let number = Normalize.houseNumber(n)
            let houseID = places.id("#" + (number == "0" ? "" : number))
            if !n.unicodeScalars.contains(where: { $0.properties.isAlphabetic }) {
                // A house number without a street (the street line missing): compared as a line missing (its words
                // among the other's), in no street block of its own.
                s = (streets.id(n), houseID, 0, 0)
            } else {
                s = (streets.id(n), houseID, Self.fnv(Array(noSpace.utf8)) | 1, Self.fnv(Array(words.utf8)) | 1)
            }
            if caches.street.count < 2_000_000 { caches.street[fullStreet] = s }
        }
        street.append(s.0)
        house.append(s.1 == places.id("#") ? 0 : s.1)
        streetNS.append(s.2)
        streetTS.append(s.3)
        dob.append(dates.id(Self.dateDigits(r.birthDate)))
        ident.append(idents.id(Self.identifier(r.identifier)))
        // A middle name of its own column, or else the initial written with the first name (`Frederick J.`: the first
        // name is compared without it). Two whose first characters differ are two people's shape (`twoPeople`).
        var m = r.middleName.isEmpty ? "" : Normalize.fold(r.middleName)
        if m.isEmpty, mi != 0 { m = String(UnicodeScalar(mi)) }
        let middleID = middles.id(m)
        // Whether the value is an initial, counted in characters (`и` is two bytes), with its first character.
        while middleInitial.count <= Int(middleID) {
            let scalars = m.unicodeScalars
            middleInitial.append(scalars.count == 1)
            middleFirst.append(scalars.first?.value ?? 0)
        }
        middleName.append(middleID)
        let years = r.age.isEmpty ? nil : Self.years(r.age)
        if let y = years {
            if y < 1000 { ageValues.ages += 1 } else { ageValues.years += 1 }
        } else if !r.age.isEmpty, !r.age.trimmingCharacters(in: .whitespaces).isEmpty {
            ageValues.unread += 1
            if ageValues.firstUnread == nil { ageValues.firstUnread = String(r.age.prefix(40)) }
        }
        let ageID = ages.id(years.map(String.init) ?? "")
        while ageYears.count <= Int(ageID) { ageYears.append(Int32(years ?? 0)) }
        age.append(ageID)
        let sex = Self.genderCode(r.gender)
        gender.append(sex)
        if sex == 0, !r.gender.isEmpty {
            let t = r.gender.trimmingCharacters(in: .whitespaces)
            if !t.isEmpty {
                unreadSexTotal += 1
                let key = String(t.prefix(20))
                if unreadSexes.count < 1000 || unreadSexes[key] != nil { unreadSexes[key, default: 0] += 1 }
            }
        }
        postcode.append(
            cached(&caches.place, "pc:" + r.postcode) {
                self.places.id("pc:" + Normalize.postcode(String($0.dropFirst(3))))
            })
        city.append(
            cached(&caches.place, "ci:" + r.city) { self.places.id("ci:" + Normalize.fold(String($0.dropFirst(3)))) })
        title.append(cached(&caches.title, r.jobTitle) { self.titles.id(Normalize.fold($0)) })
        ext.append(exts.id(r.externalID.trimmingCharacters(in: .whitespaces)))
    }

    func isEmptyPlace(_ id: Int32) -> Bool { places.bytes[Int(id)].count <= 3 }

    // MARK: - Comparison (levels: FuzzyDedupe+Levels.swift; blocking: FuzzyDedupe+Blocking.swift)

    /// Name similarities already computed (OSA distance, Jaro-Winkler), by field and value pair: many pairs share them.
    /// One per thread: the comparisons run on every core, each over its share of the pairs with its own cache.
    /// The Jaro-Winkler similarity is kept whole: computed as `0.88` (`0.8 + 0.4 × 0.2`), held as a `Float` it read
    /// just below (`0.8799999`), so that a level depended on whether a pair's names were already in the cache, which
    /// depends on how the pairs were shared out among the cores.
    typealias SimCache = [UInt64: (Int8, Double)]
    /// Entries one cache keeps: a million in all, shared out among the threads that run at once (each holds one).
    static let simCacheLimit = 1_000_000 / max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// This deduplicator's own cache, for `compare(_:_:)` called outside the parallel comparisons.
    var simCache: SimCache = [:]

    /// Sorted token hashes of each company value (for the "one name's words are among the other's" level).
    /// Made for every company value before the comparisons start (`prepareTokens`), read-only while they run.
    var companyTokens: [[UInt64]] = []

    /// Sorted word hashes of each street value (for the "one line's words are among the other's" level: a line
    /// missing), made with the company tokens.
    var streetTokens: [[UInt64]] = []
    /// How many words each street value has (of `streetTokens`), in one flat array: asked of nearly every pair, and
    /// reading it through `streetTokens` touched a heap block per street.
    var streetWordCounts: [Int32] = []
    /// Sorted word hashes of each title value, abbreviations written out (`titleWords`), made with the company tokens.
    var titleTokens: [[UInt64]] = []
    /// The fields `compare` reads, row by row (`RowPack`).
    let pack = RowPack()

    // MARK: - Run

    /// Matches every row against every other (through the blocks) and clusters them.
    public func run() -> DedupeResult {
        releaseAddingState()
        firstCount = [Int32](repeating: 0, count: firsts.bytes.count)
        for f in first { firstCount[Int(f)] += 1 }
        lastCount = [Int32](repeating: 0, count: lasts.bytes.count)
        for l in last { lastCount[Int(l)] += 1 }
        firstScripts = Self.scriptForms(firsts)
        lastScripts = Self.scriptForms(lasts)
        onPhase?("blocking \(count) rows")
        let (pairs, stats) = candidatePairs()
        onPhase?("comparing \(pairs.count) pairs")
        // On every core: each share of the pairs with its own similarity cache and histogram, merged after.
        let (codes, histogram) = compareAll(pairs, countingPatterns: true)
        onPhase?("estimating the model from \(histogram.count) comparison patterns")
        // EM leaves out the pairs shaped like two members of one household (first names different, last name and
        // street alike): where many people live with a relative those pairs outnumber the duplicates, and EM took
        // them for the matches, so that a different phone or e-mail barely counted against a pair (m 0.69 and 0.80
        // for "different" where duplicates differ 10% and 5% of the time) and the prior counted 8,603 matching pairs
        // where there were about 600 (own generator, `--family-rate 0.25`). Their m comes from the sessions.
        // With `--households merge` they are one person by the user's word, and stay in.
        var emHistogram = histogram
        if settings.households != .merge {
            let without = histogram.filter { !Self.householdPattern($0.key) }
            if !without.isEmpty { emHistogram = without }
        }
        let emPairs = emHistogram.values.reduce(0, +)
        let (lambda, globalM, _, iterations) = Self.em(emHistogram)
        // u for scoring comes from random pairs (EM's u describes non-matching *candidates*, which agree on the
        // blocked fields by construction): level 1 exactly from value frequencies, the others from a seeded sample.
        onPhase?("sampling random pairs")
        let u = randomPairU()
        onPhase?("estimating the model per session")
        let (m, sessions) = sessionM(global: globalM, u: u)
        let weights = Self.weights(m: m, u: u)
        onPhase?("weighing the pairs")
        let model = PairWeights(rows: self, weights: weights, codes: histogram.keys, u: u)
        // Prior odds from the expected number of matching pairs among all pairs; thresholds as posteriors.
        let n = Double(count)
        let expected = max(1, lambda * Double(emPairs))
        let prior = log2(expected / max(1, n * (n - 1) / 2 - expected))
        // The finished model's own estimate of the prior (EM's match share can be far off on a file without a
        // personal field: 17 times the matching pairs on a names-and-address list).
        let modelPrior = Self.selfConsistentPrior(
            start: expected, allPairs: n * (n - 1) / 2, bins: weightBins(pairs: pairs, codes: codes, model: model))
        let matchWeight = log2(settings.matchProbability / (1 - settings.matchProbability)) - prior
        let reviewWeight = log2(settings.reviewProbability / (1 - settings.reviewProbability)) - prior
        // A pair that stands alone merges from `soleMatchProbability` under the lower of the two priors: where they
        // disagree the bar stays where the more doubtful one puts it (never above the match weight).
        let soleWeight = min(
            matchWeight,
            log2(settings.soleMatchProbability / (1 - settings.soleMatchProbability)) - min(prior, modelPrior))
        // Households: with `.auto`, decided below from the file once the matches are known.
        var scorer = PairScorer(
            model: model, settings: settings, matchWeight: matchWeight, reviewWeight: reviewWeight,
            soleWeight: soleWeight)
        onPhase?("scoring and clustering")
        var decisions = PairDecisions(pairs: pairs, codes: codes, scorer: scorer)
        let households =
            settings.households == .auto
            ? decideHouseholds(&decisions, scorer: &scorer, patternPairs: pairs.count - emPairs) : nil
        let torn = scorer.separateHouseholds ? holdBackTornPairs(&decisions, scorer: scorer) : []
        let hubs = holdBackNamelessHubs(&decisions, scorer: scorer)
        var (edges, review, reviewWhy) = (decisions.edges, decisions.review, decisions.reviewWhy)
        let sole = decisions.sole
        edges.sort { $0.0 != $1.0 ? $0.0 > $1.0 : ($0.1, $0.2) < ($1.1, $1.2) }
        let (matchedByKind, completeness) = matchesByKey(edges)
        // Union-find with member lists; a merge of two multi-row clusters needs every cross pair above the guard.
        onPhase?("clustering \(edges.count) matching pairs")
        var clusters = ClusterBuilder(scorer: scorer, keepRefusals: !settings.explain.isEmpty || settings.explainReview)
        clusters.join(edges: edges, maxCluster: settings.maxCluster)
        // A pair held back as a household's or two people's shape is two people by the file's own decision: no rival
        // original for a row's one likely link (a voter whose spouse shares the landline, and who moved). Nor is a
        // pair below the match weight whose fields say two people (`dropTwoPeopleBelowMatch` leaves it out of the
        // review below): a moved voter's spouse, another first name and sex at her old address. But a suffix on one
        // row only (`surelyTwoPeople` leaves it out) may be one man: a rival still.
        let rivals = zip(review, reviewWhy).filter { p, why in
            why != .household && scorer.surelyTwoPeople(compare(Int(p.0), Int(p.1)), Int(p.0), Int(p.1)) == nil
        }.map(\.0)
        for (a, b, w) in clusters.joinSole(sole, edges: edges, review: rivals, maxCluster: settings.maxCluster) {
            review.append((a, b, w))
            reviewWhy.append(.unsure)
        }
        // The matching pairs the guard refused, where their rows are still apart: a person decides.
        for (w, a, b) in clusters.guarded {
            review.append((Int32(a), Int32(b), w))
            reviewWhy.append(.clusterGuard)
        }
        onPhase?("writing the clusters and the review")
        var cluster = [Int32](repeating: 0, count: count)
        var roots = Set<Int32>()
        for r in 0..<count {
            let root = clusters.find(Int32(r))
            cluster[r] = root
            roots.insert(root)
        }
        (review, reviewWhy) = Self.stillApart(review, reviewWhy, cluster: cluster)
        let twoPeopleUnlisted = Self.dropTwoPeopleBelowMatch(&review, &reviewWhy, scorer: scorer)
        let explainer = PairExplainer(
            scorer: scorer, pairs: pairs, cluster: cluster, torn: torn, hubs: hubs, solePairs: clusters.solePairs,
            refusals: clusters.refusals, maxCluster: settings.maxCluster,
            // The review pairs, by key, for the explanations' last line (only when there is something to explain).
            reviewKeys: !settings.explain.isEmpty || settings.explainReview
                ? Set(review.map { UInt64(min($0.0, $0.1)) << 32 | UInt64(max($0.0, $0.1)) }) : [])
        var explanations: [String] = []
        for (a, b) in settings.explain where a >= 0 && b >= 0 && a < count && b < count && a != b {
            explanations.append(explainer.explain(a, b))
        }
        // How many of them wait only for a household's shape (they score a match), for the summary.
        let householdReview = reviewWhy.reduce(0) { $0 + ($1 == .household ? 1 : 0) }
        let reviewExplanations = settings.explainReview ? review.map { explainer.explain(Int($0.0), Int($0.1)) } : []
        let modelLines = Self.modelLines(
            histogram.keys, m: m, u: u, weights: weights, neighbours: model.neighbours)
        let reviewScores = review.map { scorer.rawScore(compare(Int($0.0), Int($0.1)), Int($0.0), Int($0.1)) }
        var result = DedupeResult(
            cluster: cluster, rows: count, candidatePairs: pairs.count, matchedPairs: edges.count, review: review,
            reviewReasons: reviewWhy, clusters: roots.count,
            refusedByGuard: clusters.refused,
            blocking: stats.enumerated().map {
                (
                    key: $0.element.0, blocks: $0.element.1, pairs: $0.element.2, skipped: $0.element.3,
                    matched: matchedByKind[$0.offset]
                )
            },
            pairsCompleteness: completeness, explanations: explanations, reviewExplanations: reviewExplanations,
            model: modelLines.map { (field: $0.0, level: $0.1, m: $0.2, u: $0.3, weight: $0.4) },
            matchShare: lambda * Double(emPairs) / Double(max(1, pairs.count)), emIterations: iterations,
            prior: prior, modelPrior: modelPrior, matchWeight: matchWeight, reviewWeight: reviewWeight,
            soleWeight: soleWeight, soleMatches: clusters.solePairs.count, households: households,
            trainingSessions: sessions,
            householdReview: householdReview, twoPeopleUnlisted: twoPeopleUnlisted)
        result.reviewScores = reviewScores
        result.ageValues = ageValues
        result.unreadSexes = unreadSexTotal
        result.unreadSexExamples = unreadSexes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3).map {
            (value: $0.key, count: $0.value)
        }
        return result
    }

    /// Takes out of review the pairs below the match weight whose fields say two people (`TwoPeople`, but for a
    /// suffix on one row only, which is a question): such a pair is proposed only when it scores a match (reason
    /// `two-people`). Once the clusters are made, so that they still count as links in `joinSole`. A second trial's
    /// B2B list proposed 52,168 pairs of colleagues at one office (both names differ, none one person) among its
    /// 63,899; on the fourth generator's B a third of the 29 left out were one person's copies with both names
    /// corrupted. Also the pairs that score a match but whose both names differ at one company (`.names` with the
    /// company agreeing, first names alike in spelling included): colleagues. Returns how many were taken out.
    static func dropTwoPeopleBelowMatch(
        _ review: inout [(Int32, Int32, Double)], _ reviewWhy: inout [ReviewReason], scorer: PairScorer
    ) -> Int {
        let rows = scorer.rows
        let keep = review.indices.map { k -> Bool in
            let (a, b, _) = review[k]
            switch reviewWhy[k] {
            case .unsure: return scorer.surelyTwoPeople(rows.compare(Int(a), Int(b)), Int(a), Int(b)) == nil
            case .twoPeople:
                // Both names different at one company: colleagues, whatever their office shares (a B2B trial's review
                // held 16,833 pairs, nearly all colleagues at firms of 20 to 60 people).
                let code = rows.compare(Int(a), Int(b))
                return !((1...2).contains(Self.level(code, 4)) && scorer.twoPeople(code, Int(a), Int(b)) == .names)
            default: return true
            }
        }
        let dropped = keep.reduce(0) { $0 + ($1 ? 0 : 1) }
        if dropped > 0 {
            review = review.indices.filter { keep[$0] }.map { review[$0] }
            reviewWhy = reviewWhy.indices.filter { keep[$0] }.map { reviewWhy[$0] }
        }
        return dropped
    }
}
