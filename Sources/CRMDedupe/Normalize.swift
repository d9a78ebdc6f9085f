import CRMModel
import Foundation

/// Normalisers for matching: the same person or company written differently comes out the same.
public enum Normalize {
    private static let specialFold: [Character: String] = [
        "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ı": "i", "æ": "ae", "Æ": "ae",
        "œ": "oe", "Œ": "oe", "þ": "th", "ß": "ss", "ð": "d",
    ]

    /// Trimmed, diacritics (every nonspacing or enclosing mark) stripped, case folded; every character that is not a
    /// letter or digit becomes a space, spaces collapsed (`Zoë  Müller-Lüdenscheidt` → `zoe muller ludenscheidt`).
    /// ASCII takes a fast path.
    /// Generational suffixes, numbered from 1 (`Normalize.generationSplit`).
    static let generations = ["jr", "sr", "ii", "iii", "iv", "v", "junior", "senior"]

    /// A folded last name without its generational suffix (`jones jr` → `jones`, 1), and the suffix's number in
    /// `generations` (`junior` and `senior` count as `jr` and `sr`); 0 for none. A name that is only a suffix stays.
    static func generationSplit(_ folded: String) -> (String, UInt8) {
        guard let space = folded.lastIndex(of: " ") else { return (folded, 0) }
        let word = folded[folded.index(after: space)...]
        guard let i = generations.firstIndex(where: { $0 == word }) else { return (folded, 0) }
        let n = i == 6 ? 1 : i == 7 ? 2 : i + 1
        return (String(folded[..<space]), UInt8(n))
    }

    /// A folded first name without a middle initial after it (`frederick j` → `frederick`, `j`), and the initial's
    /// letter; 0 for none. Only a single letter after a name of two letters or more.
    static func middleInitialSplit(_ folded: String) -> (String, UInt8) {
        let u = Array(folded.utf8)
        guard u.count >= 4, u[u.count - 2] == 32, let c = u.last, c >= 97 && c <= 122,
            u[u.count - 3] != 32,
            folded.utf8.firstIndex(of: 32) == folded.utf8.index(folded.utf8.endIndex, offsetBy: -2),
            u.count - 2 >= 2
        else { return (folded, 0) }
        return (String(decoding: u[..<(u.count - 2)], as: UTF8.self), c)
    }

