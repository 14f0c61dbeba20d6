#!/usr/bin/env bash
# Equivalence check for changes to the word diff: builds the working tree's
# parsers/diff and an earlier revision's side by side (the reference compiled
# with -Dfw=fw_ref, so both link into one program) and compares their output
# on random text pairs (bench/diff_equivalence.cpp says which).
#
#   bench/diff_equivalence.sh [REV] [PAIRS] [SEED]    # defaults: main 150000 1
#   bench/diff_equivalence.sh REV --pair OLD_FILE NEW_FILE   # one pair, both outputs
#
# FW_DIFF_EQUIV_FLAGS adds compiler flags for the working tree's side (e.g.
# -fsanitize=address,undefined, with the same in LDFLAGS for the link).
# FW_DIFF_EQUIV_DIR=DIR keeps the build there and reuses the reference objects
# on later runs (for repeated checks against the same revision).
#
# Exits 1 on any difference in JSON or text renderings, or when a new diff
# does not apply. Needs g++ and nlohmann-json (already build dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-main}
pairs=${2:-150000}
seed=${3:-1}
if [[ -n "${FW_DIFF_EQUIV_DIR:-}" ]]; then
  tmp=$FW_DIFF_EQUIV_DIR
  mkdir -p "$tmp"
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
fi
if [[ ! -f "$tmp/ref_shim.o" ]]; then
  rm -rf "$tmp/parsers"
  git archive "$rev" parsers | tar -x -C "$tmp"
  git rev-parse --short "$rev" >"$tmp/REV"
fi
flags=(-O2 -std=c++20 -w)
# Two compilations at a time (nlohmann-json makes diff.cpp slow to compile).
compile() {
  while (($(jobs -rp | wc -l) >= 2)); do wait -n; done
  g++ "${flags[@]}" "$@" &
}
if [[ ! -f "$tmp/ref_shim.o" ]]; then
  for s in diff tokenize nfc_tables; do
    compile -Dfw=fw_ref -I"$tmp" -c "$tmp/parsers/diff/$s.cpp" -o "$tmp/ref_$s.o"
  done
  compile -Dfw=fw_ref -I"$tmp" -c bench/diff_equivalence_ref.cpp -o "$tmp/ref_shim.o"
fi
for s in diff tokenize nfc_tables; do
  # shellcheck disable=SC2086  # extra flags for the working tree's side, word-split on purpose
  compile -I. ${FW_DIFF_EQUIV_FLAGS:-} -c "parsers/diff/$s.cpp" -o "$tmp/new_$s.o"
done
compile -I. -c bench/diff_equivalence.cpp -o "$tmp/main.o"
while (($(jobs -rp | wc -l) > 0)); do wait -n; done
# shellcheck disable=SC2086
g++ "$tmp"/*.o ${LDFLAGS:-} -o "$tmp/diff_equivalence"
echo "reference: $(cat "$tmp/REV"), working tree: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- parsers/diff || echo ' + changes')"
if [[ "$pairs" == --pair ]]; then exec "$tmp/diff_equivalence" --pair "$3" "$4"; fi
"$tmp/diff_equivalence" "$pairs" "$seed"
