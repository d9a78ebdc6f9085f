#!/usr/bin/env python3
"""Prototype of unsupervised fuzzy lead deduplication (Fellegi-Sunter, EM), standard library only.

    dedupe_prototype.py LEADS.csv --out clusters.csv [--truth truth.csv] [--review-out review.csv]

The design the Swift implementation follows, step by step:
  1. normalise each row: email (trim, lower, +tag dropped), phone to E.164 (region from Country),
     names folded (diacritics, case, punctuation, spaces) + nickname canon + transliteration
     reduction, company core (legal forms, '&', dots), street (abbreviations, house number),
     postcode (upper, no spaces), city, job title;
  2. blocking: 7 keys per row (email, phone, postcode+last3, postcode+first canon,
     company+first2+last2, company+postcode, house number+postcode); blocks above --max-block rows
     are skipped; pairs de-duplicated across keys;
  3. a comparison vector per candidate pair: one small level per field (0 = a side missing);
  4. EM on the counts of distinct vectors, m and u free -> m (how matches look) and lambda
     (share of candidates that match);
  5. u for scoring from random record pairs (level 1 exactly from value frequencies, the other
     levels from --u-pairs sampled pairs), term-frequency penalty for common exact values;
     weight = sum log2(m/u) - penalties; prior = EM's matches over all n(n-1)/2 pairs;
  6. merge pairs with posterior >= --match, in descending weight order, by union-find; a merge of
     two clusters needs every cross pair to have posterior >= --review (chaining guard) and the
     result to hold at most --max-cluster rows; pairs between --review and --match are listed for
     review;
  7. writes `row,source_id,cluster` (what score_dedupe.py reads); prints pair counts per key,
     the m/u/weight table, matches, clusters, time, and the exact-email and email-or-phone
     baselines.

--truth (gen_leads.py --truth) is used only for the diagnostics printed at the end (blocking recall,
pairwise precision/recall/F1 as score_dedupe.py computes them, recall on duplicates whose email
was changed or dropped); it never influences the model.
"""

import argparse
import collections
import csv
import math
import random
import time
import unicodedata

# --------------------------------------------------------------------------- normalisation
# Letters NFKD does not decompose.
SPECIAL_FOLD = str.maketrans({
    "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ı": "i", "æ": "ae", "Æ": "ae",
    "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ß": "ss", "ð": "d",
})


def fold(s):
    """Trim; non-ASCII: special letters, NFKD, drop combining marks; lower-case; every char that is
    not a letter or digit (any script) becomes a space; runs of spaces collapsed."""
    s = s.strip()
    if not s:
        return ""
    if not s.isascii():
        s = s.translate(SPECIAL_FOLD)
        s = unicodedata.normalize("NFKD", s)
        s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.lower()
    return " ".join("".join(c if c.isalnum() else " " for c in s).split())


def name_norm(s):
    """Folded name without spaces: "O'Brien" -> "obrien", "van der Berg" -> "vanderberg"."""
    return fold(s).replace(" ", "")


def translit_reduce(s):
    """German/Nordic transliterations folded away on both sides: 'mueller' and 'muller' -> 'muller',
    'soerensen' -> 'sorensen', 'aaberg' -> 'aberg'."""
    return s.replace("ae", "a").replace("oe", "o").replace("ue", "u").replace("aa", "a")


# Common English given-name hypocorisms, hand-curated from general knowledge (a larger public list is
# carltonnorthern/nicknames, names.csv, Apache-2.0: more coverage, more ambiguous links).  Each line is
# "formal: nicknames"; a nickname may belong to several formal names ("chris", "sam", "pat").
# Two first names compare as "nickname" when their canon sets (the names themselves plus the formal
# names they abbreviate) intersect.
NICKNAMES = """
abigail: abby abbie gail
abraham: abe
albert: al bert bertie
alexander: alex alec xander sandy lex
alexandra: alex alexa sandra sandy lexi
alfred: al alf alfie fred
allison: ally allie
amanda: mandy manda
andrew: andy drew
angela: angie
anthony: tony ant
antonio: tony
arthur: art artie
barbara: barb barbie babs
benjamin: ben benji benny
bernard: bernie
beverly: bev
bradley: brad
caroline: carrie caro
carolyn: carrie carol
catherine: cathy cat kate katie cate
charles: charlie chuck chas chaz
charlotte: charlie lottie
christina: chris tina christy
christine: chris chrissy tina
christopher: chris kit topher
cynthia: cindy
daniel: dan danny
david: dave davey
deborah: deb debbie debby
debra: deb debbie
dennis: denny
donald: don donnie donny
dorothy: dot dottie dolly
douglas: doug
edward: ed eddie ned ted teddy
eleanor: ellie nora
elizabeth: liz lizzie beth betsy betty eliza libby
emily: em emmy
evelyn: evie eve
francis: frank fran
frank: frankie
frederick: fred freddie
gabriel: gabe
gary: gaz
gerald: gerry jerry
gloria: glo
gregory: greg
harold: harry hal
henry: hank harry hal
isabella: bella izzy
jacob: jake
jacqueline: jackie jacqui
james: jim jimmy jamie
janet: jan
jeffrey: jeff
jennifer: jen jenny jenn
jeremy: jerry
jerome: jerry
jessica: jess jessie
john: johnny jack jon
jonathan: jon johnny
joseph: joe joey
joshua: josh
judith: judy
katherine: kate kathy katie kat
kathleen: kathy kath katie
kenneth: ken kenny
kimberly: kim
lawrence: larry
leonard: leo len lenny
margaret: maggie meg peggy marge madge greta
matthew: matt matty
melissa: mel missy lissa
michael: mike mikey mick mickey
michelle: shelly
nancy: nan
nathan: nate
nathaniel: nate nat
nicholas: nick nicky
nicole: nikki nicky
pamela: pam
patricia: pat patty trish tricia
patrick: pat paddy
peter: pete
philip: phil
phillip: phil
raymond: ray
rebecca: becky becca
richard: rick ricky dick rich richie
robert: bob bobby rob robbie bert
ronald: ron ronnie
samantha: sam sammy
samuel: sam sammy
sandra: sandy
stephanie: steph stevie
stephen: steve stevie
steven: steve stevie
susan: sue susie
theodore: ted teddy theo
thomas: tom tommy
timothy: tim timmy
victoria: vicky tori vic
virginia: ginny ginger
walter: walt wally
william: bill billy will willie liam
zachary: zach zack
"""


