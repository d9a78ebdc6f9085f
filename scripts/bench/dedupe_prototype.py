#!/usr/bin/env python3
"""Prototype of unsupervised fuzzy lead deduplication (Fellegi-Sunter + EM), standard library only.

    dedupe_prototype.py LEADS.csv --out clusters.csv [--truth truth.csv] [--review review.csv]

Pipeline (the Swift implementation follows the same steps):
  1. normalise each row (email, E.164 phone, folded names + nickname canon, company core,
     street, postcode/city);
  2. blocking: several keys per row, pairs inside each block (blocks above --max-block rows are
     skipped and reported), pairs de-duplicated across keys;
  3. comparison vector per candidate pair (a small integer level per field);
  4. EM on the counts of distinct comparison vectors -> m/u per level, prior lambda;
  5. match weight = sum over fields of log2(m/u); posterior from lambda;
  6. union-find over matched pairs in descending weight order, with a chaining guard
     (every cross pair of the two clusters must score above --guard, cluster size cap);
  7. writes `row,source_id,cluster` (what score_dedupe.py reads), prints counts and time.

--truth (gen_leads.py --truth) is used only for diagnostics printed at the end (blocking recall,
pairwise precision/recall/F1, recall on duplicates whose email changed or is missing); it never
influences the model.
"""

import argparse
import collections
import csv
import math
import random
import sys
import time
import unicodedata

# --------------------------------------------------------------------------- normalisation
SPECIAL_FOLD = str.maketrans({
    "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ı": "i", "æ": "ae", "Æ": "ae",
    "œ": "oe", "Œ": "oe", "þ": "th", "ß": "ss", "ð": "d",
})


def fold(s):
    """Trim, strip diacritics (NFKD minus combining marks), casefold, special letters.
    Keeps letters/digits of any script; every other char becomes a space; spaces collapsed."""
    s = s.strip()
    if not s:
        return ""
    if not s.isascii():
        s = s.translate(SPECIAL_FOLD)
        s = unicodedata.normalize("NFKD", s)
        s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.lower()
    out = []
    for c in s:
        out.append(c if c.isalnum() else " ")
    return " ".join("".join(out).split())


def translit_reduce(s):
    """German/Nordic transliteration folded away: 'mueller'/'muller' -> 'muller', 'aa' -> 'a'."""
    return s.replace("ae", "a").replace("oe", "o").replace("ue", "u").replace("aa", "a")


# Common English given-name hypocorisms (hand-curated; every nickname maps to one or more formal
# names; comparison says "nickname" when the two names share a canonical).
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
    """Canonical formal names of a folded first name (itself when not in the table)."""
    return NICK.get(f) or frozenset((f,))


LEGAL = {
    "inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "corp", "corporation", "co", "company",
    "gmbh", "ag", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "plc", "pty", "kk", "oy", "ab", "as",
    "kabushiki", "kaisha", "sp", "z", "o", "oo", "and",
}
# multi-letter abbreviations written with dots fold to single letters: "l l c", "g m b h", "s a"
DOTTED = {"l l c": "llc", "g m b h": "gmbh", "s a s": "sas", "s a": "sa", "a g": "ag", "k k": "kk",
          "l l p": "llp", "n v": "nv", "b v": "bv", "s p a": "spa", "s r l": "srl"}


def company_core(c):
    """Folded company name with '&' -> 'and', dotted abbreviations joined, trailing legal-form
    tokens removed (never all tokens)."""
    c = c.replace("&", " and ")
    f = fold(c)
    if not f:
        return ""
    if "." in c or " " in f:
        for k, v in DOTTED.items():
            if (" " + k + " ") in (" " + f + " "):
                f = (" " + f + " ").replace(" " + k + " ", " " + v + " ").strip()
    toks = f.split()
    while len(toks) > 1 and toks[-1] in LEGAL:
        toks.pop()
    return " ".join(toks)


STREET_ABBR = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "road": "rd", "boulevard": "blvd",
    "drive": "dr", "lane": "ln", "court": "ct", "place": "pl", "square": "sq", "highway": "hwy",
    "parkway": "pkwy", "terrace": "ter", "suite": "ste", "apartment": "apt", "north": "n", "south": "s",
    "east": "e", "west": "w", "strasse": "str", "straße": "str",
}


