#!/usr/bin/env python3
"""Febrl-style person-record generator (standard library only).

Originals: one person per address, some fields missing at small rates. Duplicates copy their original and
then get 1..MAX_MODS modifications (at most MAX_PER_FIELD on one field), chosen field first, then kind:
keyboard typos (insert, delete, substitute, transpose), OCR confusions, phonetic respellings, missing values,
values replaced from the same list, split and merged words, swapped fields (given name/surname,
address_1/address_2), transposed digits, date day/month swaps and one-digit changes, postcode one-digit
changes. Every duplicate's modifications go to the truth file.

    python3 gen.py --out data --seed 4         # writes data/{A,B,C,D}_{full,names}.csv and data/{A,B,C,D}_truth.csv
"""
import argparse
import csv
import math
import os
import random
from collections import Counter

import lists

COLUMNS = ["rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode",
           "state", "date_of_birth", "soc_sec_id"]
NAMES_COLUMNS = [c for c in COLUMNS if c not in ("date_of_birth", "soc_sec_id")]

# file: (originals, duplicates, distribution of duplicates per duplicated original)
FILES = {
    "A": (500, 500, "one"),
    "B": (4000, 1000, "zipf"),
    "C": (2000, 3000, "poisson"),
    "D": (5000, 5000, "one"),
}
MAX_DUPS_PER_ORIGINAL = 5
MAX_MODS = 4                       # modifications per duplicate: 1..MAX_MODS
MODS_COUNT_WEIGHTS = [0.35, 0.30, 0.20, 0.15]
MAX_PER_FIELD = 2

# probability that a field is left empty in an original
ORIGINAL_MISSING = {"given_name": 0.02, "surname": 0.01, "street_number": 0.03, "address_1": 0.015,
                    "suburb": 0.015, "postcode": 0.01, "state": 0.02, "date_of_birth": 0.02, "soc_sec_id": 0.01}
ADDRESS_2_RATE = 0.20

# which field a modification goes to
FIELD_WEIGHTS = {"given_name": 0.18, "surname": 0.18, "street_number": 0.07, "address_1": 0.13,
                 "address_2": 0.04, "suburb": 0.10, "postcode": 0.09, "state": 0.04,
                 "date_of_birth": 0.09, "soc_sec_id": 0.08}

_NAME_KINDS = {"typo_ins": 1.0, "typo_del": 1.0, "typo_sub": 1.5, "typo_trans": 1.0, "ocr": 1.0,
               "phonetic": 1.5, "missing": 0.8, "replace": 1.0, "split": 0.4, "merge": 0.4, "swap_fields": 0.7}
# kinds per field and their weights; a kind that does not apply to the value is drawn again
FIELD_KINDS = {
    "given_name": _NAME_KINDS,
    "surname": _NAME_KINDS,
    "street_number": {"typo_sub": 1.0, "typo_ins": 0.5, "typo_del": 0.5, "digit_trans": 1.0, "ocr": 0.5,
                      "missing": 1.0},
    "address_1": {"typo_ins": 0.8, "typo_del": 0.8, "typo_sub": 1.0, "typo_trans": 0.8, "ocr": 0.8,
                  "phonetic": 1.0, "missing": 0.8, "replace": 0.8, "split": 0.7, "merge": 0.7, "swap_fields": 0.6},
    "address_2": {"typo_sub": 0.4, "typo_del": 0.3, "ocr": 0.3, "missing": 1.5, "replace": 0.5, "split": 0.3,
                  "merge": 0.5, "swap_fields": 0.6},
    "suburb": {"typo_ins": 0.8, "typo_del": 0.8, "typo_sub": 1.0, "typo_trans": 0.8, "ocr": 0.8,
               "phonetic": 1.0, "missing": 0.8, "replace": 0.8, "split": 0.5, "merge": 0.6},
    "postcode": {"postcode_digit": 2.0, "digit_trans": 1.0, "ocr": 0.5, "missing": 1.0, "replace": 0.5},
    "state": {"missing": 1.0, "replace": 1.0},
    "date_of_birth": {"date_daymonth": 1.5, "date_digit": 1.5, "digit_trans": 0.5, "missing": 1.0, "ocr": 0.3},
    "soc_sec_id": {"typo_sub": 1.0, "digit_trans": 1.0, "ocr": 0.5, "missing": 1.0, "typo_ins": 0.3,
                   "typo_del": 0.3},
}
SWAP_PARTNER = {"given_name": "surname", "surname": "given_name", "address_1": "address_2",
                "address_2": "address_1"}