def _nick_map():
    m = collections.defaultdict(set)
    for line in NICKNAMES.strip().splitlines():
        formal, nicks = line.split(":")
        formal = formal.strip()
        m[formal].add(formal)
        for n in nicks.split():
            m[n].add(formal)
            m[n].add(n)
    return {k: frozenset(v) for k, v in m.items()}


NICK = _nick_map()


def first_canon(f):
    """Canon set of a normalised first name: itself plus the formal names it abbreviates."""
    return NICK.get(f) or frozenset((f,))


# Legal-form tokens dropped from the END of a company name (repeatedly, never the last token left).
LEGAL = {
    "inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "corp", "corporation", "co", "company",
    "gmbh", "ag", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "plc", "pty", "kk", "oy", "ab", "as",
    "kabushiki", "kaisha", "sp", "z", "o", "oo", "and",
}
# Dotted abbreviations fold to spaced letters ("L.L.C." -> "l l c"); join them back first.
DOTTED = {"l l c": "llc", "g m b h": "gmbh", "s a s": "sas", "s a": "sa", "a g": "ag", "k k": "kk",
          "l l p": "llp", "n v": "nv", "b v": "bv", "s p a": "spa", "s r l": "srl"}


def company_core(c):
    """'Acme Systems, Inc.' / 'ACME SYSTEMS INCORPORATED' / 'Acme Systems' -> 'acme systems';
    'Smith & Jones LLP' -> 'smith and jones'; 'Müller & Söhne GmbH' -> 'muller and sohne'."""
    f = fold(c.replace("&", " and "))
    if not f:
        return ""
    padded = " " + f + " "
    for k, v in DOTTED.items():
        if " " + k + " " in padded:
            padded = padded.replace(" " + k + " ", " " + v + " ")
    toks = padded.split()
    while len(toks) > 1 and toks[-1] in LEGAL:
        toks.pop()
    return " ".join(toks)


STREET_ABBR = {
    "street": "st", "avenue": "ave", "av": "ave", "road": "rd", "boulevard": "blvd", "drive": "dr",
    "lane": "ln", "court": "ct", "place": "pl", "square": "sq", "highway": "hwy", "parkway": "pkwy",
    "terrace": "ter", "suite": "ste", "apartment": "apt", "north": "n", "south": "s", "east": "e",
    "west": "w", "strasse": "str",
}
UNIT_WORDS = {"ste", "apt", "unit", "fl", "floor", "room", "rm"}


def street_norm(s):
    """Folded, '...strasse' -> '...str' inside words, each token abbreviated by STREET_ABBR."""
    f = fold(s)
    if not f:
        return ""
    if "strasse" in f:
        f = f.replace("strasse", "str")
    return " ".join(STREET_ABBR.get(t, t) for t in f.split())


def house_number(sn):
    """First run of ASCII digits in the normalised street, skipping the token after a unit word:
    'ste 580 8201 elm st' -> '8201', 'hauptstr 42' -> '42', '浦东新区世纪大道100号' -> '100'."""
    skip = False
    for t in sn.split():
        if skip:
            skip = False
            continue
        if t in UNIT_WORDS:
            skip = True
            continue
        start = -1
        for k, ch in enumerate(t):
            if "0" <= ch <= "9":
                if start < 0:
                    start = k
            elif start >= 0:
                return t[start:k]
        if start >= 0:
            return t[start:]
    return ""


