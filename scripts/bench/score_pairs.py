#!/usr/bin/env python3
"""Scores a clustering of person rows against gen_people.py's truth (stdlib only).

    score_pairs.py --truth T.csv --classes C.csv --pred P.csv
                   [--negatives N.csv] [--show --data people.csv] [--json OUT.json]

--truth      Record ID,entity (gen_people.py --truth): rows with the same entity are one person.
--classes    Record ID,classes[,detail] (gen_people.py --classes): a duplicate's corruption classes.
--pred       either  Record ID,cluster
             or      row,source_id,cluster   as `crmgate dedupe --clusters` writes it. source_id is the
                     mapping's external id: with `external_id: Record ID` (scripts/bench/people.yaml) it
                     is the Record ID. Where it is empty (no external_id in the mapping), `row` (1-based
                     data row) is used: the truth file lists the rows in the data file's order.
             Rows with the same cluster label are predicted to be one person. Rows the prediction
             leaves out count as clusters of their own (and are counted in the report).
--negatives  Record ID A,Record ID B,kind (gen_people.py --negatives): hard negatives; reports how
             many of each kind the prediction merged.
--show       with --data (the generated CSV): the 10 worst missed pairs (fewest corruptions, most alike
             first) and the 10 worst false pairs (least alike first), with their row values.

Pairwise metrics: a true pair is two rows of one entity, a predicted pair two rows of one cluster.
precision = shared / predicted, recall = shared / true, F1 their harmonic mean (precision is 1 when
nothing is predicted). Recall per corruption class: a true pair counts for a class when one of its two
rows is a duplicate carrying it (a pair of two duplicates counts for the classes of both).

Exit status 0, or 2 with a message when an input is missing or malformed.
"""
import argparse
import collections
import csv
import difflib
import json
import os
import sys


class Malformed(Exception):
    pass


def read_csv(path, what):
    try:
        f = open(path, newline="", encoding="utf-8-sig")
    except OSError as e:
        raise Malformed("%s: cannot read %s: %s" % (what, path, e.strerror))
    with f:
        try:
            r = csv.reader(f, strict=True)
            header = next(r, None)
            if header is None:
                raise Malformed("%s: %s is empty (no header row)" % (what, path))
            rows = []
            for row in r:
                if not row:
                    continue
                if len(row) != len(header):
                    raise Malformed("%s: %s line %d has %d fields, the header %d" % (what, path, r.line_num, len(row), len(header)))
                rows.append(row)
        except csv.Error as e:
            raise Malformed("%s: %s: %s" % (what, path, e))
        except UnicodeDecodeError as e:
            raise Malformed("%s: %s is not UTF-8: %s" % (what, path, e))
    return header, rows


def col(header, name, path, what):
    if name not in header:
        raise Malformed("%s: %s has no column %r (header: %s)" % (what, path, name, ",".join(header)))
    return header.index(name)


def load_truth(path):
    h, rows = read_csv(path, "truth")
    i, e = col(h, "Record ID", path, "truth"), col(h, "entity", path, "truth")
    ids, entity = [], {}
    for row in rows:
        rid = row[i]
        if not rid:
            raise Malformed("truth: %s has an empty Record ID" % path)
        if rid in entity:
            raise Malformed("truth: %s lists Record ID %r twice" % (path, rid))
        entity[rid] = row[e]
        ids.append(rid)
    return ids, entity


def load_classes(path, entity):
    h, rows = read_csv(path, "classes")
    i, c = col(h, "Record ID", path, "classes"), col(h, "classes", path, "classes")
    out = {}
    for row in rows:
        if row[i] not in entity:
            raise Malformed("classes: %s has Record ID %r, which the truth does not" % (path, row[i]))
        out[row[i]] = tuple(x for x in row[c].split(";") if x)
    return out


def load_pred(path, ids, entity):
    """Record ID -> cluster label, and the count of truth rows the prediction leaves out."""
    h, rows = read_csv(path, "pred")
    label = {}
    if "cluster" not in h:
        raise Malformed("pred: %s has no column 'cluster' (want Record ID,cluster or row,source_id,cluster)" % path)
    ci = h.index("cluster")
    if "Record ID" in h:
        ii = h.index("Record ID")
        for row in rows:
            rid = row[ii]
            if rid not in entity:
                raise Malformed("pred: %s line has Record ID %r, which the truth does not" % (path, rid))
            if rid in label:
                raise Malformed("pred: %s lists Record ID %r twice" % (path, rid))
            label[rid] = row[ci]
    elif "row" in h and "source_id" in h:
        ri, si = h.index("row"), h.index("source_id")
        for row in rows:
            rid = row[si]
            if not rid:
                try:
                    n = int(row[ri])
                except ValueError:
                    raise Malformed("pred: %s has row %r, not a number" % (path, row[ri]))
                if not 1 <= n <= len(ids):
                    raise Malformed("pred: %s has row %d; the truth has %d rows" % (path, n, len(ids)))
                rid = ids[n - 1]
            elif rid not in entity:
                raise Malformed("pred: %s has source_id %r, which is no Record ID of the truth "
                                "(does the mapping say external_id: Record ID?)" % (path, rid))
            if rid in label:
                raise Malformed("pred: %s lists Record ID %r twice" % (path, rid))
            label[rid] = row[ci]
    else:
        raise Malformed("pred: %s: want a header Record ID,cluster or row,source_id,cluster (got %s)" % (path, ",".join(h)))
    missing = 0
    for rid in ids:
        if rid not in label:
            label[rid] = ("\0alone", rid)
            missing += 1
    return label, missing


