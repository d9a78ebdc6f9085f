#!/usr/bin/env python3
"""Generates a person list with known duplicates for testing a fuzzy record matcher (stdlib only).

    gen_people.py --rows 100000 --seed 1 --out people.csv --truth people.truth.csv \
        --classes people.classes.csv [--negatives people.negatives.csv] [--with-ids] [--family-rate 0]

Written independently of ../shared/bench/gen_leads.py so that a matcher is not tuned to one error
model: Australian-style addresses split over several columns, no company, e-mail on only ~40% of the
originals, and a different, logged set of corruptions.

Output CSV (UTF-8, header row, RFC 4180 quoting, CRLF line ends), rows in random order:

    Record ID,Given Name,Surname,Street Number,Address 1,Address 2,Suburb,Postcode,State,Phone,Email
    [,Date of Birth,National ID]            (with --with-ids; DOB as YYYY-MM-DD, ID 7-9 digits)

Record ID is an opaque random token, unique per row; it says nothing about originals or duplicates.

--truth:     Record ID,entity       one line per row, in the data file's row order (so line N is
                                    data row N); rows with the same entity are the same person.
--classes:   Record ID,classes,detail
                                    classes: ';'-joined corruption classes of a duplicate (empty for
                                    an original); detail: class:field for each, in the order applied.
--negatives: Record ID A,Record ID B,kind
                                    hard-negative pairs of originals (different people built to look
                                    alike): family, namesake, same_name.

Duplicates: --dup-rate of all rows (default 0.3) are copies of an original (never of another
duplicate) with 1-4 corruptions of distinct classes; an original gets 1..--max-dups-per-record of
them. Classes (relative weights in CLASS_WEIGHTS): typo_keyboard typo_ocr phonetic swap_names
split_merge transpose_digits postcode_typo missing replaced_given nickname address_swap date_swap
abbrev. A class that does not apply to the record (no Address 2 to swap, a DOB whose day is over 12,
no nickname for the name, ...) is redrawn, so the realised shares differ a little from the weights;
the generator prints them (stderr) unless --quiet.

Households: --family-rate of the originals (default 0.08) join an earlier original's household: same
surname and address, another given name, date of birth and id, and half the time its landline. With
--family-rate 0 every address holds one person, as in lists built one record per person.

Same arguments give byte-identical files.
"""
import argparse
import csv
import os
import random
import sys
import time
import unicodedata

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import people_lists as L  # noqa: E402

# Field indexes of a record (list of strings).
GIVEN, SURNAME, NUMBER, ADDR1, ADDR2, SUBURB, POSTCODE, STATE, PHONE, EMAIL, DOB, NATID = range(12)
FIELD_NAMES = ["Given Name", "Surname", "Street Number", "Address 1", "Address 2", "Suburb", "Postcode",
               "State", "Phone", "Email", "Date of Birth", "National ID"]

CLASSES = ["typo_keyboard", "typo_ocr", "phonetic", "swap_names", "split_merge", "transpose_digits",
           "postcode_typo", "missing", "replaced_given", "nickname", "address_swap", "date_swap", "abbrev"]
# Relative weight of each class when drawing the corruptions of a duplicate.
CLASS_WEIGHTS = {
    "typo_keyboard": 14, "typo_ocr": 8, "phonetic": 10, "swap_names": 5, "split_merge": 7,
    "transpose_digits": 8, "postcode_typo": 6, "missing": 12, "replaced_given": 5, "nickname": 8,
    "address_swap": 12, "date_swap": 12, "abbrev": 8,
}
# Number of corruptions on a duplicate: 1, 2, 3, 4.
N_CORRUPTIONS_WEIGHTS = [35, 35, 20, 10]

# Shares of originals built as hard negatives of an earlier original.
P_FAMILY = 0.08      # same surname and address, different given name, DOB, ID; may share the landline
P_NAMESAKE = 0.05    # same given name, suburb and postcode; different surname (half of them similar)
P_SAME_NAME = 0.02   # same given name and surname, elsewhere, different everything else
P_EMAIL = 0.40
P_ADDR2 = 0.35
P_NO_PHONE = 0.08