NUMERIC = {"street_number", "postcode", "date_of_birth", "soc_sec_id"}

# ---------------------------------------------------------------- keyboard, OCR and phonetic tables

_ROWS = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"]
_OFFS = [0.0, 0.5, 0.75, 1.25]
_POS = {ch: (r, c + _OFFS[r]) for r, row in enumerate(_ROWS) for c, ch in enumerate(row)}


def _neighbours(ch):
    if ch not in _POS:
        return []
    r, x = _POS[ch]
    out = []
    for o, (r2, x2) in _POS.items():
        if o != ch and abs(r2 - r) <= 1 and abs(x2 - x) <= 1.0 and not (r2 == r and abs(x2 - x) > 1.0):
            out.append(o)
    return sorted(out)


KEY_NEIGHBOURS = {ch: _neighbours(ch) for ch in _POS}
DIGIT_NEIGHBOURS = {d: [e for e in "1234567890" if abs("1234567890".index(e) - "1234567890".index(d)) == 1]
                    for d in "1234567890"}

OCR_PAIRS = [("m", "rn"), ("rn", "m"), ("5", "s"), ("s", "5"), ("0", "o"), ("o", "0"), ("1", "l"), ("l", "1"),
             ("cl", "d"), ("d", "cl"), ("g", "9"), ("9", "g"), ("b", "6"), ("6", "b"), ("i", "l"), ("l", "i"),
             ("u", "v"), ("v", "u"), ("h", "b"), ("e", "c"), ("c", "e"), ("q", "g"), ("2", "z"), ("z", "2"),
             ("w", "vv"), ("vv", "w"), ("li", "h"), ("n", "ri"), ("1", "7"), ("7", "1"), ("3", "8"), ("8", "3"),
             ("5", "6"), ("0", "8"), ("8", "0"), ("4", "a")]

PHONETIC_RULES = [("ph", "f"), ("f", "ph"), ("ck", "k"), ("ck", "c"), ("ie", "y"), ("y", "ie"), ("c", "k"),
                  ("k", "c"), ("ou", "ow"), ("ow", "ou"), ("ai", "ay"), ("ay", "ai"), ("ee", "ea"), ("ea", "ee"),
                  ("s", "z"), ("z", "s"), ("x", "ks"), ("th", "t"), ("gh", ""), ("wh", "w"), ("mac", "mc"),
                  ("mc", "mac"), ("sch", "sh"), ("ey", "y"), ("i", "y"), ("y", "i"), ("oo", "u"), ("ae", "e"),
                  ("tch", "ch"), ("qu", "kw"), ("ph", "v"), ("eigh", "ay"), ("au", "or"), ("er$", "a"),
                  ("a$", "er"), ("DOUBLE", "SINGLE"), ("SINGLE", "DOUBLE")]
VOWELS = set("aeiou")