# Region of numbers written without a country code: folded Country -> (calling code, trunk prefix).
# (Swift: crmgate's PhoneNumber.e164 with the region from the Country column does this.)
COUNTRY_REGION = {
    "united states": ("1", "1"), "usa": ("1", "1"), "us": ("1", "1"), "canada": ("1", "1"),
    "united kingdom": ("44", "0"), "uk": ("44", "0"), "gb": ("44", "0"),
    "germany": ("49", "0"), "switzerland": ("41", "0"), "austria": ("43", "0"), "france": ("33", "0"),
    "netherlands": ("31", "0"), "spain": ("34", ""), "italy": ("39", ""), "denmark": ("45", ""),
    "sweden": ("46", "0"), "poland": ("48", ""), "brazil": ("55", "0"), "mexico": ("52", ""),
    "australia": ("61", "0"), "japan": ("81", "0"), "china": ("86", "0"), "south korea": ("82", "0"),
    "india": ("91", "0"), "singapore": ("65", ""), "israel": ("972", "0"), "ireland": ("353", "0"),
}


def e164(raw, country):
    """'+1 (415) 555-0101', '415.555.0101', '1-415-555-0101' -> '+14155550101';
    '+44 (0)20 123 4567', '020 123 4567' (UK), '00442012345 67' -> '+44201234567'. Default region US."""
    s = raw.replace("(0)", "").strip()
    if not s:
        return ""
    plus = s.startswith("+")
    d = "".join(c for c in s if "0" <= c <= "9")
    if len(d) < 6:
        return ""
    cc, trunk = COUNTRY_REGION.get(country, ("1", "1"))
    if not plus:
        if d.startswith("00"):
            d, plus = d[2:], True
        elif cc == "1" and d.startswith("011"):
            d, plus = d[3:], True
    if plus:
        return "+" + d
    if cc == "1":
        if len(d) == 11 and d[0] == "1":
            d = d[1:]
        return "+1" + d
    if trunk and d.startswith(trunk):
        d = d[len(trunk):]
    elif len(d) >= 9 and d.startswith(cc):
        d = d[len(cc):]
    return "+" + cc + d


def email_norm(e):
    """Trim, lower-case, drop a '+tag' from the local part; '' unless it has a local part and a domain."""
    e = e.strip().lower()
    local, at, dom = e.rpartition("@")
    if not at:
        return ""
    local = local.split("+", 1)[0]
    if not local or not dom:
        return ""
    return local + "@" + dom


# --------------------------------------------------------------------------- string similarity
def jaro_winkler(a, b):
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if not la or not lb:
        return 0.0
    r = max(la, lb) // 2 - 1
    if r < 0:
        r = 0
    ma = [False] * la
    mb = [False] * lb
    m = 0
    for i in range(la):
        lo, hi = max(0, i - r), min(lb, i + r + 1)
        ca = a[i]
        for j in range(lo, hi):
            if not mb[j] and b[j] == ca:
                ma[i] = mb[j] = True
                m += 1
                break
    if not m:
        return 0.0
    t = 0
    j = 0
    for i in range(la):
        if ma[i]:
            while not mb[j]:
                j += 1
            if a[i] != b[j]:
                t += 1
            j += 1
    t //= 2
    jaro = (m / la + m / lb + (m - t) / m) / 3.0
    p = 0
    for i in range(min(4, la, lb)):
        if a[i] != b[i]:
            break
        p += 1
    return jaro + p * 0.1 * (1.0 - jaro)


def osa_distance(a, b, cap=3):
    """Optimal-string-alignment (restricted Damerau-Levenshtein) distance, stops early above cap."""
    la, lb = len(a), len(b)
    if abs(la - lb) > cap:
        return cap + 1
    prev2 = None
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        best = i
        ca = a[i - 1]
        for j in range(1, lb + 1):
            cost = 0 if ca == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            if v < best:
                best = v
        if best > cap:
            return cap + 1
        prev2, prev = prev, cur
    return prev[lb]


# --------------------------------------------------------------------------- records
class Rec:
    __slots__ = ("email", "phone", "phone7", "first", "firstc", "firstr", "last", "lastr", "company",
                 "street", "hnum", "pc", "city", "title", "tf")


COLS = ["First Name", "Last Name", "Email", "Phone", "Company", "Job Title", "Street", "City",
        "Postcode", "Country"]


def load(path):
    """Reads the needed columns of a lead CSV and normalises them; raw values that repeat (names,
    companies, cities, titles, countries) are normalised once."""
    recs = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        rd = csv.reader(f)
        hdr = next(rd)
        ix = [hdr.index(c) for c in COLS]
        c_first, c_last, c_co, c_fold = {}, {}, {}, {}
        for row in rd:
            fn, ln, em, ph, co, ti, st, ci, pc, cn = (row[i] for i in ix)
            r = Rec()
            r.tf = [0.0] * len(FIELDS)
            r.email = email_norm(em)
            cnf = c_fold.get(cn)
            if cnf is None:
                cnf = c_fold[cn] = fold(cn)
            r.phone = e164(ph, cnf)
            r.phone7 = r.phone[-7:]
            x = c_first.get(fn)
            if x is None:
                f = name_norm(fn)
                x = c_first[fn] = (f, first_canon(f) if f else frozenset(), translit_reduce(f))
            r.first, r.firstc, r.firstr = x
            x = c_last.get(ln)
            if x is None:
                l = name_norm(ln)
                x = c_last[ln] = (l, translit_reduce(l))
            r.last, r.lastr = x
            x = c_co.get(co)
            if x is None:
                x = c_co[co] = company_core(co)
            r.company = x
            r.street = street_norm(st)
            r.hnum = house_number(r.street)
            r.pc = "".join(pc.split()).upper()
            x = c_fold.get(ci)
            if x is None:
                x = c_fold[ci] = fold(ci)
            r.city = x
            x = c_fold.get(ti)
            if x is None:
                x = c_fold[ti] = fold(ti)
            r.title = x
            recs.append(r)
    return recs