# ---------------------------------------------------------------------------------------------------
# Name tables


def _unique(seq):
    seen, out = {}, []
    for x in seq:
        if x not in seen:
            seen[x] = 1
            out.append(x)
    return out


def _build_given():
    tables = {}
    for gender, nick, other in (("m", L.NICKNAMES_MALE, L.OTHER_MALE), ("f", L.NICKNAMES_FEMALE, L.OTHER_FEMALE)):
        formal = list(nick)
        nicks = _unique(n for v in nick.values() for n in v)
        names, weights = [], []
        for n in formal:
            names.append(n); weights.append(4.0)
        for n in nicks:
            if n not in formal:
                names.append(n); weights.append(0.5)
        for n in other:
            if n not in names:
                names.append(n); weights.append(1.0)
        to_formal = {}
        for f, ns in nick.items():
            for n in ns:
                to_formal.setdefault(n, []).append(f)
        cum, t = [], 0.0
        for w in weights:
            t += w
            cum.append(t)
        tables[gender] = {"names": names, "cum": cum, "nick": nick, "formal": to_formal}
    return tables


GIVEN_TABLES = _build_given()
SURNAMES = _unique(L.COMMON_SURNAMES + L.OTHER_SURNAMES)
_SURNAME_CUM = []
_t = 0.0
for _s in SURNAMES:
    _t += 6.0 if _s in L.COMMON_SURNAMES else 1.0
    _SURNAME_CUM.append(_t)
STREET_TYPE_NAMES = [t[0] for t in L.STREET_TYPES]
STREET_TYPE_CUM = []
_t = 0
for _st in L.STREET_TYPES:
    _t += _st[2]
    STREET_TYPE_CUM.append(_t)
ABBREV = {t[0]: t[1] for t in L.STREET_TYPES if t[1]}
AREA_CODE = {s[0]: s[3] for s in L.STATES}
DOMAINS = [d[0] for d in L.EMAIL_DOMAINS]
DOMAIN_CUM = []
_t = 0
for _d in L.EMAIL_DOMAINS:
    _t += _d[1]
    DOMAIN_CUM.append(_t)


def is_related(a, b):
    """True when the two given names are equal or a nickname pair (either direction, either gender)."""
    if a == b:
        return True
    for g in GIVEN_TABLES.values():
        if b in g["nick"].get(a, ()) or a in g["nick"].get(b, ()):
            return True
        fa, fb = g["formal"].get(a, []), g["formal"].get(b, [])
        if any(f in fb for f in fa):
            return True
    return False


# ---------------------------------------------------------------------------------------------------
# Helpers for strings

FOLD_EXTRA = {"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L",
              "ı": "i", "œ": "oe"}


def ascii_fold(s):
    s = "".join(FOLD_EXTRA.get(c, c) for c in s)
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def email_local(s):
    return "".join(c for c in ascii_fold(s).lower() if c.isalnum())


def with_case(template, repl):
    """repl in the case of template's first letter (Title or lower) or all caps."""
    if not repl:
        return repl
    if template.isupper() and len(template) > 1:
        return repl.upper()
    if template[:1].isupper():
        return repl[:1].upper() + repl[1:]
    return repl


KEYBOARD = {
    "q": "wa", "w": "qeas", "e": "wrsd", "r": "etdf", "t": "ryfg", "y": "tugh", "u": "yihj", "i": "uojk",
    "o": "ipkl", "p": "ol", "a": "qwsz", "s": "awedxz", "d": "serfcx", "f": "drtgvc", "g": "ftyhbv",
    "h": "gyujnb", "j": "huikmn", "k": "jiolm", "l": "kop", "z": "asx", "x": "zsdc", "c": "xdfv",
    "v": "cfgb", "b": "vghn", "n": "bhjm", "m": "njk",
    "1": "2", "2": "13", "3": "24", "4": "35", "5": "46", "6": "57", "7": "68", "8": "79", "9": "80", "0": "9",
}