def zipf_weights(n, s, q=0.0):
    """Zipf(-Mandelbrot) weights of ranks 1..n: 1 / (rank + q) ** s."""
    return [1.0 / (i + 1 + q) ** s for i in range(n)]


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.fw = zipf_weights(len(lists.FEMALE_NAMES), 1.0, 5)
        self.mw = zipf_weights(len(lists.MALE_NAMES), 1.0, 5)
        self.sw = zipf_weights(len(lists.SURNAME_LIST), 1.0, 10)
        self.subw = zipf_weights(len(lists.SUBURB_LIST), 1.0, 5)
        self.stw = zipf_weights(len(lists.STREET_NAME_LIST), 1.0, 3)
        self.used_ssid = set()

    # ------------------------------------------------------------ draws
    def pick(self, xs, ws):
        return self.rng.choices(xs, weights=ws)[0]

    def given(self, female=None):
        if female is None:
            female = self.rng.random() < 0.5
        return self.pick(lists.FEMALE_NAMES, self.fw) if female else self.pick(lists.MALE_NAMES, self.mw)

    def surname(self):
        return self.pick(lists.SURNAME_LIST, self.sw)

    def suburb(self):
        return self.pick(lists.SUBURB_LIST, self.subw)

    def street(self):
        name = self.pick(lists.STREET_NAME_LIST, self.stw)
        typ = self.pick([t for t, _ in lists.STREET_TYPES], [w for _, w in lists.STREET_TYPES])
        return f"{name} {typ}"

    def street_number(self):
        r = self.rng.random()
        if r < 0.30:
            return str(self.rng.randint(1, 10))
        if r < 0.65:
            return str(self.rng.randint(11, 50))
        if r < 0.90:
            return str(self.rng.randint(51, 200))
        return str(self.rng.randint(201, 999))

    def address_2(self):
        r = self.rng.random()
        if r < 0.35:
            return f"unit {self.rng.randint(1, 40)}"
        if r < 0.45:
            return f"flat {self.rng.randint(1, 20)}"
        if r < 0.55:
            return f"level {self.rng.randint(1, 12)}"
        return self.pick(lists.BUILDING_LIST, zipf_weights(len(lists.BUILDING_LIST), 0.5))

    def dob(self):
        y = self.rng.randint(1925, 2005)
        m = self.rng.randint(1, 12)
        d = self.rng.randint(1, days_in(y, m))
        return f"{y:04d}{m:02d}{d:02d}"

    def ssid(self):
        while True:
            v = str(self.rng.randint(1000000, 9999999))
            if v not in self.used_ssid:
                self.used_ssid.add(v)
                return v

    def original(self, rec_id, used_addresses):
        female = self.rng.random() < 0.5
        while True:
            sub, pc, st = self.suburb()
            num, street = self.street_number(), self.street()
            if (num, street, sub) not in used_addresses:
                used_addresses.add((num, street, sub))
                break
        r = {"rec_id": rec_id, "given_name": self.given(female), "surname": self.surname(), "street_number": num,
             "address_1": street, "address_2": self.address_2() if self.rng.random() < ADDRESS_2_RATE else "",
             "suburb": sub, "postcode": pc, "state": st, "date_of_birth": self.dob(), "soc_sec_id": self.ssid()}
        for f, p in ORIGINAL_MISSING.items():
            if self.rng.random() < p:
                r[f] = ""
        return r

    # ------------------------------------------------------------ modifications (None: does not apply)
    def typo_ins(self, v, numeric):
        pos = self.rng.randrange(len(v) + 1)
        base = v[pos - 1] if pos > 0 else (v[0] if v else ("5" if numeric else "e"))
        pool = DIGIT_NEIGHBOURS.get(base) if numeric else [c for c in KEY_NEIGHBOURS.get(base, []) if c.isalpha()]
        if not pool:
            return None
        return v[:pos] + self.rng.choice(pool) + v[pos:]

    def typo_del(self, v, numeric):
        idx = [i for i, c in enumerate(v) if c != " "]
        if len(idx) < 2:
            return None
        i = self.rng.choice(idx)
        return v[:i] + v[i + 1:]

    def typo_sub(self, v, numeric):
        idx = [i for i, c in enumerate(v) if c != " "]
        if not idx:
            return None
        i = self.rng.choice(idx)
        pool = DIGIT_NEIGHBOURS.get(v[i]) if numeric else [c for c in KEY_NEIGHBOURS.get(v[i], []) if c.isalpha()]
        if not pool:
            return None
        return v[:i] + self.rng.choice(pool) + v[i + 1:]

    def typo_trans(self, v, numeric):
        idx = [i for i in range(len(v) - 1) if v[i] != v[i + 1] and v[i] != " " and v[i + 1] != " "]
        if not idx:
            return None
        i = self.rng.choice(idx)
        return v[:i] + v[i + 1] + v[i] + v[i + 2:]

    def digit_trans(self, v, numeric):
        idx = [i for i in range(len(v) - 1) if v[i] != v[i + 1] and v[i].isdigit() and v[i + 1].isdigit()]
        if not idx:
            return None
        i = self.rng.choice(idx)
        return v[:i] + v[i + 1] + v[i] + v[i + 2:]

    def ocr(self, v, numeric):
        opts = []
        for a, b in OCR_PAIRS:
            if numeric and not a[0].isdigit():
                continue
            start = v.find(a)
            while start >= 0:
                opts.append((start, a, b))
                start = v.find(a, start + 1)
        if not opts:
            return None
        i, a, b = self.rng.choice(opts)
        return v[:i] + b + v[i + len(a):]

    def phonetic(self, v, numeric):
        if not v or numeric:
            return None
        opts = []
        for a, b in PHONETIC_RULES:
            if a == "DOUBLE":
                opts += [(i, v[i:i + 2], v[i]) for i in range(len(v) - 1) if v[i] == v[i + 1] and v[i].isalpha()]
            elif a == "SINGLE":
                opts += [(i, v[i], v[i] * 2) for i in range(1, len(v) - 1)
                         if v[i] in "lnrtsmpfd" and v[i - 1] in VOWELS and v[i + 1] in VOWELS]
            elif a.endswith("$"):
                stem = a[:-1]
                for w_end in word_ends(v):
                    if v[:w_end].endswith(stem):
                        opts.append((w_end - len(stem), stem, b))
            else:
                start = v.find(a)
                while start >= 0:
                    opts.append((start, a, b))
                    start = v.find(a, start + 1)
        if not opts:
            return None
        i, a, b = self.rng.choice(opts)
        out = v[:i] + b + v[i + len(a):]
        return out if out.strip() else None

    def missing(self, v, numeric):
        return "" if v else None

    def split(self, v, numeric):
        idx = [i for i in range(2, len(v) - 1) if v[i - 1] != " " and v[i] != " " and v[i - 2] != " "
               and (i + 1 >= len(v) or v[i + 1] != " ")]
        if not idx:
            return None
        i = self.rng.choice(idx)
        return v[:i] + " " + v[i:]

    def merge(self, v, numeric):
        idx = [i for i, c in enumerate(v) if c == " " and 0 < i < len(v) - 1]
        if not idx:
            return None
        i = self.rng.choice(idx)
        return v[:i] + v[i + 1:]

    def postcode_digit(self, v, numeric):
        idx = [i for i, c in enumerate(v) if c.isdigit()]
        if not idx:
            return None
        i = self.rng.choice(idx)
        d = self.rng.choice([c for c in "0123456789" if c != v[i]])
        return v[:i] + d + v[i + 1:]

    def date_daymonth(self, v, numeric):
        if len(v) != 8 or not v.isdigit():
            return None
        y, m, d = v[:4], v[4:6], v[6:]
        if d == m or int(d) > 12:
            return None
        return y + d + m

    def date_digit(self, v, numeric):
        if len(v) != 8 or not v.isdigit():
            return None
        for _ in range(20):
            i = self.rng.choice([2, 3, 4, 5, 6, 7])
            c = self.rng.choice([x for x in "0123456789" if x != v[i]])
            w = v[:i] + c + v[i + 1:]
            y, m, d = int(w[:4]), int(w[4:6]), int(w[6:])
            if 1 <= m <= 12 and 1 <= d <= days_in(y, m):
                return w
        return None

    def replace(self, field, v, rec):
        if field == "given_name":
            new = self.given()
        elif field == "surname":
            new = self.surname()
        elif field == "address_1":
            new = self.street()
        elif field == "address_2":
            new = self.address_2()
        elif field == "suburb":
            new = self.suburb()[0]
        elif field == "postcode":
            new = self.suburb()[1]
        elif field == "state":
            new = self.rng.choice(lists.STATES)
        else:
            return None
        return new if new != v else None

    # ------------------------------------------------------------ one duplicate
    def duplicate(self, orig, rec_id):
        for _ in range(100):
            rec = dict(orig)
            rec["rec_id"] = rec_id
            n = self.rng.choices(range(1, MAX_MODS + 1), weights=MODS_COUNT_WEIGHTS)[0]
            mods, per_field, attempts = [], Counter(), 0
            fields, fws = list(FIELD_WEIGHTS), list(FIELD_WEIGHTS.values())
            while len(mods) < n and attempts < 200:
                attempts += 1
                f = self.rng.choices(fields, weights=fws)[0]
                if per_field[f] >= MAX_PER_FIELD:
                    continue
                kinds = FIELD_KINDS[f]
                kind = self.rng.choices(list(kinds), weights=list(kinds.values()))[0]
                if kind == "swap_fields":
                    g = SWAP_PARTNER[f]
                    if per_field[g] >= MAX_PER_FIELD or rec[f] == rec[g]:
                        continue
                    rec[f], rec[g] = rec[g], rec[f]
                    per_field[f] += 1
                    per_field[g] += 1
                    a, b = sorted([f, g], key=COLUMNS.index)
                    mods.append((f"{a}+{b}", kind))
                    continue
                v = rec[f]
                if kind == "replace":
                    new = self.replace(f, v, rec)
                else:
                    if kind != "missing" and not v:
                        continue
                    new = getattr(self, kind)(v, f in NUMERIC)
                if new is None or new == v or new == orig[f]:
                    continue
                rec[f] = new
                per_field[f] += 1
                mods.append((f, kind))
            if mods and any(rec[c] != orig[c] for c in COLUMNS[1:]):
                return rec, mods
        raise RuntimeError("could not make a duplicate of " + orig["rec_id"])