# --------------------------------------------------------------------------- blocking
KEY_NAMES = {
    "e": "email", "p": "phone E.164", "pl": "postcode + last[:3]", "pf": "postcode + first canon",
    "cn": "company + first[:2] + last[:2]", "cp": "company + postcode", "sp": "house no. + postcode",
}


def block_keys(r):
    """Blocking keys of one record; two rows are a candidate pair when they share any key.
    Names in keys are the transliteration-reduced forms; first names use every canon (nicknames)."""
    keys = []
    if r.email:
        keys.append("e|" + r.email)
    if r.phone:
        keys.append("p|" + r.phone)
    l3 = r.lastr[:3]
    if r.pc:
        if l3:
            keys.append("pl|" + r.pc + "|" + l3)
        for c in r.firstc:
            keys.append("pf|" + r.pc + "|" + c)
    if r.company and l3:
        for c in r.firstc:
            keys.append("cn|" + r.company + "|" + c[:2] + "|" + l3[:2])
    if r.pc:
        if r.company:
            keys.append("cp|" + r.company + "|" + r.pc)
        if r.hnum:
            keys.append("sp|" + r.hnum + "|" + r.pc)
    return keys


def candidate_pairs(recs, max_block):
    """Distinct candidate pairs as i*n+j (i<j), and per key: blocks, pairs, new pairs, largest block."""
    blocks = collections.defaultdict(list)
    for i, r in enumerate(recs):
        for k in block_keys(r):
            blocks[k].append(i)
    n = len(recs)
    seen = set()
    stats = {k: [0, 0, 0, 0] for k in KEY_NAMES}
    skipped = collections.Counter()
    for k, members in blocks.items():
        m = len(members)
        if m < 2:
            continue
        kind = k.split("|", 1)[0]
        st = stats[kind]
        if m > max_block:
            skipped[kind] += 1
            continue
        st[0] += 1
        st[1] += m * (m - 1) // 2
        st[3] = max(st[3], m)
        before = len(seen)
        for a in range(m):
            ia = members[a] * n
            for b in range(a + 1, m):
                seen.add(ia + members[b])
        st[2] += len(seen) - before
    return seen, stats, skipped


# --------------------------------------------------------------------------- comparisons
_sim_cache = {}


def name_sim(a, b):
    """(OSA distance capped at 3, Jaro-Winkler), memoised: names repeat a lot."""
    key = (a, b) if a < b else (b, a)
    v = _sim_cache.get(key)
    if v is None:
        v = _sim_cache[key] = (osa_distance(a, b, 2), jaro_winkler(a, b))
    return v


FIELDS = ["email", "phone", "first", "last", "company", "street", "location", "title"]
# level 0 = null (a side missing: the field contributes nothing); 1 = strongest agreement; last = disagree
LEVEL_NAMES = {
    "email": ["null", "exact", "different"],
    "phone": ["null", "exact E.164", "last 7 digits", "different"],
    "first": ["null", "exact", "nickname", "translit/OSA<=1", "JW>=0.88", "different"],
    "last": ["null", "exact", "translit/OSA<=1", "JW>=0.88", "different"],
    "company": ["null", "core exact", "token subset/JW>=0.92", "different"],
    "street": ["null", "exact", "same number+JW>=0.85", "different"],
    "location": ["null", "postcode equal", "city equal", "different"],
    "title": ["null", "exact", "different"],
}
NLEVELS = {f: len(v) for f, v in LEVEL_NAMES.items()}


