#!/usr/bin/env python3
"""score.py DATA.csv CLUSTERS.csv [--pairs OUT_PREFIX]
Pairwise P/R/F1 vs DATA.truth.csv; recall by error class (dups with exactly one class, pair with their original)."""
import csv, sys, itertools, collections, json

data, clus = sys.argv[1], sys.argv[2]
prefix = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--pairs" else None
truth = {r["rec_id"]: r for r in csv.DictReader(open(data.replace(".csv", ".truth.csv")))}
rows = list(csv.DictReader(open(data)))
row_of = {r["rec_id"]: i + 1 for i, r in enumerate(rows)}
pred = {}
for r in csv.DictReader(open(clus)):
    assert rows[int(r["row"]) - 1]["rec_id"] == r["source_id"], r
    pred[int(r["row"])] = r["cluster"]
ent = {row_of[k]: v["entity"] for k, v in truth.items()}
assert len(pred) == len(rows)

def pairs(lab):
    g = collections.defaultdict(list)
    for row, c in lab.items():
        g[c].append(row)
    s = set()
    for m in g.values():
        s.update(itertools.combinations(sorted(m), 2))
    return s

P, T = pairs(pred), pairs(ent)
tp = len(P & T)
prec = tp / len(P) if P else 1.0
rec = tp / len(T)
f1 = 2 * prec * rec / (prec + rec)
print(f"{data}: rows {len(rows)} true pairs {len(T)} predicted pairs {len(P)} TP {tp} FP {len(P - T)} FN {len(T - P)}")
print(f"precision {prec:.4f} recall {rec:.4f} F1 {f1:.4f}")
orig_row = {}
for k, v in truth.items():
    if v["role"] == "orig":
        orig_row[v["entity"]] = row_of[k]
by = collections.defaultdict(lambda: [0, 0])
byn = collections.defaultdict(lambda: [0, 0])
single = []
for k, v in truth.items():
    if v["role"] != "dup":
        continue
    d, o = row_of[k], orig_row[v["entity"]]
    found = pred[d] == pred[o]
    byn[v["n_err"]][0] += found; byn[v["n_err"]][1] += 1
    if v["n_err"] == "1":
        by[v["classes"]][0] += found; by[v["classes"]][1] += 1
        single.append((min(d, o), max(d, o), v["details"], found))
print("dup-original recall by number of error classes:",
      {n: f"{a}/{b}={a / b:.3f}" for n, (a, b) in sorted(byn.items())})
print("single-class dup-original recall:")
for c, (a, b) in sorted(by.items()):
    print(f"  {c:14s} {a:5d}/{b:<5d} {a / b:.3f}")
if prefix:
    json.dump({k: list(v) for k, v in by.items()}, open(prefix + ".byclass.json", "w"))
    with open(prefix + ".fp.csv", "w") as f:
        w = csv.writer(f); w.writerow(["row_a", "row_b", "ent_a", "ent_b", "neg_a", "neg_b"])
        for a, b in sorted(P - T):
            w.writerow([a, b, ent[a], ent[b], truth[rows[a - 1]["rec_id"]]["neg"], truth[rows[b - 1]["rec_id"]]["neg"]])
    with open(prefix + ".fn.csv", "w") as f:
        w = csv.writer(f); w.writerow(["row_a", "row_b", "details_a", "details_b"])
        for a, b in sorted(T - P):
            w.writerow([a, b, truth[rows[a - 1]["rec_id"]]["details"], truth[rows[b - 1]["rec_id"]]["details"]])
