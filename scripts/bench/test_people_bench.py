#!/usr/bin/env python3
"""Tests gen_people.py and score_pairs.py (stdlib only; no crmgate needed).

    python3 scripts/bench/test_people_bench.py          # ~2 s
"""
import collections
import csv
import hashlib
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "gen_people.py")
SCORE = os.path.join(HERE, "score_pairs.py")
COLUMNS = ["Record ID", "Given Name", "Surname", "Street Number", "Address 1", "Address 2", "Suburb",
           "Postcode", "State", "Phone", "Email"]
CLASSES = ["typo_keyboard", "typo_ocr", "phonetic", "swap_names", "split_merge", "transpose_digits",
           "postcode_typo", "missing", "replaced_given", "nickname", "address_swap", "date_swap", "abbrev"]


def run(*args):
    p = subprocess.run([sys.executable] + list(args), capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def metric(out, name):
    for line in out.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError("no %s in:\n%s" % (name, out))


class PeopleBench(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.d = cls.tmp.name
        cls.files = {k: os.path.join(d, k + ".csv") for k in ("data", "truth", "classes", "neg")}
        f = cls.files
        rc, _, err = run(GEN, "--rows", "2000", "--seed", "11", "--with-ids", "--out", f["data"], "--truth", f["truth"],
                         "--classes", f["classes"], "--negatives", f["neg"], "--quiet")
        assert rc == 0, err
        cls.data, cls.truth, cls.cls = read(f["data"]), read(f["truth"]), read(f["classes"])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def score(self, pred_rows, *extra):
        p = os.path.join(self.d, "pred.csv")
        write(p, pred_rows)
        return run(SCORE, "--truth", self.files["truth"], "--classes", self.files["classes"], "--pred", p, *extra)

    # ---- generator ----
    def test_columns_rows_ids(self):
        self.assertEqual(self.data[0], COLUMNS + ["Date of Birth", "National ID"])
        rows = self.data[1:]
        self.assertEqual(len(rows), 2000)
        ids = [r[0] for r in rows]
        self.assertEqual(len(set(ids)), 2000)
        self.assertEqual(ids, [r[0] for r in self.truth[1:]], "truth lists the rows in data order")
        self.assertEqual(ids, [r[0] for r in self.cls[1:]])
        for r in rows:
            dob, nid = r[11], r[12]
            self.assertTrue(len(nid) == 0 or 7 <= len(nid) <= 9, nid)
            self.assertRegex(dob, r"^(\d{4}-\d\d-\d\d)?$")
        with open(self.files["data"], "rb") as fh:
            raw = fh.read()
        self.assertIn(b"\r\n", raw)
        self.assertTrue(any(ord(c) > 127 for c in raw.decode("utf-8")), "some non-ASCII names")

    def test_duplicates_and_classes(self):
        ent = collections.Counter(r[1] for r in self.truth[1:])
        dups = [r for r in self.cls[1:] if r[1]]
        self.assertEqual(len(dups), 600)                      # 30% of 2000
        self.assertLessEqual(max(ent.values()), 4)            # original + at most 3
        self.assertEqual(len(ent), 1400)
        hist = collections.Counter(c for r in dups for c in r[1].split(";"))
        self.assertEqual(sorted(hist), sorted(CLASSES))
        for c in CLASSES:
            self.assertGreaterEqual(hist[c] / len(dups), 0.04, "%s: %d" % (c, hist[c]))
        for r in dups:
            n = len(r[1].split(";"))
            self.assertTrue(1 <= n <= 4, r)
            self.assertEqual(len(set(r[1].split(";"))), n, r)
            self.assertEqual([x.split(":")[0] for x in r[2].split(";")], r[1].split(";"))

    def test_duplicate_differs_from_its_original(self):
        by_id = {r[0]: r[1:] for r in self.data[1:]}
        orig = {}
        cls = {r[0]: r[1] for r in self.cls[1:]}
        for rid, e in self.truth[1:]:
            if not cls[rid]:
                orig[e] = rid
        for rid, e in self.truth[1:]:
            if cls[rid]:
                self.assertNotEqual(by_id[rid], by_id[orig[e]], rid)

    def test_email_share_and_hard_negatives(self):
        cls = {r[0]: r[1] for r in self.cls[1:]}
        origs = [r for r in self.data[1:] if not cls[r[0]]]
        share = sum(1 for r in origs if r[10]) / len(origs)
        self.assertTrue(0.35 <= share <= 0.45, share)
        neg = read(self.files["neg"])
        self.assertEqual(neg[0], ["Record ID A", "Record ID B", "kind"])
        kinds = collections.Counter(r[2] for r in neg[1:])
        self.assertEqual(sorted(kinds), ["family", "namesake", "same_name"])
        by_id = {r[0]: r for r in self.data[1:]}
        ent = {r[0]: r[1] for r in self.truth[1:]}
        for a, b, kind in neg[1:]:
            ra, rb = by_id[a], by_id[b]
            self.assertNotEqual(ent[a], ent[b])
            self.assertFalse(cls[a] or cls[b], "hard negatives are originals")
            if kind == "family":
                self.assertEqual(ra[2:9], rb[2:9])             # surname and the whole address
                self.assertNotEqual(ra[1], rb[1])
                self.assertNotEqual(ra[11], rb[11])            # DOB
            elif kind == "namesake":
                self.assertEqual((ra[1], ra[6], ra[7]), (rb[1], rb[6], rb[7]))
                self.assertNotEqual(ra[2], rb[2])
                self.assertNotEqual(ra[4], rb[4])
            else:
                self.assertEqual(ra[1:3], rb[1:3])
                self.assertNotEqual(ra[6], rb[6])

    def test_deterministic(self):
        f = os.path.join(self.d, "again.csv")
        g = os.path.join(self.d, "other.csv")
        run(GEN, "--rows", "2000", "--seed", "11", "--with-ids", "--out", f, "--quiet")
        run(GEN, "--rows", "2000", "--seed", "12", "--with-ids", "--out", g, "--quiet")
        def digest(p):
            with open(p, "rb") as fh:
                return hashlib.sha256(fh.read()).hexdigest()
        self.assertEqual(digest(f), digest(self.files["data"]))
        self.assertNotEqual(digest(g), digest(self.files["data"]))

    def test_without_ids(self):
        f = os.path.join(self.d, "noids.csv")
        c = os.path.join(self.d, "noids.classes.csv")
        rc, _, _ = run(GEN, "--rows", "500", "--seed", "2", "--out", f, "--classes", c, "--quiet")
        self.assertEqual(rc, 0)
        self.assertEqual(read(f)[0], COLUMNS)
        with open(c, encoding="utf-8") as fh:
            self.assertNotIn("date_swap", fh.read())

    def test_impossible_dup_rate(self):
        rc, _, err = run(GEN, "--rows", "100", "--dup-rate", "0.9", "--out", os.path.join(self.d, "x.csv"))
        self.assertEqual(rc, 2, err)

    # ---- scorer ----
    def test_truth_scores_f1_1(self):
        rc, out, err = self.score([["Record ID", "cluster"]] + [[r[0], r[1]] for r in self.truth[1:]],
                                  "--negatives", self.files["neg"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(metric(out, "f1"), 1.0)
        self.assertEqual(metric(out, "precision"), 1.0)
        self.assertEqual(metric(out, "recall"), 1.0)
        self.assertRegex(out, r"family +0 /")

    def test_every_row_alone_recall_0(self):
        rc, out, err = self.score([["Record ID", "cluster"]] + [[r[0], r[0]] for r in self.truth[1:]])
        self.assertEqual(rc, 0, err)
        self.assertEqual(metric(out, "recall"), 0.0)
        self.assertEqual(metric(out, "f1"), 0.0)
        for c in CLASSES:
            self.assertRegex(out, r"\n  %s +0 / [1-9]" % c)

    def test_crmgate_format_by_source_id_and_by_row(self):
        ents = {}
        rows = [[i, r[0], ents.setdefault(r[1], i)] for i, r in enumerate(self.truth[1:], 1)]
        rc, out, err = self.score([["row", "source_id", "cluster"]] + rows)
        self.assertEqual((rc, metric(out, "f1")), (0, 1.0), err)
        # No external id in the mapping: source_id empty, row numbers used.
        rc, out, err = self.score([["row", "source_id", "cluster"]] + [[a, "", c] for a, _, c in rows])
        self.assertEqual((rc, metric(out, "f1")), (0, 1.0), err)

    def test_everything_one_cluster(self):
        rc, out, err = self.score([["Record ID", "cluster"]] + [[r[0], "x"] for r in self.truth[1:]])
        self.assertEqual(rc, 0, err)
        self.assertEqual(metric(out, "recall"), 1.0)
        self.assertLess(metric(out, "precision"), 0.001)

    def test_partial_prediction_and_show(self):
        # Half the true pairs merged, every other row left out of the file.
        truth = self.truth[1:]
        keep = [[r[0], r[1] if i % 2 else r[0]] for i, r in enumerate(truth)]
        rc, out, err = self.score([["Record ID", "cluster"]] + keep[:1500], "--show", "--data", self.files["data"])
        self.assertEqual(rc, 0, err)
        self.assertIn("500 rows not in --pred", out)
        self.assertTrue(0 < metric(out, "recall") < 1)
        self.assertIn("worst missed pairs", out)
        self.assertIn("worst false pairs", out)

    def test_malformed_inputs_exit_2(self):
        cases = [
            [["id", "label"], ["a", "b"]],                                   # unknown header
            [["Record ID", "cluster"], ["nope", "1"]],                       # unknown id
            [["Record ID", "cluster"], [self.truth[1][0], "1"], [self.truth[1][0], "2"]],  # twice
            [["row", "source_id", "cluster"], ["99999", "", "1"]],           # row out of range
            [["row", "source_id", "cluster"], ["1", "zzz", "1"]],            # source_id not a Record ID
        ]
        for rows in cases:
            rc, _, err = self.score(rows)
            self.assertEqual(rc, 2, rows)
            self.assertIn("score_pairs.py:", err)
        p = os.path.join(self.d, "ragged.csv")
        with open(p, "w", encoding="utf-8") as f:
            f.write("Record ID,cluster\nabc\n")
        rc, _, _ = run(SCORE, "--truth", self.files["truth"], "--classes", self.files["classes"], "--pred", p)
        self.assertEqual(rc, 2)
        rc, _, _ = run(SCORE, "--truth", os.path.join(self.d, "absent.csv"), "--classes", self.files["classes"], "--pred", p)
        self.assertEqual(rc, 2)
        rc, _, _ = self.score([["Record ID", "cluster"]], "--show")          # --show without --data
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
