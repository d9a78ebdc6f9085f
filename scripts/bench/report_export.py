#!/usr/bin/env python3
"""Turn the runs recorded by scripts/bench-export.sh into a side-by-side table.

    report_export.py MANIFEST

MANIFEST has one tab-separated line per run:

    contender  data_rows  exit_code  time_file  stdout_file  stderr_file  output_file

time_file is what `/usr/bin/time -v -o` wrote (parsed by report.py's parse_time_file).
The result column comes from the contender's stdout: crmgate export's
"exported N opportunities to FILE (fmt[, K data sheets]) in S s" line, or the
reference's JSON line ({"rows": N, "seconds": S}).  rows/s = data rows / wall
seconds; output MB = the output file's size; MB = 10^6 bytes (peak RSS too).
A contender may have run several times (bench-export.sh's REPEAT rounds): every run is a row, and the ratios
are of the medians of each contender's successful runs, each round's ratio after them.
Ends with the XLSX / CSV wall-time ratio of the two crmgate runs and the CSV / DuckDB ratio, when they ran,
each with issue 19's target (a ratio never fails the script).
Standard library only.
"""

import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import fmt_rate, last_line, parse_time_file  # noqa: E402

EXPORTED = re.compile(r"exported (\d+) \S+ to .* \((\w+)(?:, (\d+) data sheets?)?\) in ([\d.]+) s")


def describe(stdout_file):
    obj = last_line(stdout_file, want_json=True)
    if obj is not None:
        parts = []
        if obj.get("rows") is not None:
            parts.append(f"rows={obj['rows']}")
        if obj.get("threads") is not None:
            parts.append(f"threads={obj['threads']}")
        if "seconds" in obj:
            parts.append(f"inner={float(obj['seconds']):.2f}s")
        return " ".join(parts)
    text = last_line(stdout_file, want_json=False) or ""
    m = EXPORTED.search(text)
    if m:
        parts = [f"records={m.group(1)}"]
        if m.group(3):
            parts.append(f"sheets={m.group(3)}")
        parts.append(f"inner={float(m.group(4)):.2f}s")
        return " ".join(parts)
    return f"out: {text[:60]}" if text else ""


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    table, walls = [], {}
    for line in open(argv[1], encoding="utf-8"):
        if not line.strip():
            continue
        name, rows, code, time_file, out_file, err_file, output = line.rstrip("\n").split("\t")
        rows, code = int(rows), int(code)
        wall, rss = parse_time_file(time_file)
        result = describe(out_file)
        if code != 0:
            err = last_line(err_file, want_json=False) or ""
            result = f"FAILED exit {code}: {err[:70]}" + (f" | {result}" if result else "")
        else:
            walls.setdefault(name, []).append(wall)
        size = os.path.getsize(output) if code == 0 and os.path.exists(output) else None
        cells = [name, "-" if wall is None else f"{wall:.2f}", fmt_rate(rows / wall) if wall else "-",
                 f"{size / 1e6:.1f}" if size is not None else "-", f"{rss / 1e6:.0f}" if rss else "-", result]
        table.append(cells)

    header = ["contender", "seconds", "rows/s", "output MB", "peak RSS MB", "result"]
    widths = [max(len(r[i]) for r in [header] + table) for i in range(len(header))]
    align = ["<", ">", ">", ">", ">", "<"]

    def render(cells):
        return "  ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, align, widths)).rstrip()

    print(render(header))
    print(render(["-" * w for w in widths]))
    for cells in table:
        print(render(cells))
    def ratio(label, a, b, target):
        runs_a, runs_b = walls.get(a, []), walls.get(b, [])
        if not runs_a or not runs_b:
            print(f"{label}: - (needs both runs to succeed)")
            return
        med_a, med_b = statistics.median(runs_a), statistics.median(runs_b)
        rounds = ""
        if len(runs_a) > 1 or len(runs_b) > 1:
            by_round = ", ".join(f"{i + 1}: {x / y:.2f}" for i, (x, y) in enumerate(zip(runs_a, runs_b)))
            rounds = f" (medians of {len(runs_a)} and {len(runs_b)} runs, {med_a:.2f} s / {med_b:.2f} s; by round {by_round})"
        print(f"{label}: {med_a / med_b:.2f}{rounds}   {target}")

    print()
    ratio("XLSX / CSV time ratio", "crmgate export xlsx", "crmgate export csv", "target <= 3 (issue 19)")
    ratio("CSV / DuckDB COPY time ratio", "crmgate export csv", "duckdb COPY csv",
          "target <= 1.0 (issue 19; DuckDB's wall includes Python and duckdb start-up)")

if __name__ == "__main__":
    main(sys.argv)
