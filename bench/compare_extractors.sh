#!/usr/bin/env bash
# Reruns the article-extraction comparison of bench/README.md ("Article
# extraction") in one go, on the extraction benchmark's 123 pages
# (../shared/bench/extraction):
#   1. speed, Google Benchmark: Gumbo merely parsing the pages vs our extraction;
#   2. quality and in-process speed of our extractor (score.py --batch-cmd);
#   3. the same for Mozilla Readability on linkedom (npm packages installed
#      once into a cache directory; skipped when node/npm are missing).
# Usage: bench/compare_extractors.sh [BUILD_DIR]   (default: build; needs
# bench/extract_bench built, e.g. ninja -C build extract_bench)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
score=$root/../shared/bench/extraction/score.py
out=${TMPDIR:-/tmp}/fw-extract-compare
mkdir -p "$out"

echo "== 1. Google Benchmark (bytes_per_second = decompressed HTML per CPU second)"
"$build/bench/extract_bench" --benchmark_filter='BM_(GumboParse|Extract)$' \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

echo "== 2. feedwatch: quality and speed (one process for all pages)"
if "$build/feedwatch" extract --help >/dev/null 2>&1; then
  cmd="$build/feedwatch extract --batch {in_dir} {out_dir}"
else
  cmd="$build/bench/extract_bench --batch {in_dir} {out_dir}"  # same extraction, before the CLI has it
fi
python3 "$score" --batch-cmd "$cmd" --label feedwatch --save-dir "$out/feedwatch" | tail -n 1

echo "== 3. Mozilla Readability 0.6 on linkedom"
if command -v node >/dev/null && command -v npm >/dev/null; then
  node_dir=${FW_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/feedwatch-readability}
  if [ ! -d "$node_dir/node_modules/linkedom" ] || [ ! -d "$node_dir/node_modules/@mozilla/readability" ]; then
    npm install --prefix "$node_dir" --no-audit --no-fund @mozilla/readability@0.6.0 linkedom@0.18.15 >/dev/null
  fi
  NODE_PATH="$node_dir/node_modules" python3 "$score" \
    --batch-cmd "node $root/bench/extract_readability.mjs {in_dir} {out_dir}" --label readability | tail -n 1
else
  echo "node/npm not found: skipped"
fi