def load_negatives(path, entity):
    h, rows = read_csv(path, "negatives")
    a, b, k = (col(h, n, path, "negatives") for n in ("Record ID A", "Record ID B", "kind"))
    out = []
    for row in rows:
        for x in (row[a], row[b]):
            if x not in entity:
                raise Malformed("negatives: %s has Record ID %r, which the truth does not" % (path, x))
        out.append((row[a], row[b], row[k]))
    return out


def load_data(path, entity):
    h, rows = read_csv(path, "data")
    i = col(h, "Record ID", path, "data")
    return h, {row[i]: row for row in rows}


def groups_of(label):
    g = collections.defaultdict(list)
    for rid, c in label.items():
        g[c].append(rid)
    return g


def c2(k):
    return k * (k - 1) // 2


def score(ids, entity, classes, pred):
    ent_groups = groups_of(entity)
    pred_groups = groups_of(pred)
    true_pairs = sum(c2(len(m)) for m in ent_groups.values())
    pred_pairs = sum(c2(len(m)) for m in pred_groups.values())
    both = collections.Counter((entity[r], pred[r]) for r in ids)
    shared = sum(c2(k) for k in both.values())
    precision = shared / pred_pairs if pred_pairs else 1.0
    recall = shared / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    per_class = {}
    per_kind = {}  # original-duplicate / duplicate-duplicate
    per_n = {}     # original-duplicate pairs by the duplicate's number of corruptions
    missed = []
    for members in ent_groups.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                a, b = members[x], members[y]
                ca, cb = classes.get(a, ()), classes.get(b, ())
                hit = pred[a] == pred[b]
                kind = "original-duplicate" if not ca or not cb else "duplicate-duplicate"
                tallies = [per_kind.setdefault(kind, [0, 0])]
                if kind == "original-duplicate":
                    tallies.append(per_n.setdefault(len(ca or cb), [0, 0]))
                tallies += [per_class.setdefault(c, [0, 0]) for c in sorted(set(ca) | set(cb))]
                for t in tallies:
                    t[0] += hit
                    t[1] += 1
                if not hit:
                    missed.append((a, b, tuple(sorted(set(ca) | set(cb))), len(ca) + len(cb)))
    dups = [r for r in ids if classes.get(r)]
    orig_of = {}
    for r in ids:
        if not classes.get(r):
            orig_of[entity[r]] = r
    dup_found = sum(1 for r in dups if entity[r] in orig_of and pred[orig_of[entity[r]]] == pred[r])
    return {
        "rows": len(ids), "entities": len(ent_groups), "clusters": len(pred_groups),
        "duplicates": len(dups), "duplicates_with_original": dup_found,
        "true_pairs": true_pairs, "predicted_pairs": pred_pairs, "shared_pairs": shared,
        "missed_pairs": true_pairs - shared, "false_pairs": pred_pairs - shared,
        "precision": precision, "recall": recall, "f1": f1,
        "recall_per_class": {c: {"found": v[0], "total": v[1]} for c, v in sorted(per_class.items())},
        "recall_per_pair_kind": {k: {"found": v[0], "total": v[1]} for k, v in sorted(per_kind.items())},
        "recall_by_corruptions": {str(k): {"found": v[0], "total": v[1]} for k, v in sorted(per_n.items())},
    }, missed, pred_groups


def false_pairs(entity, pred_groups, limit=200000):
    """Up to `limit` predicted pairs of different entities (whole small clusters first)."""
    out = []
    for members in sorted(pred_groups.values(), key=len):
        if len(members) < 2:
            continue
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                if entity[members[x]] != entity[members[y]]:
                    out.append((members[x], members[y]))
                    if len(out) >= limit:
                        return out
    return out