def street_norm(s):
    f = fold(s.replace("straße", "str").replace("strasse", "str").replace("Straße", "Str"))
    if not f:
        return ""
    return " ".join(STREET_ABBR.get(t, t) for t in f.split())


def house_number(sn):
    """First run of ASCII digits in the normalised street ('5479 franklin ave' -> '5479',
    'hauptstr 42' -> '42', '浦东新区世纪大道100号' -> '100')."""
    start = -1
    for k, ch in enumerate(sn):
        if "0" <= ch <= "9":
            if start < 0:
                start = k
        elif start >= 0:
            return sn[start:k]
    return sn[start:] if start >= 0 else ""


# Region for phone numbers written without a country code: country column -> (calling code, trunk)
COUNTRY_REGION = {
    "united states": ("1", "1"), "usa": ("1", "1"), "us": ("1", "1"), "canada": ("1", "1"),
    "united kingdom": ("44", "0"), "uk": ("44", "0"), "gb": ("44", "0"),
    "germany": ("49", "0"), "switzerland": ("41", "0"), "austria": ("43", "0"), "france": ("33", "0"),
    "netherlands": ("31", "0"), "spain": ("34", ""), "italy": ("39", ""), "denmark": ("45", ""),
    "sweden": ("46", "0"), "poland": ("48", ""), "brazil": ("55", "0"), "mexico": ("52", ""),
    "australia": ("61", "0"), "japan": ("81", "0"), "china": ("86", "0"), "south korea": ("82", "0"),
    "india": ("91", "0"), "singapore": ("65", ""), "israel": ("972", "0"), "ireland": ("353", "0"),
}
CC3 = {"972", "353", "852", "971", "966", "420", "421", "380", "351", "358", "354", "359", "370"}


def cc_len(d):
    if d[:1] in ("1", "7"):
        return 1
    if d[:3] in CC3:
        return 3
    return 2


def e164(raw, country):
    raw = raw.replace("(0)", "")
    s = raw.strip()
    if not s:
        return ""
    plus = s.startswith("+")
    d = "".join(c for c in s if c.isdigit())
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
    e = e.strip().lower()
    if "@" not in e:
        return ""
    local, _, dom = e.rpartition("@")
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
    __slots__ = ("email", "phone", "phone7", "first", "firstc", "last", "lastr", "company", "street",
                 "hnum", "pc", "city", "title", "country", "tf")


COLS = ["First Name", "Last Name", "Email", "Phone", "Company", "Job Title", "Street", "City",
        "Postcode", "Country"]


def load(path):
    recs = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        rd = csv.reader(f)
        hdr = next(rd)
        ix = [hdr.index(c) for c in COLS]
        cache_first, cache_last, cache_co, cache_fold = {}, {}, {}, {}
        for row in rd:
            fn, ln, em, ph, co, ti, st, ci, pc, cn = (row[i] for i in ix)
            r = Rec()
            r.tf = [0.0] * len(FIELDS)
            r.email = email_norm(em)
            cnf = cache_fold.get(cn)
            if cnf is None:
                cnf = cache_fold[cn] = fold(cn)
            r.country = cnf
            r.phone = e164(ph, cnf)
            r.phone7 = r.phone[-7:] if r.phone else ""
            x = cache_first.get(fn)
            if x is None:
                f = fold(fn)
                x = cache_first[fn] = (f, first_canon(f) if f else frozenset())
            r.first, r.firstc = x
            x = cache_last.get(ln)
            if x is None:
                l = fold(ln)
                x = cache_last[ln] = (l, translit_reduce(l.replace(" ", "")))
            r.last, r.lastr = x
            x = cache_co.get(co)
            if x is None:
                x = cache_co[co] = company_core(co)
            r.company = x
            r.street = street_norm(st)
            r.hnum = house_number(r.street)
            r.pc = "".join(pc.split()).upper()
            x = cache_fold.get(ci)
            if x is None:
                x = cache_fold[ci] = fold(ci)
            r.city = x
            x = cache_fold.get(ti)
            if x is None:
                x = cache_fold[ti] = fold(ti)
            r.title = x
            recs.append(r)
    return recs