def compare(a, b):
    """Comparison vector (one level per field in FIELDS order)."""
    # email
    if not a.email or not b.email:
        e = 0
    else:
        e = 1 if a.email == b.email else 2
    # phone
    if not a.phone or not b.phone:
        p = 0
    elif a.phone == b.phone:
        p = 1
    elif a.phone7 == b.phone7:
        p = 2
    else:
        p = 3
    # first name
    fa, fb = a.first, b.first
    if not fa or not fb:
        f = 0
    elif fa == fb:
        f = 1
    elif a.firstc & b.firstc:
        f = 2
    elif a.firstr == b.firstr:
        f = 3
    else:
        d, jw = name_sim(fa, fb)
        f = 3 if d <= 1 else (4 if jw >= 0.88 else 5)
    # last name
    la, lb = a.last, b.last
    if not la or not lb:
        l = 0
    elif la == lb:
        l = 1
    elif a.lastr == b.lastr:
        l = 2
    else:
        d, jw = name_sim(la, lb)
        l = 2 if d <= 1 else (3 if jw >= 0.88 else 4)
    # company
    ca, cb = a.company, b.company
    if not ca or not cb:
        c = 0
    elif ca == cb:
        c = 1
    else:
        ta, tb = set(ca.split()), set(cb.split())
        if ta <= tb or tb <= ta or (ca[0] == cb[0] and abs(len(ca) - len(cb)) <= 3
                                    and name_sim(ca, cb)[1] >= 0.92):
            c = 2
        else:
            c = 3
    # street
    sa, sb = a.street, b.street
    if not sa or not sb:
        s = 0
    elif sa == sb:
        s = 1
    elif a.hnum and a.hnum == b.hnum and jaro_winkler(sa, sb) >= 0.85:
        s = 2
    else:
        s = 3
    # location (postcode and city together: they are not independent)
    if a.pc and b.pc:
        if a.pc == b.pc:
            loc = 1
        elif a.city and a.city == b.city:
            loc = 2
        else:
            loc = 3
    elif a.city and b.city:
        loc = 2 if a.city == b.city else 3
    else:
        loc = 0
    # title
    if not a.title or not b.title:
        t = 0
    else:
        t = 1 if a.title == b.title else 2
    return (e, p, f, l, c, s, loc, t)


# --------------------------------------------------------------------------- EM
def em(patterns, m_floor, u_floor, iters=200, tol=1e-9, verbose=False):
    """Fellegi-Sunter EM (conditional independence) on {comparison vector: count}; null levels are
    left out of the likelihood.  m and u both free; after each M step every m (u) level is raised to
    at least m_floor (u_floor) and the field renormalised.  Returns lambda, m, u, iterations."""
    nf = len(FIELDS)
    m, u = [], []
    for f in FIELDS:
        k = NLEVELS[f]
        # start: matches mostly at level 1, non-matches mostly at the last level (halving per step)
        mm = [0.9 / 2 ** i for i in range(k - 1)]
        uu = [0.1 / 2 ** (k - 2 - i) for i in range(k - 1)]
        m.append([0.0] + [x / sum(mm) for x in mm])
        u.append([0.0] + [x / sum(uu) for x in uu])
    lam = 0.1
    items = list(patterns.items())
    total = float(sum(c for _, c in items))
    prev_ll = None
    it = 0
    for it in range(1, iters + 1):
        cm = [[0.0] * NLEVELS[f] for f in FIELDS]
        cu = [[0.0] * NLEVELS[f] for f in FIELDS]
        sum_g = 0.0
        ll = 0.0
        for pat, cnt in items:
            pm, pu = lam, 1.0 - lam
            for fi in range(nf):
                lv = pat[fi]
                if lv:
                    pm *= m[fi][lv]
                    pu *= u[fi][lv]
            z = pm + pu
            g = pm / z
            ll += cnt * math.log(z)
            wm, wu = cnt * g, cnt * (1.0 - g)
            sum_g += wm
            for fi in range(nf):
                lv = pat[fi]
                if lv:
                    cm[fi][lv] += wm
                    cu[fi][lv] += wu
        lam = sum_g / total
        for fi in range(nf):
            for table, counts, floor in ((m, cm, m_floor), (u, cu, u_floor)):
                s = sum(counts[fi][1:])
                if s:
                    v = [max(x / s, floor) for x in counts[fi][1:]]
                    sv = sum(v)
                    table[fi] = [0.0] + [x / sv for x in v]
        if verbose:
            print("  EM iteration %d log-likelihood %.3f lambda %.6f" % (it, ll, lam))
        if prev_ll is not None and abs(ll - prev_ll) < tol * abs(ll):
            break
        prev_ll = ll
    return lam, m, u, it


EXACT_VALUE = {  # the value whose equality is level 1 of each field
    "email": lambda r: r.email, "phone": lambda r: r.phone, "first": lambda r: r.first,
    "last": lambda r: r.last, "company": lambda r: r.company, "street": lambda r: r.street,
    "location": lambda r: r.pc, "title": lambda r: r.title,
}
TF_FIELDS = ("first", "last", "company", "street", "location", "title")


def exact_u_and_tf(recs, use_tf=True):
    """u of level 1 per field from value frequencies: P(two random records that both have the field
    share the value) = sum c(c-1) / (M(M-1)) over value counts c, M = records with a value.
    Sets each record's term-frequency penalty r.tf[field] = log2(max(p_v, u1) / u1) >= 0 for its
    value v (p_v = c_v / M): agreeing on a common value ("Smith", "CEO", a street that a whole
    district shares) weighs less than the field's average; agreeing on a rare one never weighs more."""
    u1 = []
    for fi, f in enumerate(FIELDS):
        get = EXACT_VALUE[f]
        cnt = collections.Counter(get(r) for r in recs)
        cnt.pop("", None)
        mtot = sum(cnt.values())
        same = sum(c * (c - 1) for c in cnt.values())
        u = same / (mtot * (mtot - 1)) if mtot > 1 else 0.0
        u1.append(u)
        if use_tf and f in TF_FIELDS and u > 0:
            pen = {v: math.log2(c / mtot / u) for v, c in cnt.items() if c / mtot > u}
            for r in recs:
                r.tf[fi] = pen.get(get(r), 0.0)
    return u1