def similarity(ra, rb, skip):
    a = "|".join(v for i, v in enumerate(ra) if i != skip).lower()
    b = "|".join(v for i, v in enumerate(rb) if i != skip).lower()
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def show(out, title, pairs, header, data, skip):
    print("\n%s" % title, file=out)
    print("  columns: " + " | ".join(header), file=out)
    for n, (a, b, note) in enumerate(pairs, 1):
        ra, rb = data.get(a), data.get(b)
        differs = [header[i] for i in range(len(header)) if i != skip and ra and rb and ra[i] != rb[i]]
        print("  %2d. %s; differs: %s" % (n, note, ", ".join(differs) or "-"), file=out)
        for rid, row in ((a, ra), (b, rb)):
            print("      " + (" | ".join(row) if row else "%s (not in --data)" % rid), file=out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--classes", required=True)
    ap.add_argument("--pred", required=True)
    ap.add_argument("--negatives")
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--data", help="the generated CSV (for --show)")
    ap.add_argument("--json", help="also write the numbers as JSON here")
    try:
        a = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    out = sys.stdout
    try:
        if a.show and not a.data:
            raise Malformed("--show needs --data (the generated CSV) for the row values")
        ids, entity = load_truth(a.truth)
        classes = load_classes(a.classes, entity)
        pred, left_out = load_pred(a.pred, ids, entity)
        negs = load_negatives(a.negatives, entity) if a.negatives else None
        data = load_data(a.data, entity) if a.show else None
    except Malformed as e:
        print("score_pairs.py: %s" % e, file=sys.stderr)
        return 2

    s, missed, pred_groups = score(ids, entity, classes, pred)
    s["rows_missing_from_pred"] = left_out
    print("rows             %d (entities %d, duplicates %d)%s" % (
        s["rows"], s["entities"], s["duplicates"],
        "; %d rows not in --pred, each counted alone" % left_out if left_out else ""), file=out)
    print("clusters         %d" % s["clusters"], file=out)
    print("pairs            true %d, predicted %d, shared %d, missed %d, false %d" % (
        s["true_pairs"], s["predicted_pairs"], s["shared_pairs"], s["missed_pairs"], s["false_pairs"]), file=out)
    print("precision        %.4f" % s["precision"], file=out)
    print("recall           %.4f" % s["recall"], file=out)
    print("f1               %.4f" % s["f1"], file=out)
    print("duplicate rows in their original's cluster: %d / %d" % (s["duplicates_with_original"], s["duplicates"]), file=out)

    def table(title, d):
        print("\n%s" % title, file=out)
        for k, v in d.items():
            print("  %-20s %7d / %-7d %6.1f%%" % (k, v["found"], v["total"], 100.0 * v["found"] / v["total"] if v["total"] else 0.0), file=out)

    table("recall per corruption class (pairs with a duplicate carrying it)", s["recall_per_class"])
    table("recall per pair kind", s["recall_per_pair_kind"])
    table("recall of original-duplicate pairs by the duplicate's number of corruptions", s["recall_by_corruptions"])

    if negs is not None:
        kinds = {}
        for x, y, k in negs:
            t = kinds.setdefault(k, [0, 0])
            t[0] += pred[x] == pred[y]
            t[1] += 1
        s["hard_negatives_merged"] = {k: {"merged": v[0], "total": v[1]} for k, v in kinds.items()}
        print("\nhard negatives merged (lower is better)", file=out)
        for k, v in kinds.items():
            print("  %-20s %7d / %-7d %6.1f%%" % (k, v[0], v[1], 100.0 * v[0] / v[1] if v[1] else 0.0), file=out)

    if a.show:
        header, rows = data
        skip = header.index("Record ID")
        # Missed: fewest corruptions first (should have been easy), then the most alike.
        missed.sort(key=lambda m: (m[3], m[0], m[1]))
        cand = [(similarity(rows.get(m[0], []), rows.get(m[1], []), skip), m) for m in missed[:500]]
        cand.sort(key=lambda t: (t[1][3], -t[0], t[1][0]))
        show(out, "worst missed pairs (%d missed)" % len(missed),
             [(m[0], m[1], "%s  similarity %.3f" % (";".join(m[2]) or "-", sim)) for sim, m in cand[:10]], header, rows, skip)
        fp = false_pairs(entity, pred_groups)
        scored = sorted(((similarity(rows.get(x, []), rows.get(y, []), skip), x, y) for x, y in fp[:20000]))
        show(out, "worst false pairs (%d false%s)" % (s["false_pairs"], ", the first 20000 ranked" if len(fp) > 20000 else ""),
             [(x, y, "entities %s / %s  similarity %.3f" % (entity[x], entity[y], sim)) for sim, x, y in scored[:10]],
             header, rows, skip)

    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(s, f, indent=1, ensure_ascii=False)
            f.write("\n")
    return 0


if __name__ == "__main__":
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: not an error of the inputs
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    sys.exit(code)