# --------------------------------------------------------------------------- blocking
def block_keys(r):
    """Blocking keys of one record; a pair is a candidate when the two rows share any key."""
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
    blocks = collections.defaultdict(list)
    for i, r in enumerate(recs):
        for k in block_keys(r):
            blocks[k].append(i)
    n = len(recs)
    seen = set()
    stats = collections.OrderedDict()
    skipped = collections.Counter()
    for k, members in blocks.items():
        kind = k.split("|", 1)[0]
        st = stats.setdefault(kind, [0, 0, 0, 0])  # blocks, pairs (with repeats), new pairs, largest
        m = len(members)
        if m < 2:
            continue
        if m > st[3]:
            st[3] = m
        if m > max_block:
            skipped[kind] += 1
            continue
        st[0] += 1
        st[1] += m * (m - 1) // 2
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
    key = (a, b) if a < b else (b, a)
    v = _sim_cache.get(key)
    if v is None:
        v = _sim_cache[key] = (osa_distance(a, b, 2), jaro_winkler(a, b))
    return v


FIELDS = ["email", "phone", "first", "last", "company", "street", "location", "title"]
# levels: 0 = null (a side missing: contributes nothing); 1 = strongest agreement ... last = disagree
NLEVELS = {"email": 3, "phone": 4, "first": 6, "last": 5, "company": 4, "street": 4, "location": 4,
           "title": 3}
LEVEL_NAMES = {
    "email": ["null", "exact", "different"],
    "phone": ["null", "exact E.164", "last 7 digits", "different"],
    "first": ["null", "exact", "nickname", "OSA<=1", "JW>=0.88", "different"],
    "last": ["null", "exact", "translit/OSA<=1", "JW>=0.88", "different"],
    "company": ["null", "core exact", "token-set / JW>=0.92", "different"],
    "street": ["null", "exact", "same number + JW>=0.85", "different"],
    "location": ["null", "postcode (+city)", "city only", "different"],
    "title": ["null", "exact", "different"],
}


def compare(a, b):
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
    # location
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
def em(patterns, iters=200, tol=1e-9, fixed_u=None, verbose=False, m_floor=1e-6, u_floor=1e-7):
    """Fellegi-Sunter EM on {pattern tuple: count}. Null level 0 is ignored (factor 1).
    Returns (lambda, m, u) with m[f][level], u[f][level]."""
    nf = len(FIELDS)
    m = []
    u = []
    for fi, name in enumerate(FIELDS):
        k = NLEVELS[name]
        # init: matches agree, non-matches disagree
        mm = [0.0] + [0.9 / 2 ** i for i in range(k - 1)]
        uu = [0.0] + [0.1 / 2 ** (k - 2 - i) for i in range(k - 1)]
        sm, su = sum(mm[1:]), sum(uu[1:])
        m.append([0.0] + [x / sm for x in mm[1:]])
        u.append([0.0] + [x / su for x in uu[1:]])
    if fixed_u is not None:
        u = [list(x) for x in fixed_u]
    lam = 0.1
    items = list(patterns.items())
    total = float(sum(c for _, c in items))
    prev_ll = None
    for it in range(iters):
        cm = [[0.0] * NLEVELS[f] for f in FIELDS]
        cu = [[0.0] * NLEVELS[f] for f in FIELDS]
        sm_ = 0.0
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
            sm_ += wm
            for fi in range(nf):
                lv = pat[fi]
                if lv:
                    cm[fi][lv] += wm
                    cu[fi][lv] += wu
        lam = sm_ / total
        for fi in range(nf):
            s = sum(cm[fi][1:])
            if s:
                mm = [max(x / s, m_floor) for x in cm[fi][1:]]
                sm2 = sum(mm)
                m[fi] = [0.0] + [x / sm2 for x in mm]
            if fixed_u is None:
                s = sum(cu[fi][1:])
                if s:
                    uu = [max(x / s, u_floor) for x in cu[fi][1:]]
                    su2 = sum(uu)
                    u[fi] = [0.0] + [x / su2 for x in uu]
        if verbose and it % 10 == 0:
            print("  EM iter %d ll %.3f lambda %.5f" % (it, ll, lam))
        if prev_ll is not None and abs(ll - prev_ll) < tol * abs(ll):
            break
        prev_ll = ll
    return lam, m, u, it + 1


