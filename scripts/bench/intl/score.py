#!/usr/bin/env python3
"""Pairwise precision/recall of a crmgate clusters file against truth.

usage: score.py CLUSTERS.csv TRUTH.csv [--missed missed.csv] [--false false.csv]
"""
import csv, sys, argparse
from collections import defaultdict
from itertools import combinations

ap = argparse.ArgumentParser()
ap.add_argument("clusters"); ap.add_argument("truth")
ap.add_argument("--missed"); ap.add_argument("--false")
a = ap.parse_args()

truth = {}
for t in csv.DictReader(open(a.truth, encoding="utf-8")):
    truth[int(t["row"])] = t
cl = {}
for c in csv.DictReader(open(a.clusters, encoding="utf-8")):
    cl[int(c["row"])] = c["cluster"]
missing_rows = set(truth) - set(cl)
if missing_rows:
    print(f"WARNING: {len(missing_rows)} truth rows not in clusters file, e.g. {sorted(missing_rows)[:5]}")

def pairs(groups):
    s = set()
    for g in groups.values():
        for x, y in combinations(sorted(g), 2): s.add((x, y))
    return s

tg = defaultdict(list); pg = defaultdict(list)
for row, t in truth.items(): tg[t["person"]].append(row)
for row, c in cl.items(): pg[c].append(row)
T = pairs(tg); P = pairs(pg)
tp = T & P

def label(x, y):
    tx, ty = truth[x], truth[y]
    if tx["role"] == "orig": return ty
    if ty["role"] == "orig": return tx
    return None

def prf(t, p, tp):
    pr = tp / p if p else float("nan"); rc = tp / t if t else float("nan")
    return pr, rc

print(f"rows {len(truth)}  true pairs {len(T)}  predicted pairs {len(P)}  TP {len(tp)}")
pr, rc = prf(len(T), len(P), len(tp))
f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0
print(f"ALL        precision {pr:.4f}  recall {rc:.4f}  F1 {f1:.4f}")

scripts = sorted({t["script"] for t in truth.values()})
print("\nper script (predicted pairs counted under row A's script; cross-script predicted pairs shown as 'cross')")
print(f"{'script':8} {'true':>6} {'pred':>6} {'TP':>6} {'prec':>7} {'recall':>7}  recall(no shared email)")
cross = 0
for sc in scripts:
    Ts = {p for p in T if truth[p[0]]["script"] == sc}
    Ps = {p for p in P if truth[p[0]]["script"] == sc and truth[p[1]]["script"] == sc}
    TPs = Ts & Ps
    hard = {p for p in Ts if (label(*p) or {}).get("email_shared") != "1"}
    pr, rc = prf(len(Ts), len(Ps), len(TPs))
    hr = len(hard & Ps) / len(hard) if hard else float("nan")
    print(f"{sc:8} {len(Ts):6} {len(Ps):6} {len(TPs):6} {pr:7.3f} {rc:7.3f}  {hr:.3f} ({len(hard & Ps)}/{len(hard)})")
cross = sum(1 for p in P if truth[p[0]]["script"] != truth[p[1]]["script"])
print(f"cross-script predicted pairs: {cross}")

print("\nrecall per error type (orig-dup pairs; 'all' and 'no shared email')")
by = defaultdict(lambda: [0, 0, 0, 0])
byse = defaultdict(lambda: [0, 0])
for p in T:
    l = label(*p)
    err = l["error"] if l else "dup-dup"
    sc = truth[p[0]]["script"]
    hit = p in P
    by[err][0] += 1; by[err][1] += hit
    if not l or l["email_shared"] != "1":
        by[err][2] += 1; by[err][3] += hit
        byse[(err, sc)][0] += 1; byse[(err, sc)][1] += hit
errs = sorted(by, key=lambda e: by[e][1] / by[e][0])
print(f"{'error':15} {'all':>12} {'no-email':>14}   per script (no-email hit/total)")
for e in errs:
    n, h, n2, h2 = by[e]
    per = " ".join(f"{sc}:{byse[(e, sc)][1]}/{byse[(e, sc)][0]}" for sc in scripts if byse[(e, sc)][0])
    print(f"{e:15} {h:4}/{n:4} {h/n:5.2f} {h2:4}/{n2:4} {h2/n2 if n2 else float('nan'):5.2f}   {per}")

if a.missed:
    with open(a.missed, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f); w.writerow(["row_a", "row_b", "script", "error", "email_shared", "phone_kept"])
        for x, y in sorted(T - P):
            l = label(x, y) or {"error": "dup-dup", "email_shared": "", "phone_kept": ""}
            w.writerow([x, y, truth[x]["script"], l["error"], l["email_shared"], l["phone_kept"]])
if a.false:
    with open(a.false, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f); w.writerow(["row_a", "row_b", "script_a", "script_b", "person_a", "person_b"])
        for x, y in sorted(P - T):
            w.writerow([x, y, truth[x]["script"], truth[y]["script"], truth[x]["person"], truth[y]["person"]])
