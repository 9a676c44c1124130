#!/usr/bin/env python3
"""Prints the medians of the last criterion run as a Markdown table.

criterion's console line (`time: [lo est hi]`) is its slope or mean
estimate; the median and its 95% confidence interval are in
target/criterion/<group>/<bench>/<input>/new/estimates.json. Run after
`cargo bench --all-features --bench validate --bench identify --bench end_to_end`:

    scripts/bench-medians.py [target/criterion]
"""
import json
import pathlib
import sys

ORDER = ["validate", "identify", "end_to_end"]


def fmt(ns):
    if ns >= 1000:
        return f"{ns / 1000:.2f} µs"
    return f"{ns:.1f} ns"


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
    rows = []
    for path in root.glob("**/new/estimates.json"):
        bench = json.loads((path.parent / "benchmark.json").read_text())
        median = json.loads(path.read_text())["median"]
        ci = median["confidence_interval"]
        group = bench["group_id"]
        if group not in ORDER:
            continue
        value = bench.get("value_str") or ""
        key = (ORDER.index(group), bench.get("function_id") or "",
               int(value) if value.isdigit() else 0, value)
        rows.append((key, bench["full_id"], median["point_estimate"],
                     ci["lower_bound"], ci["upper_bound"]))
    print("| benchmark | median | 95% CI of the median |")
    print("|---|---:|---|")
    for _, name, point, lo, hi in sorted(rows):
        print(f"| `{name}` | {fmt(point)} | {fmt(lo)} – {fmt(hi)} |")


main()