def random_pair_u(recs, n_pairs, seed=1, use_tf=True):
    """u-probabilities of random record pairs (nearly all non-matches) over non-null comparisons:
    level 1 from value frequencies (exact_u_and_tf); the other levels share 1 - u1 in the
    proportions seen on n_pairs random pairs, add-one smoothed (no level gets u = 0).
    (For location, level 1 is 'postcode equal'.)"""
    u1 = exact_u_and_tf(recs, use_tf)
    rnd = random.Random(seed)
    n = len(recs)
    cnt = [[0] * NLEVELS[f] for f in FIELDS]
    for _ in range(n_pairs):
        i, j = rnd.randrange(n), rnd.randrange(n)
        if i == j:
            continue
        for fi, lv in enumerate(compare(recs[i], recs[j])):
            cnt[fi][lv] += 1
    u = []
    for fi, f in enumerate(FIELDS):
        k = NLEVELS[f]
        rest = sum(cnt[fi][2:])
        u.append([0.0, u1[fi]] + [(1.0 - u1[fi]) * (cnt[fi][l] + 1.0) / (rest + k - 2) for l in range(2, k)])
    return u


def weights_table(m, u):
    return [[0.0] + [math.log2(m[fi][l] / u[fi][l]) for l in range(1, NLEVELS[f])]
            for fi, f in enumerate(FIELDS)]


def score(pat, W, r=None):
    """Match weight (bits) of a comparison vector; r (either record of the pair) brings the
    term-frequency penalties of the values on which the pair agrees exactly."""
    w = 0.0
    for fi, lv in enumerate(pat):
        if lv:
            w += W[fi][lv]
            if lv == 1 and r is not None:
                w -= r.tf[fi]
    return w


# --------------------------------------------------------------------------- clustering
class UF:
    """Union-find with path halving; member lists kept for the chaining guard."""

    def __init__(self, n):
        self.p = list(range(n))
        self.members = {}

    def find(self, x):
        p = self.p
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def mem(self, r):
        return self.members.get(r) or [r]

    def union(self, a, b):
        ma, mb = self.mem(a), self.mem(b)
        if len(ma) < len(mb):
            a, b, ma, mb = b, a, mb, ma
        self.p[b] = a
        self.members[a] = ma + mb
        self.members.pop(b, None)


def cluster(n, edges, recs, W, guard, max_cluster):
    """edges: (weight, i, j) at or above the match weight.  Merged in descending weight order (ties
    by i, j); two clusters merge only if every cross pair weighs >= guard and the size cap holds."""
    uf = UF(n)
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))
    refused = refused_size = 0
    for w, i, j in edges:
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj:
            continue
        mi, mj = uf.mem(ri), uf.mem(rj)
        if len(mi) + len(mj) > max_cluster:
            refused_size += 1
            continue
        ok = True
        if len(mi) > 1 or len(mj) > 1:
            for x in mi:
                rx = recs[x]
                for y in mj:
                    if score(compare(rx, recs[y]), W, rx) < guard:
                        ok = False
                        break
                if not ok:
                    break
        if not ok:
            refused += 1
            continue
        uf.union(ri, rj)
    return [uf.find(i) for i in range(n)], refused, refused_size


def clusters_from_keys(recs, use_phone):
    """Baselines: rows sharing the normalised email (and, with use_phone, the E.164 phone)."""
    uf = UF(len(recs))
    first = {}
    for i, r in enumerate(recs):
        keys = ["e|" + r.email] if r.email else []
        if use_phone and r.phone:
            keys.append("p|" + r.phone)
        for k in keys:
            j = first.setdefault(k, i)
            a, b = uf.find(i), uf.find(j)
            if a != b:
                uf.p[b] = a
    return [uf.find(i) for i in range(len(recs))]