    public static func fold(_ s: String) -> String {
        var bytes: [UInt8] = []
        var ascii = true
        for b in s.utf8 where b >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            bytes.reserveCapacity(s.utf8.count)
            var space = true
            for b in s.utf8 {
                let c: UInt8 = (b >= 65 && b <= 90) ? b + 32 : b
                if (c >= 97 && c <= 122) || (c >= 48 && c <= 57) {
                    bytes.append(c)
                    space = false
                } else if !space {
                    bytes.append(32)
                    space = true
                }
            }
            if bytes.last == 32 { bytes.removeLast() }
            return String(decoding: bytes, as: UTF8.self)
        }
        // Digits of any script and full-width forms as ASCII, case and accents, then the letters folding leaves alone
        // (so that folding twice changes nothing).
        var t = ""
        for ch in DigitFolding.ascii(s).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) {
            if let r = specialFold[ch] { t += r } else { t.append(ch) }
        }
        // Every nonspacing and enclosing mark goes, in any script (as ICU's `NFD; [:Nonspacing Mark:] Remove`):
        // Foundation takes only one mark per pass off many letters outside Latin (`Բ̲̚` → `բ̚`, then `բ`), so the rest
        // go here, in one pass, and a character is a letter or digit by its first scalar that is not such a mark.
        // Hebrew points and Arabic vowel marks go too; spacing vowel signs stay.
        var out = ""
        var space = true
        for ch in t {
            let scalars = ch.unicodeScalars
            var start = scalars.startIndex
            while start != scalars.endIndex, isStrippedMark(scalars[start]) { start = scalars.index(after: start) }
            guard start != scalars.endIndex else { continue }  // marks alone fold away
            if isLetterOrDigit(scalars[start]) {
                for u in scalars[start...] where !isStrippedMark(u) { out.unicodeScalars.append(u) }
                space = false
            } else if !space {
                out.append(" ")
                space = true
            }
        }
        if out.last == " " { out.removeLast() }
        return out
    }

    private static func isStrippedMark(_ u: Unicode.Scalar) -> Bool {
        let c = u.properties.generalCategory
        return c == .nonspacingMark || c == .enclosingMark
    }

    private static func isLetterOrDigit(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber,
            .letterNumber, .otherNumber:
            true
        default: false
        }
    }

    /// German and Nordic transliterations folded away (`mueller` and `muller` → `muller`; `aa` → `a`), spaces removed.
    public static func transliterationReduced(_ folded: String) -> String {
        folded.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "ae", with: "a").replacingOccurrences(
            of: "oe", with: "o"
        )
        .replacingOccurrences(of: "ue", with: "u").replacingOccurrences(of: "aa", with: "a")
    }

    /// A folded name with the letters and digits a text-recognition error confuses made one (`rn`, `nn` → `m`,
    /// `cl` → `d`, `vv` → `w`, `0` → `o`, `1` → `l`, `5` → `s`, `8` → `b`), spaces removed: `jarnes` and `james`,
    /// `nnartin` and `martin` fold alike.
    /// With `lettersOnly`, only `rn`, `cl` and `vv` (`lettersRecognized`).
    public static func recognitionFolded(_ folded: String, lettersOnly: Bool = false) -> String {
        let b = Array(folded.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            let c = b[i]
            let next: UInt8 = i + 1 < b.count ? b[i + 1] : 0
            switch (c, next) {
            case (UInt8(ascii: "r"), UInt8(ascii: "n")),
                (UInt8(ascii: "n"), UInt8(ascii: "n")) where !lettersOnly:
                out.append(UInt8(ascii: "m"))
                i += 2
                continue
            case (UInt8(ascii: "c"), UInt8(ascii: "l")):
                out.append(UInt8(ascii: "d"))
                i += 2
                continue
            case (UInt8(ascii: "v"), UInt8(ascii: "v")):
                out.append(UInt8(ascii: "w"))
                i += 2
                continue
            default: break
            }
            switch c {
            case UInt8(ascii: " "): break
            case _ where lettersOnly: out.append(c)
            case UInt8(ascii: "0"): out.append(UInt8(ascii: "o"))
            case UInt8(ascii: "1"): out.append(UInt8(ascii: "l"))
            case UInt8(ascii: "5"): out.append(UInt8(ascii: "s"))
            case UInt8(ascii: "8"): out.append(UInt8(ascii: "b"))
            default: out.append(c)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A folded text without spaces, the letter pairs text recognition reads for one letter made that letter (`rn` →
    /// `m`, `cl` → `d`, `vv` → `w`); digits as they are, so that a house number stays apart from a unit letter (`18` /
    /// `1b`), and `nn` kept (`dunn street`): `recognitionFolded` with its letter pairs only.
    public static func lettersRecognized(_ folded: String) -> String { recognitionFolded(folded, lettersOnly: true) }

    /// A folded first name as it sounds, for telling a respelling from another name: `recognitionFolded` (a doubled
    /// `n` kept an `n`), letters only, then `ph` → `f`; `th`, `gh`, `kh`, `dh` → `t`, `g`, `k`, `d`; `ck`, `q` and a
    /// `c` before other than `e`, `i`, `y` → `k`, other `c` → `s`; `x` → `ks`; `z` → `s`; `y` → `i`; a doubled letter
    /// once. `Phillip`, `Fillip` and `Philip` sound alike, as do `Xiu` / `Ksiu`, `Phang` / `Fang` and `Aleks` /
    /// `Allex`; `ch` becomes `kh`, so `Chris` and `Kris` stay apart. Keying and recognition errors and phonetic
    /// respellings are what record-linkage corruption models (Febrl's among them) make of a name.
    public static func soundFolded(_ folded: String) -> String {
        // A doubled `n` is one `n` (`Tonny`, `Anna`), not the `m` text recognition may have made of it.
        let read = recognitionFolded(folded.replacingOccurrences(of: "nn", with: "n"))
        // Letters only, each run of one letter as one (`thh` is `th`, so that no `h` is left after a `t`).
        var b: [UInt8] = []
        for c in read.utf8 where c >= 97 && c <= 122 && b.last != c { b.append(c) }
        var out: [UInt8] = []
        out.reserveCapacity(b.count + 2)
        func put(_ c: UInt8) { if out.last != c { out.append(c) } }
        var i = 0
        while i < b.count {
            let c = b[i]
            let next: UInt8 = i + 1 < b.count ? b[i + 1] : 0
            i += 1
            switch c {
            case UInt8(ascii: "p") where next == UInt8(ascii: "h"):
                put(UInt8(ascii: "f"))
                i += 1
            case UInt8(ascii: "t"), UInt8(ascii: "g"), UInt8(ascii: "k"), UInt8(ascii: "d"):
                put(c)
                if next == UInt8(ascii: "h") { i += 1 }
            case UInt8(ascii: "c"):
                if next == UInt8(ascii: "k") {
                    put(UInt8(ascii: "k"))
                    i += 1
                } else if next == UInt8(ascii: "e") || next == UInt8(ascii: "i") || next == UInt8(ascii: "y") {
                    put(UInt8(ascii: "s"))
                } else {
                    put(UInt8(ascii: "k"))
                }
            case UInt8(ascii: "q"): put(UInt8(ascii: "k"))
            case UInt8(ascii: "x"):
                put(UInt8(ascii: "k"))
                put(UInt8(ascii: "s"))
            case UInt8(ascii: "z"): put(UInt8(ascii: "s"))
            case UInt8(ascii: "y"): put(UInt8(ascii: "i"))
            default: put(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Local parts of addresses that a team, a firm or a household desk shares rather than one person (`info@`,
    /// `sales@`, `office@`): two rows agreeing on one are at one firm, not one person. A trial's B2B list had 1,327
    /// pairs of colleagues merged through `contact@`, `sales@` and `info@` (the e-mail rule forced them).
    public static let roleLocalParts: Set<String> = [
        "account", "accounts", "accounting", "admin", "administration", "administrator", "billing", "booking",
        "bookings", "careers", "contact", "contactus", "contacts", "customercare", "customerservice", "enquiries",
        "enquiry", "events", "finance", "frontdesk", "general", "hello", "help", "helpdesk", "hi", "hr", "info",
        "information", "inquiries", "inquiry", "invoice", "invoices", "jobs", "kontakt", "mail", "marketing", "media",
        "office", "orders", "postmaster", "press", "purchasing", "reception", "reservations", "sales", "service",
        "services", "shop", "staff", "support", "team", "webmaster",
    ]

    /// Whether a normalised address (`email`) is a role address: its local part, without digits, dots, dashes and
    /// underscores, is one of `roleLocalParts` (`info@`, `info2@`; `sales.team@` is not), or names a family
    /// (`famil…`: `clarkfamily@`, `familie.weber@`: a second trial's spouses sharing one were merged by it).
    ///
    /// Asked of every e-mail key an import reads: the letters are packed into two words and looked up, no string made.
    public static func isRoleAddress(_ normalized: String) -> Bool {
        var text = normalized
        return text.withUTF8 { u in
            guard let at = u.lastIndex(of: UInt8(ascii: "@")) else { return false }
            let famil: [UInt8] = [102, 97, 109, 105, 108]  // "famil"
            var key = RoleKey()
            var letters = 0
            var inFamil = 0  // how much of "famil" the letters just read spell ("famil" repeats no prefix of its own)
            for c in u[..<at] where !(48...57).contains(c) && c != 46 && c != 45 && c != 95 {
                inFamil = c == famil[inFamil] ? inFamil + 1 : (c == famil[0] ? 1 : 0)
                if inFamil == famil.count { return true }
                if letters < 8 {
                    key.low |= UInt64(c) << (8 * letters)
                } else if letters < 16 {
                    key.high |= UInt64(c) << (8 * (letters - 8))
                }
                letters += 1
            }
            return letters <= 16 && roleKeys.contains(key)
        }
    }

    /// Up to 16 bytes of a local part, 8 to a word (`isRoleAddress`).
    struct RoleKey: Hashable {
        var low: UInt64 = 0
        var high: UInt64 = 0
    }

    /// `roleLocalParts` as `RoleKey`s.
    static let roleKeys: Set<RoleKey> = Set(
        roleLocalParts.map { part in
            var key = RoleKey()
            for (i, c) in part.utf8.enumerated() where i < 16 {
                if i < 8 { key.low |= UInt64(c) << (8 * i) } else { key.high |= UInt64(c) << (8 * (i - 8)) }
            }
            return key
        })

    /// An e-mail address lowercased and trimmed, `+tag` removed; with `gmailDots`, dots of Gmail local parts too.
    public static func email(_ raw: String, gmailDots: Bool = false) -> String {
        var b: [UInt8] = []
        b.reserveCapacity(raw.utf8.count)
        for c in raw.utf8 where c != 32 && c != 9 { b.append(c >= 65 && c <= 90 ? c + 32 : c) }
        guard let at = b.lastIndex(of: UInt8(ascii: "@")) else { return "" }
        var local = b[..<at]
        if let plus = local.firstIndex(of: UInt8(ascii: "+")) { local = local[..<plus] }
        let domain = b[(at + 1)...]
        guard !local.isEmpty, !domain.isEmpty else { return "" }
        var out = Array(local)
        if gmailDots {
            let d = String(decoding: domain, as: UTF8.self)
            if d == "gmail.com" || d == "googlemail.com" { out.removeAll { $0 == UInt8(ascii: ".") } }
        }
        out.append(UInt8(ascii: "@"))
        out += domain
        let text = String(decoding: out, as: UTF8.self)
        return b.allSatisfy({ $0 < 0x80 }) ? text : text.lowercased()
    }

    /// Common given-name hypocorisms: nickname → formal names (a formal name maps to itself). A diminutive that is
    /// also a common name of its own (`Ella`, `Jenna`, `Gina`, `Tracy`) is left out: two such names of one formal
    /// name (`Gabby` / `Ella`) would read as one person's.
    public static let nicknames: [String: Set<String>] = {
        let table = """
            abigail: abby abbie gail|abraham: abe|albert: al bert bertie|alexander: alex alec xander sandy lex
            alexandra: alex alexa sandra sandy lexi|alfred: al alf alfie fred|allison: ally allie|amanda: mandy manda
            andrew: andy drew|angela: angie|anthony: tony ant|antonio: tony|arthur: art artie|barbara: barb barbie babs
            benjamin: ben benji benny|bernard: bernie|beverly: bev|bradley: brad|caroline: carrie caro|carolyn: carrie carol
            catherine: cathy cat kate katie cate|charles: charlie chuck chas chaz|charlotte: charlie lottie
            christina: chris tina christy|christine: chris chrissy tina|christopher: chris kit topher|cynthia: cindy
            daniel: dan danny|david: dave davey|deborah: deb debbie debby|debra: deb debbie|dennis: denny
            donald: don donnie donny|dorothy: dot dottie dolly|douglas: doug|edward: ed eddie ned ted teddy|eleanor: ellie nora
            elizabeth: liz lizzie beth betsy betty eliza libby|emily: em emmy|evelyn: evie eve|francis: frank fran|frank: frankie
            frederick: fred freddie|gabriel: gabe|gary: gaz|gerald: gerry jerry|gloria: glo|gregory: greg|harold: harry hal
            henry: hank harry hal|isabella: bella izzy|jacob: jake|jacqueline: jackie jacqui|james: jim jimmy jamie|janet: jan
            jeffrey: jeff|jennifer: jen jenny jenn|jeremy: jerry|jerome: jerry|jessica: jess jessie|john: johnny jack jon
            jonathan: jon johnny|joseph: joe joey|joshua: josh|judith: judy|katherine: kate kathy katie kat
            kathleen: kathy kath katie|kenneth: ken kenny|kimberly: kim|lawrence: larry|leonard: leo len lenny
            margaret: maggie meg peggy marge madge greta|matthew: matt matty|melissa: mel missy lissa|michael: mike mikey mick mickey
            michelle: shelly|nancy: nan|nathan: nate|nathaniel: nate nat|nicholas: nick nicky|nicole: nikki nicky|pamela: pam
            patricia: pat patty trish tricia|patrick: pat paddy|peter: pete|philip: phil|phillip: phil|raymond: ray
            rebecca: becky becca|richard: rick ricky dick rich richie|robert: bob bobby rob robbie bert|ronald: ron ronnie
            samantha: sam sammy|samuel: sam sammy|sandra: sandy|stephanie: steph stevie|stephen: steve stevie|steven: steve stevie
            susan: sue susie|theodore: ted teddy theo|thomas: tom tommy|timothy: tim timmy|victoria: vicky tori vic
            virginia: ginny ginger|walter: walt wally|william: bill billy will willie liam|zachary: zach zack
            amelia: millie amy|camilla: millie cam|cameron: cam|constantine: con|darren: daz dazza|dominic: dom
            frances: fran frankie|giuseppe: pino beppe|joanne: jo|josephine: jo josie|laurence: larry laurie
            madeline: maddy maddie|madison: maddy maddie|maximilian: max|natalie: nat|natasha: tash tasha
            oliver: olly ollie|olivia: liv livvy|penelope: penny|rosemary: rose rosie|sebastian: seb|terence: terry
            terrence: terry|valerie: val|veronica: ronnie|gary: gazza|michael: micky|susan: suzie suzy
            stephanie: stef|katherine: kay|kathleen: kay|emily: millie
            theresa: tess tessa terri|teresa: tess tessa terri|gabrielle: gabby gabi|gabriella: gabby gabi
            abigail: abbi abbey|jonathan: jonny jonno|johannes: hans|johann: hans|johanna: jo
            kathryn: kate kathy katie|christian: chris|clifford: cliff|daniela: dani|danielle: dani|eleanor: nell
            ernest: ernie|eugene: gene|geoffrey: geoff|george: georgie|georgina: georgie|harriet: hattie
            jasmine: jas jazz|juliet: jules|julian: jules|kimberley: kim|louise: lou|louis: lou|lucinda: lucy cindy
            madeleine: maddy maddie|margaret: mags|marjorie: marge|martin: marty|matilda: tilly tilda|maureen: mo
            maxwell: max|mitchell: mitch|nicola: nicky nikki|philippa: pippa|rachel: rach|reginald: reg reggie
            roberta: bobbie|rodney: rod|rosalind: ros|russell: russ|salvatore: sal|sarah: sally sadie|stanley: stan
            stuart: stu|suzanne: suzy|tobias: toby|vincent: vince vinnie|winifred: winnie|victoria: vikki
            francesca: fran frankie|jose: pepe|francisco: paco pancho|ignacio: nacho|manuel: manny manolo
            rafael: rafa|konstantinos: kostas|dimitrios: dimitris|giovanni: gianni|vincenzo: enzo|katarzyna: kasia
            wojciech: wojtek|mohammed: mo|muhammad: mo|kimberly: kimmy|cassandra: cass cassie
            frederick: freddy|bernadette: bernie|dominic: nic|nicholas: nico|joseph: joey|gregory: gregg
            """
        var m: [String: Set<String>] = [:]
        for entry in table.split(whereSeparator: { $0 == "|" || $0 == "\n" }) {
            let parts = entry.split(separator: ":")
            guard parts.count == 2 else { continue }
            let formal = parts[0].trimmingCharacters(in: .whitespaces)
            m[formal, default: []].insert(formal)
            for n in parts[1].split(separator: " ") {
                m[String(n), default: []].insert(formal)
                m[String(n), default: []].insert(String(n))
            }
        }
        return m
    }()

    /// The formal names a folded first name may stand for (itself when it is not a known nickname). A name of five
    /// letters or more that is not in the nickname table but sounds like one of its nicknames (`soundFolded`:
    /// `Trizh` / `Trish`, `Tonni` / `Tony`) stands for what that nickname does, and for itself. Shorter names are left
    /// alone: `Lisa`, `Kai`, `Ali` and `Toni` are names of their own, not `Lissa`, `Kay`, `Ally` or `Tony`.
    public static func firstNameCanon(_ folded: String) -> Set<String> {
        if let c = nicknames[folded] { return c }
        guard folded.utf8.count >= 5, let c = nicknamesBySound[soundFolded(folded)] else { return [folded] }
        return c.union([folded])
    }

    /// The nickname table's nicknames (not its formal names) by how they sound, with the formal names each stands for.
    static let nicknamesBySound: [String: Set<String>] = {
        var m: [String: Set<String>] = [:]
        for (name, canon) in nicknames where canon != [name] { m[soundFolded(name), default: []].formUnion(canon) }
        return m
    }()

    /// The formal names of the nickname table (those with a nickname), by their length in bytes.
    static let formalNamesByLength: [Int: [[UInt8]]] = {
        var m: [Int: [[UInt8]]] = [:]
        for (name, canon) in nicknames where canon == [name] {
            m[name.utf8.count, default: []].append(Array(name.utf8))
        }
        return m.mapValues { $0.sorted { $0.lexicographicallyPrecedes($1) } }
    }()

    /// The formal names of the nickname table one edit (a typo, two letters swapped) from a folded first name of
    /// five letters or more that is neither a formal name nor a nickname itself (`rbert` → `robert`, `jvdith` →
    /// `judith`); none otherwise. Shorter names are left alone: `jon`, `jan`, `jen` are names of their own.
    public static func nearFormalNames(_ folded: String) -> [String] {
        let b = Array(folded.utf8)
        guard b.count >= 5, nicknames[folded] == nil else { return [] }
        var out: [String] = []
        for len in (b.count - 1)...(b.count + 1) {
            for f in formalNamesByLength[len] ?? [] where Similarity.withinOneEdit(b, f) {
                out.append(String(decoding: f, as: UTF8.self))
            }
        }
        return out
    }

    static let legalForms: Set<String> = [
        "inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "corp", "corporation", "co", "company",
        "gmbh", "ag", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "plc", "pty", "kk", "oy", "ab", "as",
        "kabushiki", "kaisha", "sp", "z", "o", "oo", "and",
    ]

    /// Abbreviations of job titles' words, written out (`vp` → `vice president`): `FuzzyDeduplicator.titleWords`.
    static let titleAbbreviations: [String: String] = [
        "vp": "vice president", "svp": "senior vice president", "evp": "executive vice president",
        "avp": "assistant vice president", "ceo": "chief executive officer", "cfo": "chief financial officer",
        "coo": "chief operating officer", "cto": "chief technology officer", "cio": "chief information officer",
        "cmo": "chief marketing officer", "cro": "chief revenue officer", "chro": "chief human resources officer",
        "ciso": "chief information security officer", "gm": "general manager", "md": "managing director",
        "sr": "senior", "snr": "senior", "jr": "junior", "mgr": "manager", "mngr": "manager", "dir": "director",
        "engr": "engineer", "exec": "executive", "asst": "assistant", "assoc": "associate", "admin": "administrator",
        "rep": "representative", "acct": "account", "mktg": "marketing", "ops": "operations",
        "hr": "human resources", "bdr": "business development representative",
        "sdr": "sales development representative", "ae": "account executive", "qa": "quality assurance",
        "intl": "international", "natl": "national", "dept": "department", "mgmt": "management", "tech": "technology",
        "coord": "coordinator", "supv": "supervisor", "spec": "specialist", "cust": "customer", "svc": "service",
    ]
    /// Words a job title may have or leave out without another meaning.
    static let titleFillers: Set<String> = ["of", "and", "the", "for", "in", "a", "to"]

    /// Whether a normalized address's domain is a public mail service's (`gmail.com`, `yahoo.co.uk`, `web.de`,
    /// `naver.com`): its name (the label before the public suffix) among the well-known providers', which anyone can
    /// sign up to. A firm's domain says who gave the address; a provider's says nothing.
    public static func isPublicMailDomain(_ address: [UInt8]) -> Bool {
        guard let at = address.lastIndex(of: 64) else { return false }
        let labels = address[(at + 1)...].split(separator: 46)
        guard labels.count >= 2 else { return false }
        // The provider's name: the label before the last, or before a two-letter country after `co`, `com`, `net`.
        var k = labels.count - 2
        if k > 0, labels.last!.count == 2,
            ["co", "com", "net", "org"].contains(String(decoding: labels[k], as: UTF8.self))
        {
            k -= 1
        }
        return publicMailProviders.contains(String(decoding: labels[k], as: UTF8.self))
    }

    /// The names of well-known public mail services (`isPublicMailDomain`).
    static let publicMailProviders: Set<String> = [
        "gmail", "googlemail", "yahoo", "ymail", "rocketmail", "hotmail", "outlook", "live", "msn", "passport", "aol",
        "icloud", "me", "mac", "gmx", "web", "t-online", "freenet", "arcor", "orange", "free", "laposte", "wanadoo",
        "sfr", "neuf", "qq", "163", "126", "yeah", "sina", "sohu", "foxmail", "yandex", "ya", "mail", "rambler",
        "inbox", "list", "bk", "proton", "protonmail", "pm", "tutanota", "fastmail", "zoho", "hey", "comcast",
        "att", "sbcglobal", "bellsouth", "verizon", "cox", "charter", "earthlink", "juno", "optonline", "libero",
        "virgilio", "tiscali", "alice", "tin", "naver", "daum", "hanmail", "nate", "rediffmail", "seznam", "centrum",
        "wp", "o2", "onet", "interia", "bigpond", "optusnet", "iinet", "tpg", "westnet", "internode", "shaw",
        "rogers", "sympatico", "telus", "videotron", "btinternet", "btopenworld", "sky", "virginmedia", "ntlworld",
        "talktalk", "blueyonder", "eircom", "xtra", "bluewin", "sunrise", "hispeed", "telenet", "skynet", "home",
        "planet", "ziggo", "kpnmail", "uol", "bol", "terra", "ig", "yopmail", "mailinator", "email", "usa",
    ]

    /// A company name without its legal form (`Acme, Inc.`, `ACME Inc`, `Acme LLC` → `acme`), `&` read as `and`.
    public static func companyCore(_ raw: String) -> String {
        let f = fold(raw.utf8.contains(UInt8(ascii: "&")) ? raw.replacingOccurrences(of: "&", with: " and ") : raw)
        guard !f.isEmpty else { return "" }
        // Dotted abbreviations fold to single letters (`L.L.C.` → `l l c`): join runs of one-letter words.
        var toks: [Substring] = []
        var run = ""
        for t in f.split(separator: " ") {
            if t.count == 1 {
                run += t
                continue
            }
            if !run.isEmpty {
                toks.append(Substring(run))
                run = ""
            }
            toks.append(t)
        }
        if !run.isEmpty { toks.append(Substring(run)) }
        while toks.count > 1, legalForms.contains(String(toks.last!)) { toks.removeLast() }
        // `The Acme Company` is `Acme`; a word and its abbreviation are one word (`Intl` / `International`).
        if toks.count > 1, toks[0] == "the" { toks.removeFirst() }
        for i in toks.indices { if let w = companyWords[String(toks[i])] { toks[i] = Substring(w) } }
        return toks.joined(separator: " ")
    }

    /// Words of company names and their abbreviations, read as one (each spelling to the group's first): `Lake
    /// Construction Intl Corp.` and `… International Corp.` were two companies to a trial's B2B contacts. Not an
    /// abbreviation that is a word or a name of its own as often (`ent`, `dist`, `eng`, `ind`, `comm`).
    static let companyWords: [String: String] = {
        let groups = [
            ["international", "intl", "intnl", "internat"], ["national", "natl"], ["manufacturing", "mfg", "manuf"],
            ["associates", "assoc", "assocs"], ["association", "assn"], ["services", "svcs", "svc", "servs"],
            ["technologies", "technology", "tech", "techs"], ["group", "grp"], ["brothers", "bros"],
            ["management", "mgmt", "mgt"], ["department", "dept"], ["university", "univ"],
            ["holdings", "hldgs", "hldg", "holding"], ["center", "centre", "ctr"], ["systems", "sys", "syst"],
            ["engineering", "engr", "engg"], ["solutions", "solns", "soln"], ["laboratories", "labs", "lab"],
            ["industries", "inds", "industry"], ["enterprises", "entp", "enterprise"],
            ["development", "devel"], ["communications", "comms", "communication"],
            ["distribution", "distrib"], ["consulting", "consultants"], ["pharmaceuticals", "pharma"],
        ]
        var out: [String: String] = [:]
        for g in groups { for w in g.dropFirst() { out[w] = g[0] } }
        return out
    }()

    /// Street types and unit words with their abbreviations (Australia Post's street-type list, USPS's suffixes, the
    /// common unit designators), the full word first. A word that is a name or a place as often as a type (`Mount`,
    /// `Saint`, `Pt`, `Cr`) is not in it.
    static let streetTypeGroups: [[String]] = [
        ["street", "st", "str", "stre", "strasse"], ["avenue", "ave", "av", "aven", "avn"], ["road", "rd"],
        ["boulevard", "blvd", "bvd", "bvde", "boul"], ["drive", "dr", "drv", "dve"], ["lane", "ln"],
        ["court", "ct", "crt"], ["place", "pl"], ["square", "sq"], ["highway", "hwy", "hway"],
        ["parkway", "pkwy", "pwy"], ["terrace", "ter", "tce", "terr"], ["close", "cl"], ["circuit", "cct"],
        ["crescent", "cres", "crs", "cresc"], ["grove", "gr", "gv", "grv"], ["parade", "pde"],
        ["esplanade", "esp"], ["circle", "cir", "crcl"], ["corner", "cnr"], ["heights", "hts"],
        ["gardens", "gdns", "gdn"], ["trail", "trl"], ["cove", "cv"], ["expressway", "expy"], ["freeway", "fwy"],
        ["walk", "wlk"], ["promenade", "prom"], ["ridge", "rdg"], ["suite", "ste"], ["apartment", "apt"],
        ["level", "lvl"], ["floor", "flr"], ["building", "bldg"], ["unit", "u"], ["north", "n"], ["south", "s"],
        ["east", "e"], ["west", "w"],
    ]

    /// Each spelling of `streetTypeGroups` to its full word: `Avoca Cl.` and `Avoca Close` are one street, written
    /// before or after its other line, and a typo in the type (`Clsoe`) stays one edit from the written-out word.
    static let streetAbbreviations: [String: String] = {
        var table: [String: String] = [:]
        for group in streetTypeGroups { for word in group where table[word] == nil { table[word] = group[0] } }
        return table
    }()

    /// A street with its types and unit words written out the same way (`5479 Franklin Ave.` → `5479 franklin avenue`).
    public static func street(_ raw: String) -> String {
        let f = fold(raw)
        guard !f.isEmpty else { return "" }
        return f.split(separator: " ").map { t -> String in
            let word = String(t)
            if let type = streetAbbreviations[word] { return type }
            // German compounds: `Hauptstraße` and `Hauptstr.` are one street.
            if t.hasSuffix("strasse") { return String(t.dropLast(4)) }
            if let n = recognizedNumber(t) { return withoutLeadingZeros(n) }
            if t.utf8.first == UInt8(ascii: "0"), t.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
                return withoutLeadingZeros(word)
            }
            return word
        }.joined(separator: " ")
    }

    /// A number without its leading zeros (`09` → `9`, `0` stays): a house number keyed `09` is number 9.
    static func withoutLeadingZeros(_ n: String) -> String {
        let digits = n.drop { $0 == "0" }
        return digits.isEmpty ? "0" : String(digits)
    }

    /// Letters text recognition reads for digits (`l26` → `126`, `z9` → `29`, `1o5` → `105`), in a word that has a
    /// digit and ends with one: a letter after the number (`12b`, `1st`) is part of it. `b` stays (a 6 or an 8).
    /// A word that starts with a digit may end with `o`, `z` or `l`, which are no unit's letters (`26o` → `260`,
    /// `17z` → `172`; `12a` to `12h` stay).
    static func recognizedNumber(_ word: Substring) -> String? {
        let u = word.utf8
        guard let first = u.first, let last = u.last, u.contains(where: { $0 < 48 || $0 > 57 }) else { return nil }
        let digitLast = last >= 48 && last <= 57
        let misreadLast =
            first >= 48 && first <= 57 && u.count >= 2
            && (last == UInt8(ascii: "o") || last == UInt8(ascii: "z") || last == UInt8(ascii: "l"))
        guard digitLast || misreadLast else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(u.count)
        for c in u {
            switch c {
            case 48...57: out.append(c)
            case UInt8(ascii: "o"): out.append(UInt8(ascii: "0"))
            case UInt8(ascii: "l"), UInt8(ascii: "i"): out.append(UInt8(ascii: "1"))
            case UInt8(ascii: "z"): out.append(UInt8(ascii: "2"))
            case UInt8(ascii: "s"): out.append(UInt8(ascii: "5"))
            case UInt8(ascii: "g"), UInt8(ascii: "q"): out.append(UInt8(ascii: "9"))
            default: return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The first run of digits in a normalised street (the house number).
    public static func houseNumber(_ street: String) -> String {
        var out = ""
        for ch in street.unicodeScalars {
            if ch.value >= 48 && ch.value <= 57 { out.unicodeScalars.append(ch) } else if !out.isEmpty { break }
        }
        return out
    }

    /// A postcode without spaces, uppercased, its digits ASCII (`１０４－００６１` is `104-0061`).
    public static func postcode(_ raw: String) -> String {
        String(DigitFolding.ascii(raw).unicodeScalars.filter { $0 != " " && $0 != "\t" }).uppercased()
    }
}