def weights_table(m, u):
    return [[0.0] + [math.log2(m[fi][l] / u[fi][l]) for l in range(1, NLEVELS[f])]
            for fi, f in enumerate(FIELDS)]


def score(pat, W, r=None):
    """Match weight of a comparison vector; r (either record of the pair) brings the
    term-frequency penalties of its values for the fields that agree exactly."""
    w = 0.0
    for fi, lv in enumerate(pat):
        if lv:
            w += W[fi][lv]
            if lv == 1 and r is not None:
                w -= r.tf[fi]
    return w


TF_FIELDS = ("first", "last", "company", "street", "location", "title")


def exact_u_and_tf(recs, use_tf=True):
    """u of level 1 per field from value frequencies (see random_pair_u), and per record the
    term-frequency penalty log2(max(p_v, u1) / u1) >= 0 of its value v (p_v = share of records with
    v): agreeing on a common value ("Smith", "CEO", a street that half a city shares) weighs less
    than the field's average; agreeing on a rare value never weighs more."""
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
            pen = {}
            for v, c in cnt.items():
                pv = c / mtot
                if pv > u:
                    pen[v] = math.log2(pv / u)
            for r in recs:
                r.tf[fi] = pen.get(get(r), 0.0)
    return u1


EXACT_VALUE = {  # the value whose equality is level 1 of each field
    "email": lambda r: r.email, "phone": lambda r: r.phone, "first": lambda r: r.first,
    "last": lambda r: r.last, "company": lambda r: r.company, "street": lambda r: r.street,
    "location": lambda r: r.pc, "title": lambda r: r.title,
}


def random_pair_u(recs, n_pairs, seed=1, use_tf=True):
    """u-probabilities of random record pairs (nearly all are non-matches), over non-null comparisons.

    Level 1 (exact agreement) comes from value frequencies: P(two random records with the value
    present share it) = sum c(c-1) / (M(M-1)), exact and free of sampling noise (matters for email
    and phone, where it is ~1e-7).  The other levels split the remaining 1-u1 in the proportions seen
    on n_pairs random pairs that are not exact (add-one smoothing: no level gets u = 0).
    (location level 1 is "postcode equal"; the rare pairs where postcodes are missing and cities
    agree are counted in the sample.)"""
    u1 = exact_u_and_tf(recs, use_tf)
    rnd = random.Random(seed)
    n = len(recs)
    cnt = [[0] * NLEVELS[f] for f in FIELDS]
    for _ in range(n_pairs):
        i, j = rnd.randrange(n), rnd.randrange(n)
        if i == j:
            continue
        pat = compare(recs[i], recs[j])
        for fi, lv in enumerate(pat):
            cnt[fi][lv] += 1
    u = []
    for fi, f in enumerate(FIELDS):
        k = NLEVELS[f]
        rest = sum(cnt[fi][2:])
        uu = [0.0, u1[fi]] + [(1.0 - u1[fi]) * (cnt[fi][l] + 1.0) / (rest + k - 2) for l in range(2, k)]
        u.append(uu)
    return u


# --------------------------------------------------------------------------- clustering
class UF:
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
    """edges: list of (weight, i, j) above the match threshold."""
    uf = UF(n)
    edges.sort(key=lambda e: -e[0])
    refused = 0
    refused_size = 0
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
    uf = UF(len(recs))
    first = {}
    for i, r in enumerate(recs):
        for k in (("e|" + r.email) if r.email else None, ("p|" + r.phone) if use_phone and r.phone else None):
            if k is None:
                continue
            j = first.setdefault(k, i)
            if j != i:
                a, b = uf.find(i), uf.find(j)
                if a != b:
                    uf.p[b] = a
    return [uf.find(i) for i in range(len(recs))]


