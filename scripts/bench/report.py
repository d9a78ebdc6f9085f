#!/usr/bin/env python3
"""Turn the runs recorded by scripts/bench-import.sh into a side-by-side table.

    report.py MANIFEST

MANIFEST has one tab-separated line per run:

    file  data_rows  file_bytes  contender  exit_code  time_file  stdout_file  stderr_file  [round]

time_file is what `/usr/bin/time -v -o` wrote.  The contender's stdout is read
for its result: the last line that is a JSON object (crmgate import, the Python
references) or else the last non-empty line (crmgate csv scan's count).
Throughput is per input file: rows/s = data rows / wall seconds, MB/s = file
bytes / wall seconds, with MB = 10^6 bytes (peak RSS too).  A contender run more
than once (REPEAT) has a line per run; its ratios are of the median walls, with
each round's ratio after them.  Standard library only.
"""

import json
import os
import re
import statistics
import sys

# Keys of a JSON result worth showing, in this order.
RESULT_KEYS = ["read", "kept", "created", "updated", "unchanged", "merged", "rejected"]
ALWAYS_SHOWN = {"created", "merged", "rejected"}  # crmgate import's, even when 0


def parse_time_file(path):
    """Wall seconds and peak RSS (bytes) from /usr/bin/time -v output."""
    wall = rss = None
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        return None, None
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    if m:
        seconds = 0.0
        for part in m.group(1).split(":"):  # h:mm:ss or m:ss.ss
            seconds = seconds * 60 + float(part)
        wall = seconds
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if m:
        rss = int(m.group(1)) * 1024
    return wall, rss


def last_line(path, want_json):
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        line = line.strip()
        if not line:
            continue
        if want_json:
            if line.startswith("{"):
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if isinstance(obj, dict):
                    return obj
        else:
            return line
    return None


def describe_result(stdout_file):
    obj = last_line(stdout_file, want_json=True)
    if obj is not None:
        parts = [f"{k}={obj[k]}" for k in RESULT_KEYS if k in obj and (obj[k] or k in ALWAYS_SHOWN)]
        if "seconds" in obj:
            parts.append(f"inner={float(obj['seconds']):.2f}s")
        return " ".join(parts)
    text = last_line(stdout_file, want_json=False) or ""
    return f"out: {text[:60]}" if text else ""


def fmt_rate(value):
    if value >= 1e6:
        return f"{value / 1e6:.2f}M"
    if value >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:.0f}"


# crmgate's contenders against their references, with issue 19's targets (printed, never enforced).
RATIOS = [
    ("crmgate csv scan", "polars read_csv", "< 1.0 (keep ahead)"),
    ("crmgate import", "duckdb job", "< 1.0 (faster than DuckDB's job)"),
    ("crmgate import", "polars job", "<= 2.0 (within 2x of Polars, which only writes a CSV)"),
]


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    groups = {}  # file -> (rows, bytes, [row cells])
    walls = {}  # file -> contender -> round -> wall seconds (successful runs only)
    rounds = 1
    for line in open(argv[1], encoding="utf-8"):
        if not line.strip():
            continue
        fields = line.rstrip("\n").split("\t")
        path, rows, size, name, code, time_file, out_file, err_file = fields[:8]
        round_ = int(fields[8]) if len(fields) > 8 else 1
        rounds = max(rounds, round_)
        rows, size, code = int(rows), int(size), int(code)
        wall, rss = parse_time_file(time_file)
        result = describe_result(out_file)
        if code != 0:
            err = last_line(err_file, want_json=False) or ""
            result = f"FAILED exit {code}: {err[:70]}" + (f" | {result}" if result else "")
        if wall:  # /usr/bin/time has 10 ms resolution: 0.00 gives no rate
            cells = [name, f"{wall:.2f}", fmt_rate(rows / wall), f"{size / 1e6 / wall:.1f}"]
        else:
            cells = [name, "-" if wall is None else f"{wall:.2f}", "-", "-"]
        cells.insert(1, str(round_))
        cells += [f"{rss / 1e6:.0f}" if rss else "-", result]
        groups.setdefault(path, (rows, size, []))[2].append(cells)
        if wall and code == 0:
            walls.setdefault(path, {}).setdefault(name, {})[round_] = wall

    header = ["contender", "round", "seconds", "rows/s", "MB/s", "peak RSS MB", "result"]
    for path, (rows, size, table) in groups.items():
        print(f"\n{os.path.basename(path)}: {rows:,} data rows, {size / 1e6:.1f} MB")
        align = ["<", ">", ">", ">", ">", ">", "<"]
        if rounds == 1:  # one round: no round column
            header_, table_ = header[:1] + header[2:], [c[:1] + c[2:] for c in table]
        else:
            header_, table_ = header, table
        widths = [max(len(r[i]) for r in [header_] + table_) for i in range(len(header_))]
        align_ = align if rounds > 1 else align[:1] + align[2:]

        def render(cells):
            return "  ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, align_, widths)).rstrip()

        print(render(header_))
        print(render(["-" * w for w in widths]))
        for cells in table_:
            print(render(cells))
        for ours, ref, target in RATIOS:
            w = walls.get(path, {})
            if ours in w and ref in w:
                a, b = statistics.median(w[ours].values()), statistics.median(w[ref].values())
                if rounds == 1:
                    print(f"ratio {ours} / {ref}: {a / b:.2f}x   target {target}")
                    continue
                # Each round's ratio where both sides succeeded in it.
                both = sorted(set(w[ours]) & set(w[ref]))
                by = ", ".join(f"{r}: {w[ours][r] / w[ref][r]:.2f}x" for r in both)
                print(f"ratio {ours} / {ref}: {a / b:.2f}x (medians of {len(w[ours])}/{rounds} and "
                      f"{len(w[ref])}/{rounds} runs, {a:.2f} s / {b:.2f} s; by round {by})   target {target}")


if __name__ == "__main__":
    main(sys.argv)
