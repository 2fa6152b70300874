#!/usr/bin/env python3
"""Medians over repeated BenchmarkDotNet runs of the bench project.

    bench/summarize-runs.py RESULTS_DIR [RESULTS_DIR ...]

Each RESULTS_DIR is what one run's `--artifacts DIR` produced (its results/*-report.csv are read).
For every row (category, parameters, method) prints the median over runs of BenchmarkDotNet's Median
column, the median over runs of the ratio to the category's baseline *measured in the same run*
(engine median / baseline median), the per-run ratios, and the allocation per operation.
"""
import csv
import glob
import os
import statistics
import sys

UNITS = {"ns": 1.0, "us": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9}


def nanoseconds(text):
    value, unit = text.replace(",", "").split()
    return float(value) * UNITS[unit]


def main(dirs):
    rows = {}      # (class, category, params, method) -> [median ns per run]
    allocated = {}
    baselines = {} # (class, category, params) -> baseline method name
    per_run = []   # one dict per run: key -> median
    for d in dirs:
        run = {}
        for path in glob.glob(os.path.join(d, "results", "*-report.csv")):
            cls = os.path.basename(path).split("-report")[0].split(".")[-1]
            with open(path, newline="", encoding="utf-8") as f:
                for r in csv.DictReader(f):
                    params = tuple((k, r[k]) for k in ("ValueSize", "Threads") if k in r)
                    key = (cls, r["Categories"], params, r["Method"])
                    run[key] = nanoseconds(r["Median"])
                    rows.setdefault(key, []).append(run[key])
                    allocated[key] = r["Allocated"]
                    # The baselines: the ConcurrentDictionary rows, and AnyShard in the shard-sharing diagnostic.
                    if r["Method"].startswith(("Dictionary_", "AnyShard_")):
                        baselines[key[:3]] = r["Method"]
        per_run.append(run)
    print(f"runs: {len(dirs)}")
    print()
    print("| benchmark | category | params | median of medians | ratio to baseline (median of per-run) | per-run ratios | allocated/op |")
    print("| --- | --- | --- | ---: | ---: | --- | ---: |")
    for key in sorted(rows):
        cls, cat, params, method = key
        base = baselines.get(key[:3])
        ratios = []
        if base is not None:
            for run in per_run:
                b = run.get((cls, cat, params, base))
                m = run.get(key)
                if b and m:
                    ratios.append(m / b)
        ratio = f"{statistics.median(ratios):.2f}" if ratios else "-"
        each = " ".join(f"{x:.2f}" for x in ratios) if ratios else "-"
        p = ", ".join(f"{k}={v}" for k, v in params)
        print(f"| {method} | {cat} | {p} | {statistics.median(rows[key]):.1f} ns | {ratio} | {each} | {allocated[key]} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
