#!/usr/bin/env python3
"""Scores a clustering of gen.py's voter file against its truth.

    score.py DATA_CSV CLUSTERS_CSV TRUTH_CSV [--pairs PREFIX]

CLUSTERS_CSV is `row,source_id,cluster` as `crmgate dedupe --clusters` writes it (row = 1-based data row of DATA_CSV;
rows with the same cluster are one person; a row missing from it is a cluster of its own). TRUTH_CSV is gen.py's
truth.csv: line i belongs to data row i.

Prints pairwise precision, recall, F1 and tp/fp/fn; the recall by class (the true pairs whose snapshot-2 row has
that class, from truth.csv); and for each hard-negative kind (father_son, twin, namesake, spouse) how many of those
pairs of people were merged (any row of one in a cluster with any row of the other). With --pairs PREFIX, writes
PREFIX_fp.csv and PREFIX_fn.csv: row_a,row_b, the two rows' person ids and classes, then the two rows' values.
"""

import argparse
import csv
import sys
from collections import Counter, defaultdict

HARD = ["father_son", "twin", "namesake", "spouse"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data")
    ap.add_argument("clusters")
    ap.add_argument("truth")
    ap.add_argument("--pairs", metavar="PREFIX", help="write PREFIX_fp.csv and PREFIX_fn.csv")
    a = ap.parse_args()

    with open(a.data, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        data = list(r)
    with open(a.truth, newline="") as f:
        truth = list(csv.DictReader(f))
    if len(truth) != len(data):
        sys.exit(f"score.py: {a.data} has {len(data)} rows, {a.truth} {len(truth)}")
    reg = header.index("voter_reg_num") if "voter_reg_num" in header else None
    if reg is not None:
        bad = sum(1 for d, t in zip(data, truth) if d[reg] != t["voter_reg_num"])
        if bad:
            sys.exit(f"score.py: {bad} rows' voter_reg_num differ between {a.data} and {a.truth} (not the same file?)")
    n = len(data)

    cluster = list(range(-1, -n - 1, -1))  # own cluster unless named
    seen = 0
    with open(a.clusters, newline="") as f:
        for row in csv.DictReader(f):
            i = int(row["row"]) - 1
            if not 0 <= i < n:
                sys.exit(f"score.py: {a.clusters} names row {i + 1}, the data has {n}")
            cluster[i] = row["cluster"]
            seen += 1

    person = [t["person_id"] for t in truth]
    by_person = defaultdict(list)
    for i, p in enumerate(person):
        by_person[p].append(i)
    by_cluster = defaultdict(list)
    for i, c in enumerate(cluster):
        by_cluster[c].append(i)

    true_pairs = sum(len(v) * (len(v) - 1) // 2 for v in by_person.values())
    pred_pairs = sum(len(v) * (len(v) - 1) // 2 for v in by_cluster.values())
    tp = 0
    for rows in by_cluster.values():
        if len(rows) > 1:
            tp += sum(k * (k - 1) // 2 for k in Counter(person[i] for i in rows).values())
    fp, fn = pred_pairs - tp, true_pairs - tp
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    sizes = Counter(len(v) for v in by_cluster.values())
    print(f"rows {n}, people {len(by_person)}, true pairs {true_pairs}, predicted pairs {pred_pairs}, "
          f"clusters {len(by_cluster)} (largest {max(sizes)}), rows in the clusters file {seen}")
    print(f"precision {p:.4f} recall {r:.4f} F1 {f1:.4f}")
    print(f"tp {tp} fp {fp} fn {fn}")

    # Recall by class of the snapshot-2 row.
    found, total = Counter(), Counter()
    fn_pairs = []
    for pid, rows in by_person.items():
        if len(rows) < 2:
            continue
        rows = sorted(rows, key=lambda i: truth[i]["snapshot"])
        for x in range(len(rows)):
            for y in range(x + 1, len(rows)):
                i, j = rows[x], rows[y]
                hit = cluster[i] == cluster[j]
                cls = [c for c in truth[j]["classes"].split(";") if c and ":" not in c] or ["(none)"]
                if "new_regnum" not in cls:
                    cls.append("(same regnum)")
                if len(cls) == 1 and cls[0] == "new_regnum":
                    cls.append("(new regnum only)")
                for c in cls:
                    total[c] += 1
                    found[c] += hit
                if not hit:
                    fn_pairs.append((min(i, j), max(i, j)))
    print("recall by class of the snapshot-2 row (found/pairs):")
    for c in sorted(total, key=lambda c: (-total[c], c)):
        print(f"  {c:<18} {found[c]:>5}/{total[c]:<5} {found[c] / total[c]:.4f}")

    # Hard negatives: pairs of people.
    kinds = defaultdict(set)
    for t in truth:
        for c in t["classes"].split(";"):
            if ":" in c:
                kind, other = c.split(":", 1)
                kinds[kind].add(tuple(sorted((t["person_id"], other))))
    fp_kind = Counter()
    kind_of = {}
    for kind, pairs in kinds.items():
        for pr in pairs:
            kind_of[pr] = kind
    print("hard negatives merged (pairs of people with a row of each in one cluster):")
    for kind in HARD + sorted(set(kinds) - set(HARD)):
        if kind not in kinds:
            continue
        merged = 0
        for x, y in kinds[kind]:
            cx = {cluster[i] for i in by_person[x]}
            if any(cluster[i] in cx for i in by_person[y]):
                merged += 1
        print(f"  {kind:<11} {merged:>4} of {len(kinds[kind])}")

    fp_pairs = []
    for rows in by_cluster.values():
        if len(rows) < 2:
            continue
        for x in range(len(rows)):
            for y in range(x + 1, len(rows)):
                i, j = rows[x], rows[y]
                if person[i] != person[j]:
                    fp_pairs.append((min(i, j), max(i, j)))
                    fp_kind[kind_of.get(tuple(sorted((person[i], person[j]))), "other")] += 1
    if fp:
        print("false-positive row pairs by kind: " + ", ".join(f"{k} {v}" for k, v in fp_kind.most_common()))

    if a.pairs:
        cols = ["row_a", "row_b", "person_a", "person_b", "classes_a", "classes_b"]
        cols += [f"{h}_a" for h in header] + [f"{h}_b" for h in header]
        for name, pairs in (("fp", fp_pairs), ("fn", fn_pairs)):
            with open(f"{a.pairs}_{name}.csv", "w", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(cols)
                for i, j in sorted(pairs):
                    w.writerow([i + 1, j + 1, person[i], person[j], truth[i]["classes"], truth[j]["classes"]]
                               + data[i] + data[j])


if __name__ == "__main__":
    main()
