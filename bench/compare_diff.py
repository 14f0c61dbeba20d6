#!/usr/bin/env python3
"""Word diff: feedwatch's C++ diff vs Python's difflib on the same two texts.

    python3 bench/compare_diff.py build/bench/diff_bench

Runs diff_bench (Google Benchmark, JSON output) with FW_DIFF_BENCH_DUMP so it
writes the two generated ~10 KB articles (five sentences apart) to a temporary
directory, then times difflib in this process on those same files:

  difflib split   SequenceMatcher(None, old.split(), new.split()).get_opcodes()
                  (the usual "word-level difflib"; whitespace is lost)
  difflib tokens  the texts tokenized by a regex close to fw::diff::tokenize
                  (words with ' and - inside, numbers with separators, single
                  punctuation, whitespace runs kept), then SequenceMatcher over
                  those lists: the same granularity and output as the C++ diff

Both Python timings include tokenizing, as the C++ WordDiff figure does. Prints
median wall and CPU times and the ratios difflib / C++ (target: >= 100). On a
shared, loaded machine the CPU ratio is the meaningful one: wall time there
mostly measures how often each process was descheduled.
"""
import difflib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

TOKEN = re.compile(r"[$£€¥]?\w+(?:['’\-.,:/]\w+)*%?|\s+|[^\w\s]")


def median_seconds(fn, min_total=2.0, min_runs=20):
    """Median wall and CPU (process_time) seconds of fn() over enough runs."""
    wall, cpu = [], []
    start = time.perf_counter()
    while len(wall) < min_runs or time.perf_counter() - start < min_total:
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), len(wall)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: compare_diff.py PATH/TO/diff_bench")
    bench = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, FW_DIFF_BENCH_DUMP=tmp)
        out = subprocess.run(
            [bench, "--benchmark_filter=^WordDiff$", "--benchmark_format=json",
             "--benchmark_repetitions=5", "--benchmark_report_aggregates_only=true"],
            env=env, check=True, capture_output=True, text=True).stdout
        with open(os.path.join(tmp, "old.txt"), encoding="utf-8") as f:
            old = f.read()
        with open(os.path.join(tmp, "new.txt"), encoding="utf-8") as f:
            new = f.read()
    result = json.loads(out)
    median = [b for b in result["benchmarks"] if b.get("aggregate_name") == "median"][0]
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[median["time_unit"]]
    cpp_wall = median["real_time"] * scale
    cpp_cpu = median["cpu_time"] * scale

    def split_words():
        return difflib.SequenceMatcher(None, old.split(), new.split()).get_opcodes()

    def regex_tokens():
        return difflib.SequenceMatcher(None, TOKEN.findall(old), TOKEN.findall(new)).get_opcodes()

    split_wall, split_cpu, n_split = median_seconds(split_words)
    tokens_wall, tokens_cpu, n_tokens = median_seconds(regex_tokens)
    print(f"inputs: old {len(old.encode())} bytes, new {len(new.encode())} bytes, "
          f"{len(old.split())}/{len(new.split())} words, "
          f"{len(TOKEN.findall(old))}/{len(TOKEN.findall(new))} tokens; load average {os.getloadavg()[0]:.1f}")
    print(f"{'':34}{'wall':>12}{'cpu':>12}")
    py = f"python {sys.version.split()[0]} difflib"
    print(f"{py + ' split':34}{split_wall * 1e6:10.1f}us{split_cpu * 1e6:10.1f}us  (median of {n_split})")
    print(f"{py + ' tokens':34}{tokens_wall * 1e6:10.1f}us{tokens_cpu * 1e6:10.1f}us  (median of {n_tokens})")
    print(f"{'C++ fw::diff::diff':34}{cpp_wall * 1e6:10.1f}us{cpp_cpu * 1e6:10.1f}us  (median of 5 repetitions)")
    print(f"{'ratio difflib split / C++':34}{split_wall / cpp_wall:11.1f}x{split_cpu / cpp_cpu:11.1f}x")
    print(f"{'ratio difflib tokens / C++':34}{tokens_wall / cpp_wall:11.1f}x{tokens_cpu / cpp_cpu:11.1f}x")

if __name__ == "__main__":
    main()