# OCR confusions: (seen, read as). Applied at one occurrence.
OCR = [("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("vv", "w"), ("w", "vv"), ("o", "0"),
       ("O", "0"), ("l", "1"), ("I", "l"), ("i", "1"), ("s", "5"), ("S", "5"), ("B", "8"), ("g", "9"),
       ("e", "c"), ("c", "e"), ("h", "b"), ("u", "v"), ("n", "h"),
       ("0", "O"), ("1", "l"), ("1", "7"), ("5", "S"), ("8", "B"), ("6", "b"), ("2", "Z"), ("3", "8")]

# Phonetic respellings (lower-case pattern -> replacement), matched case-insensitively.
PHONETIC = [("ph", "f"), ("f", "ph"), ("ck", "k"), ("ca", "ka"), ("co", "ko"), ("cu", "ku"), ("ka", "ca"),
            ("k", "ck"), ("y", "i"), ("i", "y"), ("ie", "ei"), ("ei", "ie"), ("ee", "ea"), ("ea", "ee"),
            ("z", "s"), ("s", "z"), ("th", "t"), ("sch", "sh"), ("x", "ks"), ("ks", "x"), ("ae", "e"),
            ("ai", "ay"), ("ay", "ai"), ("ou", "ow"), ("oo", "u"), ("gh", ""), ("mac", "mc"), ("mc", "mac"),
            ("ll", "l"), ("nn", "n"), ("tt", "t"), ("ss", "s"), ("rr", "r"), ("mm", "m"), ("pp", "p"),
            ("ff", "f"), ("l", "ll"), ("n", "nn"), ("t", "tt"), ("r", "rr"), ("m", "mm"), ("p", "pp"),
            ("ü", "ue"), ("ö", "oe"), ("ä", "ae"), ("ue", "ü"), ("oe", "ö"), ("ß", "ss")]
VOWELS = "aeiouy"


# ---------------------------------------------------------------------------------------------------
# The generator


class Generator:
    def __init__(self, seed, with_ids, family=P_FAMILY):
        self.r = random.Random(seed)
        self.with_ids = with_ids
        self.family = family
        self.emails = {}
        self.natids = {}
        self._build_suburbs()

    # ---- geography ----
    def _build_suburbs(self):
        """(name, state, postcode) per suburb; weights: the state's population share over its suburbs,
        with a few big suburbs. Some suburbs of a state share a postcode."""
        r = self.r
        self.suburbs, weights = [], []
        for code, pop, ranges, _ in L.STATES:
            names = L.SUBURBS_BY_STATE[code]
            pool = []
            for _ in range(max(1, int(len(names) * 0.75))):
                lo, hi = ranges[r.randrange(len(ranges))]
                pool.append("%04d" % r.randint(lo, hi))
            sw = [3.0 if r.random() < 0.15 else 1.0 for _ in names]
            tot = sum(sw)
            for name, w in zip(names, sw):
                self.suburbs.append((name, code, r.choice(pool)))
                weights.append(pop * w / tot)
        self.suburb_cum = []
        t = 0.0
        for w in weights:
            t += w
            self.suburb_cum.append(t)

    def suburb(self):
        return self.r.choices(self.suburbs, cum_weights=self.suburb_cum)[0]

    def street(self):
        r = self.r
        name = r.choice(L.STREET_NAMES)
        typ = r.choices(STREET_TYPE_NAMES, cum_weights=STREET_TYPE_CUM)[0]
        x = r.random()
        number = str(r.randint(1, 30) if x < 0.45 else r.randint(1, 199) if x < 0.85 else r.randint(1, 1999))
        if r.random() < 0.04:
            number += r.choice("ABC")
        return number, "%s %s" % (name, typ)

    def address2(self):
        r = self.r
        if r.random() >= P_ADDR2:
            return ""
        if r.random() < 0.75:
            return "%s %d" % (r.choice(L.ADDRESS2_UNITS), r.randint(1, 60))
        return r.choice(L.ADDRESS2_PLACES)

    def phone(self, state, landline=None):
        r = self.r
        if landline is None:
            landline = r.random() < 0.4
        if landline:
            area = AREA_CODE[state]
            digits = "%d%03d%04d" % (r.randint(3, 9), r.randrange(1000), r.randrange(10000))
            f = r.random()
            if f < 0.6:
                return "(%s) %s %s" % (area, digits[:4], digits[4:])
            if f < 0.9:
                return "%s %s %s" % (area, digits[:4], digits[4:])
            return "+61 %s %s %s" % (area[1], digits[:4], digits[4:])
        d = "4%02d%03d%03d" % (r.randrange(100), r.randrange(1000), r.randrange(1000))
        f = r.random()
        if f < 0.65:
            return "0%s %s %s" % (d[:3], d[3:6], d[6:])
        if f < 0.9:
            return "0" + d
        return "+61 %s %s %s" % (d[:3], d[3:6], d[6:])

    def given(self, gender):
        t = GIVEN_TABLES[gender]
        return self.r.choices(t["names"], cum_weights=t["cum"])[0]

    def surname(self):
        return self.r.choices(SURNAMES, cum_weights=_SURNAME_CUM)[0]

    def email(self, given, surname):
        r = self.r
        g, s = email_local(given), email_local(surname)
        if not g or not s:
            return ""
        f = r.random()
        if f < 0.35:
            local = "%s.%s" % (g, s)
        elif f < 0.55:
            local = "%s%s" % (g[0], s)
        elif f < 0.7:
            local = "%s_%s%d" % (g, s, r.randint(1, 99))
        elif f < 0.8:
            local = "%s.%s" % (s, g)
        else:
            local = "%s%s%d" % (g, s[:3], r.randint(50, 2005))
        dom = r.choices(DOMAINS, cum_weights=DOMAIN_CUM)[0]
        e = "%s@%s" % (local, dom)
        while e in self.emails:
            e = "%s%d@%s" % (local, r.randint(1, 999), dom)
        self.emails[e] = 1
        return e

    def dob(self, avoid=()):
        r = self.r
        while True:
            y = r.randint(1930, 2006)
            m = r.randint(1, 12)
            d = r.randint(1, 28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31)
            s = "%04d-%02d-%02d" % (y, m, d)
            if s not in avoid:
                return s

    def natid(self):
        r = self.r
        while True:
            n = r.choice((7, 8, 9))
            s = str(r.randint(10 ** (n - 1), 10 ** n - 1))
            if s not in self.natids:
                self.natids[s] = 1
                return s

    def fresh(self):
        r = self.r
        gender = "m" if r.random() < 0.5 else "f"
        given, surname = self.given(gender), self.surname()
        number, addr1 = self.street()
        sub, state, pc = self.suburb()
        rec = [given, surname, number, addr1, self.address2(), sub, pc, state,
               "" if r.random() < P_NO_PHONE else self.phone(state),
               self.email(given, surname) if r.random() < P_EMAIL else "", "", ""]
        if self.with_ids:
            rec[DOB], rec[NATID] = self.dob(), self.natid()
        return rec, gender

    def originals(self, n):
        """n originals with their genders, and the hard-negative pairs (index a, index b, kind)."""
        r = self.r
        recs, genders, negs, heads, household = [], [], [], [], {}
        for i in range(n):
            x = r.random()
            if i > 10 and x < self.family:
                h = heads[r.randrange(len(heads))]
                base = recs[h]
                members = household.setdefault(h, [h])
                gender = "m" if r.random() < 0.5 else "f"
                for _ in range(50):
                    g = self.given(gender)
                    if not any(is_related(g, recs[j][GIVEN]) for j in members):
                        break
                members.append(i)
                rec = [g, base[SURNAME], base[NUMBER], base[ADDR1], base[ADDR2], base[SUBURB], base[POSTCODE],
                       base[STATE], "", "", "", ""]
                shared_landline = base[PHONE] and not base[PHONE].replace("+61 ", "0").startswith("04")
                if shared_landline and r.random() < 0.5:
                    rec[PHONE] = base[PHONE]
                elif r.random() >= P_NO_PHONE:
                    rec[PHONE] = self.phone(base[STATE], landline=False)
                if r.random() < P_EMAIL:
                    rec[EMAIL] = self.email(g, base[SURNAME])
                if self.with_ids:
                    rec[DOB], rec[NATID] = self.dob(avoid=(base[DOB],)), self.natid()
                negs.append((h, i, "family"))
            elif i > 10 and x < self.family + P_NAMESAKE:
                h = r.randrange(i)
                base = recs[h]
                rec, gender = self.fresh()
                gender = genders[h]
                rec[GIVEN] = base[GIVEN]
                if r.random() < 0.5:
                    sim = respell(r, base[SURNAME])
                    rec[SURNAME] = sim if sim and sim != base[SURNAME] else rec[SURNAME]
                if rec[SURNAME] == base[SURNAME]:
                    while rec[SURNAME] == base[SURNAME]:
                        rec[SURNAME] = self.surname()
                rec[SUBURB], rec[POSTCODE], rec[STATE] = base[SUBURB], base[POSTCODE], base[STATE]
                while rec[ADDR1] == base[ADDR1]:
                    rec[NUMBER], rec[ADDR1] = self.street()
                if rec[EMAIL]:
                    rec[EMAIL] = self.email(rec[GIVEN], rec[SURNAME])
                negs.append((h, i, "namesake"))
            elif i > 10 and x < self.family + P_NAMESAKE + P_SAME_NAME:
                h = r.randrange(i)
                base = recs[h]
                rec, gender = self.fresh()
                gender = genders[h]
                rec[GIVEN], rec[SURNAME] = base[GIVEN], base[SURNAME]
                while rec[SUBURB] == base[SUBURB]:
                    rec[SUBURB], rec[STATE], rec[POSTCODE] = self.suburb()
                if rec[EMAIL]:
                    rec[EMAIL] = self.email(rec[GIVEN], rec[SURNAME])
                negs.append((h, i, "same_name"))
            else:
                rec, gender = self.fresh()
                heads.append(i)
            recs.append(rec)
            genders.append(gender)
        return recs, genders, negs

    # ---- corruptions: each returns the field it changed, or None when it does not apply ----
    def c_typo_keyboard(self, rec, g):
        r = self.r
        fields = [f for f in (GIVEN, SURNAME, SURNAME, ADDR1, SUBURB, EMAIL) if any(c.lower() in KEYBOARD and c.isalpha() for c in rec[f])]
        if not fields:
            return None
        f = r.choice(fields)
        s = rec[f]
        end = s.index("@") if f == EMAIL else len(s)
        pos = [i for i in range(end) if s[i].isalpha() and s[i].lower() in KEYBOARD]
        if not pos:
            return None
        i = r.choice(pos)
        c = s[i]
        near = r.choice(KEYBOARD[c.lower()])
        near = near.upper() if c.isupper() else near
        op = r.random()
        if op < 0.5:
            t = s[:i] + near + s[i + 1:]
        elif op < 0.75:
            t = s[:i] + c + near.lower() + s[i + 1:] if r.random() < 0.5 else s[:i] + near + c.lower() + s[i + 1:]
        elif len(s) > 3:
            t = s[:i] + s[i + 1:]
        else:
            t = s[:i] + near + s[i + 1:]
        if i == 0 and t[:1].islower() and c.isupper():
            t = t[:1].upper() + t[1:]
        if t == s:
            return None
        rec[f] = t
        return f

    def c_typo_ocr(self, rec, g):
        r = self.r
        fields = [GIVEN, SURNAME, ADDR1, SUBURB, NUMBER, POSTCODE, PHONE]
        r.shuffle(fields)
        for f in fields:
            s = rec[f]
            if not s:
                continue
            opts = []
            for a, b in OCR:
                j = s.find(a)
                while j >= 0:
                    opts.append((j, a, b))
                    j = s.find(a, j + 1)
            if opts:
                j, a, b = r.choice(opts)
                rec[f] = s[:j] + b + s[j + len(a):]
                return f
        return None

    def c_phonetic(self, rec, g):
        r = self.r
        fields = [GIVEN] * 4 + [SURNAME] * 5 + [SUBURB, ADDR1]
        r.shuffle(fields)
        for f in _unique(fields):
            t = respell(r, rec[f], name=f in (GIVEN, SURNAME))
            if t and t != rec[f]:
                rec[f] = t
                return f
        return None

    def c_swap_names(self, rec, g):
        if not rec[GIVEN] or not rec[SURNAME] or rec[GIVEN] == rec[SURNAME]:
            return None
        rec[GIVEN], rec[SURNAME] = rec[SURNAME], rec[GIVEN]
        return GIVEN

    def c_split_merge(self, rec, g):
        r = self.r
        fields = [ADDR1] * 5 + [SUBURB] * 3 + [SURNAME] * 2 + [GIVEN]
        r.shuffle(fields)
        for f in _unique(fields):
            s = rec[f]
            if len(s) < 4:
                continue
            spaces = [i for i, c in enumerate(s) if c == " "]
            if spaces and r.random() < 0.5:
                i = r.choice(spaces)
                rec[f] = s[:i] + s[i + 1:]
                return f
            pos = [i for i in range(2, len(s) - 1) if s[i] != " " and s[i - 1] != " " and s[i].isalpha() and s[i - 1].isalpha()]
            if pos:
                i = r.choice(pos)
                rec[f] = s[:i] + " " + s[i:]
                return f
        return None

    def c_transpose_digits(self, rec, g):
        r = self.r
        fields = [NUMBER, POSTCODE, POSTCODE, PHONE, PHONE] + ([DOB, NATID] if self.with_ids else [])
        r.shuffle(fields)
        for f in _unique(fields):
            s = rec[f]
            pos = [i for i in range(len(s) - 1) if s[i].isdigit() and s[i + 1].isdigit() and s[i] != s[i + 1]]
            if pos:
                i = r.choice(pos)
                rec[f] = s[:i] + s[i + 1] + s[i] + s[i + 2:]
                return f
        return None

    def c_postcode_typo(self, rec, g):
        s = rec[POSTCODE]
        pos = [i for i, c in enumerate(s) if c.isdigit()]
        if not pos:
            return None
        i = self.r.choice(pos)
        d = self.r.choice([c for c in "0123456789" if c != s[i]])
        rec[POSTCODE] = s[:i] + d + s[i + 1:]
        return POSTCODE

    def c_missing(self, rec, g):
        r = self.r
        opts = [GIVEN, GIVEN, SURNAME, ADDR1, ADDR1, SUBURB, SUBURB, PHONE, PHONE, PHONE, POSTCODE, POSTCODE]
        opts = [f for f in opts if rec[f]]
        if not rec[GIVEN] or not rec[SURNAME]:  # never leave a duplicate without any name
            opts = [f for f in opts if f not in (GIVEN, SURNAME)]
        if not opts:
            return None
        f = r.choice(opts)
        rec[f] = ""
        return f

    def c_replaced_given(self, rec, g):
        old = rec[GIVEN]
        if not old:
            return None
        for _ in range(20):
            n = self.given(g)
            if not is_related(n, old):
                rec[GIVEN] = n
                return GIVEN
        return None

    def c_nickname(self, rec, g):
        old = rec[GIVEN]
        for t in (GIVEN_TABLES[g], GIVEN_TABLES["f" if g == "m" else "m"]):
            if old in t["nick"]:
                rec[GIVEN] = self.r.choice(t["nick"][old])
                return GIVEN
            if old in t["formal"]:
                rec[GIVEN] = self.r.choice(t["formal"][old])
                return GIVEN
        return None

    def c_address_swap(self, rec, g):
        if not rec[ADDR2] or not rec[ADDR1]:
            return None
        rec[ADDR1], rec[ADDR2] = rec[ADDR2], rec[ADDR1]
        return ADDR1

    def c_date_swap(self, rec, g):
        s = rec[DOB]
        if len(s) != 10 or s[4] != "-" or s[7] != "-":
            return None
        m, d = s[5:7], s[8:10]
        if not (m.isdigit() and d.isdigit()) or m == d or not 1 <= int(d) <= 12:
            return None
        rec[DOB] = "%s-%s-%s" % (s[:4], d, m)
        return DOB

    def c_abbrev(self, rec, g):
        for f in (ADDR1, ADDR2):
            words = rec[f].split(" ")
            for k in range(len(words) - 1, 0, -1):
                a = ABBREV.get(words[k])
                if a:
                    words[k] = a + ("." if self.r.random() < 0.2 else "")
                    rec[f] = " ".join(words)
                    return f
        return None

    def duplicate(self, orig, gender):
        """A corrupted copy of orig and the (class, field) list applied."""
        r = self.r
        rec = list(orig)
        want = r.choices((1, 2, 3, 4), weights=N_CORRUPTIONS_WEIGHTS)[0]
        avail = [c for c in CLASSES if self.with_ids or c != "date_swap"]
        applied = []
        while len(applied) < want and avail:
            c = r.choices(avail, weights=[CLASS_WEIGHTS[x] for x in avail])[0]
            avail.remove(c)
            f = getattr(self, "c_" + c)(rec, gender)
            if f is not None:
                applied.append((c, FIELD_NAMES[f]))
        if rec == orig:  # none applied, or two undid each other: one more from classes that nearly always apply
            for c in ("missing", "typo_keyboard", "postcode_typo", "typo_ocr"):
                if c not in [x for x, _ in applied]:
                    f = getattr(self, "c_" + c)(rec, gender)
                    if f is not None and rec != orig:
                        applied.append((c, FIELD_NAMES[f]))
                        break
        return rec, applied


def respell(r, s, name=True):
    """One phonetic respelling of s at a random applicable place, or None. Umlauts are written into
    names only (Mueller -> Müller, not Avenue -> Avenü)."""
    if not s:
        return None
    low = s.lower()
    opts = []
    for a, b in PHONETIC:
        if not name and not b.isascii():
            continue
        j = low.find(a)
        while j >= 0:
            ok = True
            if len(a) == 1 and a in "lntrmp" and b == a + a:  # doubling: only between vowels, not at the ends
                ok = 0 < j < len(low) - 1 and low[j - 1] in VOWELS and low[j + 1] in VOWELS
            elif a in ("y", "i"):
                ok = j > 0  # not the leading letter (Ian -> Yan is not a respelling)
            elif a in ("s", "z"):
                ok = 0 < j < len(low) - 1
            elif a == "k":
                ok = j > 0 and low[j - 1] in VOWELS and low[j - 1:j + 1] != "ck"
            if ok:
                opts.append((j, a, b))
            j = low.find(a, j + 1)
    if not opts:
        folded = ascii_fold(s)
        return folded if folded != s else None
    if s != ascii_fold(s) and r.random() < 0.3:
        return ascii_fold(s)
    j, a, b = r.choice(opts)
    seg = s[j:j + len(a)]
    t = s[:j] + with_case(seg, b) + s[j + len(a):]
    if j == 0 and t[:1].islower():
        t = t[:1].upper() + t[1:]
    return t


def to_base36(n, width):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = []
    for _ in range(width):
        n, d = divmod(n, 36)
        out.append(digits[d])
    return "".join(reversed(out))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rows", type=int, default=10000, help="total rows, duplicates included")
    ap.add_argument("--dup-rate", type=float, default=0.3, help="share of rows that are duplicates")
    ap.add_argument("--max-dups-per-record", type=int, default=3)
    ap.add_argument("--with-ids", action="store_true", help="add Date of Birth and National ID columns")
    ap.add_argument("--family-rate", type=float, default=P_FAMILY,
                    help="share of originals that join another's household (default %(default)s; 0: one person per address)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth")
    ap.add_argument("--classes")
    ap.add_argument("--negatives")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    if a.rows < 1 or not 0 <= a.dup_rate < 1 or a.max_dups_per_record < 1 or not 0 <= a.family_rate <= 0.5:
        ap.error("need --rows >= 1, 0 <= --dup-rate < 1, --max-dups-per-record >= 1, 0 <= --family-rate <= 0.5")
    n_dup = int(round(a.rows * a.dup_rate))
    n_orig = a.rows - n_dup
    if n_dup > n_orig * a.max_dups_per_record:
        ap.error("--dup-rate %.3g needs more than %d duplicates per original" % (a.dup_rate, a.max_dups_per_record))

    g = Generator(a.seed, a.with_ids, a.family_rate)
    r = g.r
    origs, genders, negs = g.originals(n_orig)

    # Duplicates per original: 1..max, more often few; spread over randomly chosen originals.
    counts = [0] * n_orig
    order = list(range(n_orig))
    r.shuffle(order)
    kw = [0.5 ** k for k in range(a.max_dups_per_record)]
    left, p = n_dup, 0
    while left and p < n_orig:
        k = min(left, r.choices(range(1, a.max_dups_per_record + 1), weights=kw)[0])
        counts[order[p]] = k
        left -= k
        p += 1
    while left:  # high --dup-rate: every original has some; top up
        for o in order:
            if left and counts[o] < a.max_dups_per_record:
                counts[o] += 1
                left -= 1

    rows = []  # (entity, record, applied or None)
    for i, rec in enumerate(origs):
        rows.append((i, rec, None))
    hist = {c: 0 for c in CLASSES}
    per_dup = {}
    for o in order:
        for _ in range(counts[o]):
            rec, applied = g.duplicate(origs[o], genders[o])
            rows.append((o, rec, applied))
            for c, _ in applied:
                hist[c] += 1
            per_dup[len(applied)] = per_dup.get(len(applied), 0) + 1
    r.shuffle(rows)
    ids = [to_base36(x, 8) for x in r.sample(range(36 ** 7, 36 ** 8), len(rows))]
    orig_id = {}
    for rid, (e, rec, applied) in zip(ids, rows):
        if applied is None:
            orig_id[e] = rid

    header = ["Record ID"] + FIELD_NAMES[:EMAIL + 1] + (FIELD_NAMES[DOB:] if a.with_ids else [])
    width = len(header) - 1
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        w.writerows([rid] + rec[:width] for rid, (e, rec, applied) in zip(ids, rows))
    if a.truth:
        with open(a.truth, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["Record ID", "entity"])
            w.writerows((rid, "E%d" % (e + 1)) for rid, (e, rec, applied) in zip(ids, rows))
    if a.classes:
        with open(a.classes, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["Record ID", "classes", "detail"])
            w.writerows((rid, ";".join(c for c, _ in applied or ()), ";".join("%s:%s" % x for x in applied or ()))
                        for rid, (e, rec, applied) in zip(ids, rows))
    if a.negatives:
        with open(a.negatives, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["Record ID A", "Record ID B", "kind"])
            w.writerows((orig_id[x], orig_id[y], kind) for x, y, kind in negs)
    secs = time.perf_counter() - t0
    if not a.quiet:
        err = sys.stderr
        print("rows %d: originals %d, duplicates %d (of %d originals), %.1f s" % (
            len(rows), n_orig, n_dup, sum(1 for c in counts if c), secs), file=err)
        print("originals with e-mail %.1f%%" % (100.0 * sum(1 for x in origs if x[EMAIL]) / max(1, n_orig)), file=err)
        kinds = {}
        for _, _, k in negs:
            kinds[k] = kinds.get(k, 0) + 1
        print("hard-negative pairs: " + ", ".join("%s %d" % kv for kv in kinds.items()), file=err)
        print("corruptions per duplicate: " + ", ".join("%d: %d" % (k, per_dup[k]) for k in sorted(per_dup)), file=err)
        print("class histogram (duplicates carrying the class):", file=err)
        for c in CLASSES:
            print("  %-17s %7d  %5.1f%%" % (c, hist[c], 100.0 * hist[c] / max(1, n_dup)), file=err)
    return 0


if __name__ == "__main__":
    sys.exit(main())
