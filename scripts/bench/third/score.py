#!/usr/bin/env python3
"""Pairwise scoring of crmgate dedupe clusters against gen.py's truth.

    python3 score.py DATA.csv CLUSTERS.csv TRUTH.csv [--variant names|full] [--detail] [--missed OUT.csv]
                     [--fp OUT.csv] [--summary]

Truth pairs: rows sharing a rec-N prefix. Predicted pairs: rows in one crmgate cluster. Rows are matched by
their 1-based data row number (the clusters file's `row`); its source_id is checked against the data's rec_id.
For the names variant, modifications of date_of_birth and soc_sec_id are invisible and left out of the classes.
"""
import argparse
import csv
import itertools
import sys
from collections import Counter, defaultdict

HIDDEN_IN_NAMES = {"date_of_birth", "soc_sec_id"}


def entity(rec_id):
    return rec_id.split("-dup-")[0].rsplit("-org", 1)[0]


def load(data, clusters, truth, variant):
    with open(data, newline="", encoding="utf-8") as fh:
        ids = [r["rec_id"] for r in csv.DictReader(fh)]
    cl = {}
    with open(clusters, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            row = int(r["row"])
            if r.get("source_id") and r["source_id"] != ids[row - 1]:
                sys.exit(f"row {row}: source_id {r['source_id']} but the data has {ids[row - 1]}")
            cl[row] = r["cluster"]
    if len(cl) != len(ids):
        print(f"warning: {len(ids)} data rows, {len(cl)} in clusters", file=sys.stderr)
    mods = {}
    with open(truth, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            ms = [tuple(m.split(":")) for m in r["mods"].split(";") if m]
            if variant == "names":
                ms = [(f, k) for f, k in ms if not (set(f.split("+")) & HIDDEN_IN_NAMES)]
            mods[r["rec_id"]] = ms
    return ids, cl, mods


def pairs_of(groups):
    out = set()
    for rows in groups.values():
        for a, b in itertools.combinations(sorted(rows), 2):
            out.add((a, b))
    return out


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("clusters")
    ap.add_argument("truth")
    ap.add_argument("--variant", choices=["names", "full"], default="full")
    ap.add_argument("--detail", action="store_true")
    ap.add_argument("--missed", help="write the missed true pairs here")
    ap.add_argument("--fp", help="write the wrongly merged pairs here")
    ap.add_argument("--summary", action="store_true", help="one line: pairs, precision, recall, F1")
    a = ap.parse_args()

    ids, cl, mods = load(a.data, a.clusters, a.truth, a.variant)
    by_entity, by_cluster = defaultdict(list), defaultdict(list)
    for i, rid in enumerate(ids, 1):
        by_entity[entity(rid)].append(i)
        if i in cl:
            by_cluster[cl[i]].append(i)
    true_p, pred_p = pairs_of(by_entity), pairs_of(by_cluster)
    tp, fp, fn = len(true_p & pred_p), len(pred_p - true_p), len(true_p - pred_p)
    p, r, f = prf(tp, fp, fn)
    if a.summary:
        print(f"true {len(true_p)} predicted {len(pred_p)} tp {tp} fp {fp} fn {fn} "
              f"precision {p:.4f} recall {r:.4f} F1 {f:.4f}")
    else:
        print(f"{a.data}: rows {len(ids)}, true pairs {len(true_p)}, predicted {len(pred_p)}, tp {tp}, fp {fp}, fn {fn}")
        print(f"precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}")

    def kinds_of(rid):
        return mods.get(rid, [])

    def pair_info(x, y):
        """(org_dup?, dup id, mods of the duplicate(s))"""
        rx, ry = ids[x - 1], ids[y - 1]
        if rx.endswith("-org") or ry.endswith("-org"):
            d = ry if rx.endswith("-org") else rx
            return "org-dup", d, kinds_of(d)
        return "dup-dup", f"{rx}|{ry}", kinds_of(rx) + kinds_of(ry)

    if a.missed:
        with open(a.missed, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["row_a", "row_b", "id_a", "id_b", "type", "n_mods", "mods"])
            for x, y in sorted(true_p - pred_p):
                t, _, ms = pair_info(x, y)
                w.writerow([x, y, ids[x - 1], ids[y - 1], t, len(ms), ";".join(f"{f}:{k}" for f, k in ms)])
    if a.fp:
        with open(a.fp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["row_a", "row_b", "id_a", "id_b"])
            for x, y in sorted(pred_p - true_p):
                w.writerow([x, y, ids[x - 1], ids[y - 1]])
    if not a.detail:
        return

    # ---------------------------------------------------------------- detail
    tot_kind, hit_kind = Counter(), Counter()
    tot_fk, hit_fk = Counter(), Counter()
    tot_n, hit_n = Counter(), Counter()
    tot_t, hit_t = Counter(), Counter()
    miss_class, miss_kclass, dd_sub = Counter(), Counter(), Counter()
    for x, y in true_p:
        t, _, ms = pair_info(x, y)
        found = (x, y) in pred_p
        tot_t[t] += 1
        hit_t[t] += found
        if t != "org-dup":
            if not found:
                org = next(i for i in by_entity[entity(ids[x - 1])] if ids[i - 1].endswith("-org"))
                with_org = (cl.get(x) == cl.get(org)) + (cl.get(y) == cl.get(org))
                sub = "one with the original" if with_org else "neither with the original"
                dd_sub[sub] += 1
                miss_class["dup-dup"] += 1
                miss_kclass["dup-dup"] += 1
            continue
        tot_n[len(ms)] += 1
        hit_n[len(ms)] += found
        for k in set(k for _, k in ms):
            tot_kind[k] += 1
            hit_kind[k] += found
        for fk in set(f"{f}:{k}" for f, k in ms):
            tot_fk[fk] += 1
            hit_fk[fk] += found
        if not found:
            miss_class[" + ".join(sorted(f"{f}:{k}" for f, k in ms)) or "(no visible modification)"] += 1
            miss_kclass[" + ".join(sorted(k for _, k in ms)) or "(no visible modification)"] += 1

    print("\nrecall by pair type")
    for t in sorted(tot_t):
        print(f"  {t:8s} {hit_t[t]:6d}/{tot_t[t]:<6d} {hit_t[t] / tot_t[t]:.4f}")
    if dd_sub:
        print("  missed dup-dup pairs: " + ", ".join(f"{n} {k}" for k, n in dd_sub.most_common()))
    print("\nrecall of original-duplicate pairs by number of (visible) modifications of the duplicate")
    for n in sorted(tot_n):
        print(f"  {n}  {hit_n[n]:6d}/{tot_n[n]:<6d} {hit_n[n] / tot_n[n]:.4f}")
    print("\nrecall of original-duplicate pairs by modification kind (duplicate has it among its modifications)")
    for k, n in sorted(tot_kind.items(), key=lambda kv: hit_kind[kv[0]] / kv[1]):
        print(f"  {k:15s} {hit_kind[k]:6d}/{n:<6d} {hit_kind[k] / n:.4f}")
    print("\nrecall by field:kind (worst 25 with at least 10 pairs)")
    worst = sorted((kv for kv in tot_fk.items() if kv[1] >= 10), key=lambda kv: hit_fk[kv[0]] / kv[1])[:25]
    for k, n in worst:
        print(f"  {k:32s} {hit_fk[k]:6d}/{n:<6d} {hit_fk[k] / n:.4f}")
    print("\nlargest classes of missed pairs (modification kinds)")
    for c, n in miss_kclass.most_common(10):
        print(f"  {n:5d}  {c}")
    print("\nlargest classes of missed pairs (field:kind)")
    for c, n in miss_class.most_common(10):
        print(f"  {n:5d}  {c}")


if __name__ == "__main__":
    main()