def cluster_summary(labels):
    sizes = collections.Counter(collections.Counter(labels).values())
    pairs = sum(cnt * k * (k - 1) // 2 for k, cnt in sizes.items())
    return len(set(labels)), pairs, sorted(sizes.items())


# --------------------------------------------------------------------------- evaluation (--truth)
def load_truth(path):
    orig, var = [], []
    with open(path, newline="", encoding="utf-8") as f:
        rd = csv.reader(f)
        next(rd)
        for rid, oid, v in rd:
            orig.append(int(oid) - 1)
            var.append(v)
    return orig, var


def evaluate(labels, orig, var):
    """score_dedupe.py's figures, plus the duplicates whose email was changed or dropped
    (variation email_alt or email_missing) found in their original's cluster."""
    groups = collections.defaultdict(list)
    for i, c in enumerate(labels):
        groups[c].append(i)
    ppairs = tp = 0
    for mem in groups.values():
        k = len(mem)
        if k > 1:
            ppairs += k * (k - 1) // 2
            cc = collections.Counter(orig[x] for x in mem)
            tp += sum(v * (v - 1) // 2 for v in cc.values())
    tpairs = sum(v * (v - 1) // 2 for v in collections.Counter(orig).values())
    prec = tp / ppairs if ppairs else 1.0
    rec = tp / tpairs if tpairs else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    dups = [i for i in range(len(orig)) if orig[i] != i]
    found = sum(1 for i in dups if labels[i] == labels[orig[i]])
    hard = [i for i in dups if "email_alt" in var[i].split(";") or "email_missing" in var[i].split(";")]
    hard_found = sum(1 for i in hard if labels[i] == labels[orig[i]])
    return dict(prec=prec, rec=rec, f1=f1, ppairs=ppairs, tpairs=tpairs, dups=len(dups), found=found,
                hard=len(hard), hard_found=hard_found)


def fmt_eval(name, ev):
    return ("%-15s P %.4f  R %.4f  F1 %.4f  (pairs %d predicted, %d true)  duplicate rows found %d/%d, "
            "with changed/missing email %d/%d (%.1f%%)" % (
                name, ev["prec"], ev["rec"], ev["f1"], ev["ppairs"], ev["tpairs"], ev["found"], ev["dups"],
                ev["hard_found"], ev["hard"], 100.0 * ev["hard_found"] / max(1, ev["hard"])))


# --------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("leads")
    ap.add_argument("--out", required=True, help="clusters CSV: row,source_id,cluster")
    ap.add_argument("--truth", help="gen_leads.py truth file, for diagnostics only")
    ap.add_argument("--max-block", type=int, default=500, help="skip blocks with more rows")
    ap.add_argument("--match", type=float, default=0.99, help="posterior P(match) to merge")
    ap.add_argument("--review", type=float, default=0.5,
                    help="posterior for the review list and the chaining guard")
    ap.add_argument("--max-cluster", type=int, default=50)
    ap.add_argument("--m-floor", type=float, default=0.01,
                    help="lower bound of every m-probability (caps what one disagreeing field costs)")
    ap.add_argument("--u-floor", type=float, default=1e-4, help="lower bound of every u-probability in EM")
    ap.add_argument("--u-from", choices=["random", "em"], default="random",
                    help="u for scoring: random record pairs (default) or the EM's (ablation)")
    ap.add_argument("--u-pairs", type=int, default=1_000_000, help="random pairs sampled for u")
    ap.add_argument("--no-tf", action="store_true", help="no term-frequency penalties (ablation)")
    ap.add_argument("--review-out", help="write pairs between --review and --match (row_a,row_b,weight,posterior)")
    ap.add_argument("--sweep", action="store_true", help="with --truth: scores for a range of match weights")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()

    T = {}
    t0 = time.perf_counter()
    recs = load(a.leads)
    n = len(recs)
    T["read+normalise"] = time.perf_counter() - t0

    t = time.perf_counter()
    pairs, stats, skipped = candidate_pairs(recs, a.max_block)
    T["blocking"] = time.perf_counter() - t
    print("rows %d" % n)
    print("blocking (blocks over %d rows skipped); 'new' = pairs no earlier key produced:" % a.max_block)
    for kind, (nb, np_, new, big) in stats.items():
        print("  %-3s %-30s blocks %8d  pairs %10d  new %10d  largest block %4d  skipped %d"
              % (kind, KEY_NAMES[kind], nb, np_, new, big, skipped[kind]))
    print("  candidate pairs compared (distinct): %d (%.2f per row)" % (len(pairs), len(pairs) / max(1, n)))

    t = time.perf_counter()
    pair_list = sorted(pairs)
    del pairs
    pats = []
    counts = collections.Counter()
    for p in pair_list:
        i, j = divmod(p, n)
        pat = compare(recs[i], recs[j])
        pats.append(pat)
        counts[pat] += 1
    T["compare"] = time.perf_counter() - t
    print("distinct comparison vectors: %d" % len(counts))

    # EM with m and u both free on the candidates: m (how matches look) and lambda are kept.  The u it
    # finds describes non-matching *candidates*, which agree on the blocked fields by construction;
    # scoring uses u of random record pairs instead.  (EM with u fixed to the random-pair u
    # collapses: every candidate looks like a match next to random pairs, lambda -> 1.)
    t = time.perf_counter()
    lam, m, u_cand, iters = em(counts, a.m_floor, a.u_floor, verbose=a.verbose)
    T["EM"] = time.perf_counter() - t
    t = time.perf_counter()
    if a.u_from == "random":
        u = random_pair_u(recs, a.u_pairs, use_tf=not a.no_tf)
        exp_matches = lam * len(pair_list)
        prior = math.log2(exp_matches / (n * (n - 1) / 2.0 - exp_matches))
    else:
        u = u_cand
        prior = math.log2(lam / (1 - lam))
    W = weights_table(m, u)
    T["u+tf"] = time.perf_counter() - t
    print("EM: %d iterations; lambda %.5f of the candidates match (%.0f pairs)"
          % (iters, lam, lam * len(pair_list)))
    print("  %-9s %-22s %9s %11s %8s   %s" % ("field", "level", "m", "u", "weight", "u among candidates (EM)"))
    for fi, f in enumerate(FIELDS):
        for lv in range(1, NLEVELS[f]):
            print("  %-9s %-22s %9.5f %11.8f %8.2f   %.7f" % (f, LEVEL_NAMES[f][lv], m[fi][lv], u[fi][lv],
                                                           W[fi][lv], u_cand[fi][lv]))

    def weight_for(p):
        return math.log2(p / (1 - p)) - prior

    thr_match, thr_review = weight_for(a.match), weight_for(a.review)
    print("prior log2 odds %.2f; match: weight >= %.2f (posterior >= %g); review and guard: weight >= %.2f "
          "(posterior >= %g)" % (prior, thr_match, a.match, thr_review, a.review))

    t = time.perf_counter()
    weights = []
    edges, review = [], []
    for p, pat in zip(pair_list, pats):
        i, j = divmod(p, n)
        w = score(pat, W, recs[i])
        weights.append(w)
        if w >= thr_match:
            edges.append((w, i, j))
        elif w >= thr_review:
            review.append((w, i, j))
    n_match = len(edges)
    labels, refused, refused_size = cluster(n, edges, recs, W, thr_review, a.max_cluster)
    T["score+cluster"] = time.perf_counter() - t
    ncl, cpairs, sizes = cluster_summary(labels)
    print("matched pairs %d, review pairs %d, merges refused by the guard %d, by the size cap %d"
          % (n_match, len(review), refused, refused_size))
    print("clusters %d for %d rows (%d rows merged away); pairs inside clusters %d; sizes %s"
          % (ncl, n, n - ncl, cpairs, sizes))

    t = time.perf_counter()
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["row", "source_id", "cluster"])
        for i, c in enumerate(labels):
            wr.writerow([i + 1, i + 1, c + 1])
    if a.review_out:
        with open(a.review_out, "w", newline="", encoding="utf-8") as f:
            wr = csv.writer(f, lineterminator="\n")
            wr.writerow(["row_a", "row_b", "weight", "posterior"])
            for w, i, j in sorted(review, key=lambda e: (-e[0], e[1], e[2])):
                wr.writerow([i + 1, j + 1, "%.2f" % w, "%.4f" % (1.0 / (1.0 + 2.0 ** -(w + prior)))])
    T["write"] = time.perf_counter() - t
    T["total"] = time.perf_counter() - t0
    print("time: " + ", ".join("%s %.1f s" % kv for kv in T.items()))

    base_email = clusters_from_keys(recs, False)
    base_ep = clusters_from_keys(recs, True)
    for name, lab in (("exact email", base_email), ("email or phone", base_ep)):
        ncl_b, pairs_b, _ = cluster_summary(lab)
        print("baseline %-15s clusters %d, pairs inside clusters %d" % (name, ncl_b, pairs_b))

    if not a.truth:
        return
    orig, var = load_truth(a.truth)
    print("diagnostics (the truth file is used only here):")
    pairset = set(pair_list)
    dups = [i for i in range(n) if orig[i] != i]
    missed = sum(1 for i in dups if orig[i] * n + i not in pairset)
    print("  blocking: duplicate-original pairs not among the candidates %d / %d" % (missed, len(dups)))
    is_match = [orig[p // n] == orig[p % n] for p in pair_list]
    print("  candidate pairs that truly match %d (EM estimated %.0f)" % (sum(is_match), lam * len(pair_list)))
    print("  " + fmt_eval("exact email", evaluate(base_email, orig, var)))
    print("  " + fmt_eval("email or phone", evaluate(base_ep, orig, var)))
    print("  " + fmt_eval("FS+EM", evaluate(labels, orig, var)))
    fp = sum(1 for w, mt in zip(weights, is_match) if w >= thr_match and not mt)
    fn = sum(1 for w, mt in zip(weights, is_match) if w < thr_match and mt)
    print("  pair level, before clustering: %d false matches, %d matching candidates below the match weight"
          % (fp, fn))
    if a.sweep:
        for d in (-16, -12, -8, -6, -4, -2, 0, 2, 4, 8):
            thr = thr_match + d
            ed = [(w, p // n, p % n) for w, p in zip(weights, pair_list) if w >= thr]
            lab, rf, _ = cluster(n, ed, recs, W, min(thr_review, thr), a.max_cluster)
            print("  match weight %5.1f (%+3d): refused %4d  %s" % (thr, d, rf, fmt_eval("", evaluate(lab, orig, var))))
    if a.verbose:
        wrong = [(w, p, pat) for w, p, pat, mt in zip(weights, pair_list, pats, is_match)
                 if (w >= thr_match) != mt]
        wrong.sort(key=lambda x: -x[0])
        for w, p, pat in wrong[:40]:
            i, j = divmod(p, n)
            kind = "false match" if w >= thr_match else "missed"
            print("   %-11s %6.1f %s rows %d %d [%s] [%s]" % (kind, w, pat, i + 1, j + 1, var[i], var[j]))


if __name__ == "__main__":
    main()