def days_in(y, m):
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    return 30 if m in (4, 6, 9, 11) else 31


def word_ends(v):
    return [i for i in range(1, len(v) + 1) if i == len(v) or v[i] == " "]


def dup_counts(rng, n_orig, n_dup, dist):
    """How many duplicates each original gets (a list of n_orig counts summing to n_dup)."""
    counts = [0] * n_orig
    if dist == "one":
        assert n_orig == n_dup
        return [1] * n_orig
    ks = list(range(1, MAX_DUPS_PER_ORIGINAL + 1))
    if dist == "zipf":
        ws = zipf_weights(MAX_DUPS_PER_ORIGINAL, 1.2)
    else:  # poisson, lambda 2, truncated to 1..5
        ws = [math.exp(-2) * 2 ** k / math.factorial(k) for k in ks]
    order = list(range(n_orig))
    rng.shuffle(order)
    left = n_dup
    for i in order:
        if left == 0:
            break
        k = min(rng.choices(ks, weights=ws)[0], left)
        counts[i] = k
        left -= k
    assert left == 0, "not enough originals for the duplicates"
    return counts


def make_file(name, seed, outdir):
    n_orig, n_dup, dist = FILES[name]
    g = Gen(seed)
    used = set()
    originals = [g.original(f"rec-{i}-org", used) for i in range(n_orig)]
    counts = dup_counts(g.rng, n_orig, n_dup, dist)
    rows, truth = list(originals), []
    for i, (o, k) in enumerate(zip(originals, counts)):
        for j in range(k):
            d, mods = g.duplicate(o, f"rec-{i}-dup-{j}")
            rows.append(d)
            truth.append((d["rec_id"], len(mods), ";".join(f"{f}:{kind}" for f, kind in mods)))
    g.rng.shuffle(rows)
    for variant, cols in (("full", COLUMNS), ("names", NAMES_COLUMNS)):
        with open(os.path.join(outdir, f"{name}_{variant}.csv"), "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(cols)
            for r in rows:
                w.writerow([r[c] for c in cols])
    with open(os.path.join(outdir, f"{name}_truth.csv"), "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["rec_id", "n_mods", "mods"])
        for t in truth:
            w.writerow(t)
    return len(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="data")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--files", default="ABCD")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for k, name in enumerate(a.files):
        n = make_file(name, a.seed * 1000 + "ABCD".index(name), a.out)
        print(f"{name}: {n} rows")


if __name__ == "__main__":
    main()