# --------------------------------------------------------------------------- evaluation
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
    tc = collections.Counter(orig)
    tpairs = sum(v * (v - 1) // 2 for v in tc.values())
    prec = tp / ppairs if ppairs else 1.0
    rec = tp / tpairs if tpairs else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    dups = [i for i in range(len(orig)) if orig[i] != i]
    found = [i for i in dups if labels[i] == labels[orig[i]]]
    hard = [i for i in dups if "email_alt" in var[i] or "email_missing" in var[i]]
    hard_found = [i for i in hard if labels[i] == labels[orig[i]]]
    return dict(prec=prec, rec=rec, f1=f1, ppairs=ppairs, tpairs=tpairs, tp=tp, dups=len(dups),
                found=len(found), hard=len(hard), hard_found=len(hard_found))


def fmt_eval(name, ev):
    return ("%-22s P %.4f  R %.4f  F1 %.4f  (pred pairs %d, true pairs %d)  dup rows found %d/%d  "
            "changed/missing-email dups found %d/%d (%.1f%%)" % (
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
    ap.add_argument("--review", type=float, default=0.5, help="posterior P(match) for the review list")
    ap.add_argument("--guard", type=float, default=None,
                    help="chaining guard: minimum weight of every cross pair when two clusters merge "
                         "(default: the weight at which the posterior is --review)")
    ap.add_argument("--max-cluster", type=int, default=50)
    ap.add_argument("--u-from", choices=["em", "random"], default="random",
                    help="u-probabilities for scoring: from random record pairs (default) or the EM's")
    ap.add_argument("--u-pairs", type=int, default=1_000_000, help="random pairs sampled for u")
    ap.add_argument("--m-floor", type=float, default=0.01,
                    help="lower bound of every m-probability (caps the penalty of one disagreeing field)")
    ap.add_argument("--u-floor", type=float, default=1e-4, help="lower bound of every u-probability in EM")
    ap.add_argument("--no-tf", action="store_true", help="no term-frequency penalties")
    ap.add_argument("--sweep", action="store_true", help="with --truth: F1 for a range of match weights")
    ap.add_argument("--review-out", help="write review pairs (row_a,row_b,weight,posterior)")
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
    print("blocking (max block %d rows):" % a.max_block)
    for kind, (nb, np_, new, big) in stats.items():
        print("  key %-3s blocks>=2 %8d  pairs %10d  new pairs %10d  largest block %5d  skipped blocks %d"
              % (kind, nb, np_, new, big, skipped[kind]))
    print("  candidate pairs (distinct) %d  (%.2f per row)" % (len(pairs), len(pairs) / max(1, n)))

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
    print("distinct comparison vectors %d" % len(counts))

    t = time.perf_counter()
    # EM with m and u both free on the candidate pairs: m (how matches look) and lambda (the share
    # of candidates that match) are what we keep.  The u it finds describes non-matching
    # *candidates*, which agree on the blocked fields by construction, so for scoring u comes from
    # random record pairs instead (--u-from random, the default).
    lam, m, u_cand, iters = em(counts, verbose=a.verbose, m_floor=a.m_floor, u_floor=a.u_floor)
    if a.u_from == "random":
        u = random_pair_u(recs, a.u_pairs, use_tf=not a.no_tf)
    else:
        u = u_cand
    W = weights_table(m, u)
    T["EM"] = time.perf_counter() - t
    print("EM: %d iterations, lambda (share of candidate pairs that match) %.5f -> %.0f matching pairs"
          % (iters, lam, lam * len(pair_list)))
    print("  %-9s %-24s %9s %11s %8s %11s" % ("field", "level", "m", "u", "weight", "u(EM cand)"))
    for fi, f in enumerate(FIELDS):
        for lv in range(1, NLEVELS[f]):
            print("  %-9s %-24s %9.5f %11.7f %8.2f %11.7f" % (f, LEVEL_NAMES[f][lv], m[fi][lv], u[fi][lv],
                                                         W[fi][lv], u_cand[fi][lv]))
    if a.u_from == "random":
        # u describes random pairs, so the prior is that of a random pair: the matches EM found among
        # the candidates (blocking misses almost none) over all n(n-1)/2 pairs.
        all_pairs = n * (n - 1) / 2.0
        exp_matches = lam * len(pair_list)
        prior = math.log2(exp_matches / (all_pairs - exp_matches))
    else:
        prior = math.log2(lam / (1 - lam))

    def wthr(p):
        return math.log2(p / (1 - p)) - prior

    thr_match, thr_review = wthr(a.match), wthr(a.review)
    guard = a.guard if a.guard is not None else thr_review
    print("prior log2 odds %.2f; match weight >= %.2f (P>=%.3f), review >= %.2f (P>=%.2f), guard %.2f"
          % (prior, thr_match, a.match, thr_review, a.review, guard))

    t = time.perf_counter()
    edges = []
    review = []
    for p, pat in zip(pair_list, pats):
        i, j = divmod(p, n)
        w = score(pat, W, recs[i])
        if w >= thr_review:
            if w >= thr_match:
                edges.append((w, i, j))
            else:
                review.append((w, i, j))
    labels, refused, refused_size = cluster(n, edges, recs, W, guard, a.max_cluster)
    T["score+cluster"] = time.perf_counter() - t
    nclusters = len(set(labels))
    multi = collections.Counter(collections.Counter(labels).values())
    print("matched pairs %d, review pairs %d, merges refused by guard %d (size cap %d)"
          % (len(edges), len(review), refused, refused_size))
    print("clusters %d (rows %d); cluster sizes %s" % (nclusters, n, sorted(multi.items())))

    t = time.perf_counter()
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["row", "source_id", "cluster"])
        for i, c in enumerate(labels):
            w.writerow([i + 1, i + 1, c + 1])
    if a.review_out:
        with open(a.review_out, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["row_a", "row_b", "weight", "posterior"])
            for wt, i, j in sorted(review, reverse=True):
                post = 1.0 / (1.0 + 2.0 ** -(wt + prior))
                w.writerow([i + 1, j + 1, "%.2f" % wt, "%.4f" % post])
    T["write"] = time.perf_counter() - t
    T["total"] = time.perf_counter() - t0
    print("time: " + ", ".join("%s %.1f s" % kv for kv in T.items()))

    if a.truth:
        orig, var = load_truth(a.truth)
        # blocking recall: true pairs that are candidates (dup-original pairs only)
        pairset = set(pair_list)
        dups = [i for i in range(n) if orig[i] != i]
        miss = [i for i in dups if (min(i, orig[i]) * n + max(i, orig[i])) not in pairset]
        print("diagnostics (truth used only here):")
        print("  blocking: duplicate->original pairs not among candidates %d / %d" % (len(miss), len(dups)))
        is_match = [orig[p // n] == orig[p % n] for p in pair_list]
        tm = sum(is_match)
        print("  candidate pairs that are true matches %d (EM estimated %.0f)" % (tm, lam * len(pair_list)))
        print("  " + fmt_eval("exact email", evaluate(clusters_from_keys(recs, False), orig, var)))
        print("  " + fmt_eval("email or phone", evaluate(clusters_from_keys(recs, True), orig, var)))
        print("  " + fmt_eval("fuzzy FS+EM", evaluate(labels, orig, var)))
        # pairwise (pre-clustering) errors at the match threshold
        fp = fn = 0
        fn_list, fp_list = [], []
        for p, pat, mt in zip(pair_list, pats, is_match):
            w = score(pat, W, recs[p // n])
            if w >= thr_match and not mt:
                fp += 1
                fp_list.append((w, p, pat))
            elif w < thr_match and mt:
                fn += 1
                fn_list.append((w, p, pat))
        print("  pair level: false matches %d, missed matches among candidates %d" % (fp, fn))
        if a.sweep:
            ws = [(score(pat, W, recs[p // n]), p // n, p % n, mt) for p, pat, mt in zip(pair_list, pats, is_match)]
            for thr in [thr_match + d for d in (-16, -12, -10, -8, -6, -4, -2, 0, 2, 4, 8)]:
                ed = [(w, i, j) for w, i, j, mt in ws if w >= thr]
                fpp = sum(1 for w, i, j, mt in ws if w >= thr and not mt)
                fnp = sum(1 for w, i, j, mt in ws if w < thr and mt)
                lab, rf, rs = cluster(n, ed, recs, W, min(guard, thr), a.max_cluster)
                print("  thr %5.1f pair FP %5d FN %5d refused %4d | %s" % (
                    thr, fpp, fnp, rf, fmt_eval("", evaluate(lab, orig, var))))
        if a.verbose:
            for nm, lst in (("false matches", sorted(fp_list, reverse=True)[:15]),
                            ("missed", sorted(fn_list, reverse=True)[:25])):
                print("  --- %s" % nm)
                for w, p, pat in lst:
                    i, j = divmod(p, n)
                    print("   %.1f %s %d %d [%s] [%s]" % (w, pat, i + 1, j + 1, var[i], var[j]))


if __name__ == "__main__":
    main()
