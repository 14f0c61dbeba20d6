#!/usr/bin/env bash
# Polling at scale: feedwatch over 10,000 feeds served by nginx on 127.0.0.1,
# against a bare libcurl multi loop (the floor) and urlwatch (bench/README.md,
# "Polling at scale").
#
#   bench/poll_compare.sh [BUILD_DIR] [-- poll_compare.py options]
#
# BUILD_DIR (default: build) must be a configured build tree of this
# repository. Needs Debian's nginx (nginx-light is enough), urlwatch and
# postgresql-15 with postgresql-common's pg_virtualenv, which creates a
# throwaway cluster for the run (default settings: fsync on).
#   apt-get install -y nginx-light urlwatch
# Options of bench/poll_compare.py: --feeds N, --urlwatch N (0: skip it),
# --parallel N, --changed FRACTION, --keep, --json FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
build="build"
if [[ $# -gt 0 && "$1" != "--" ]]; then build="$1"; shift; fi
[[ "${1:-}" == "--" ]] && shift
for tool in nginx urlwatch pg_virtualenv; do
  command -v "$tool" > /dev/null || { echo "$tool is not installed (see the top of $0)" >&2; exit 1; }
done
cmake --build "$build" --target feedwatch curl_multi_floor > /dev/null
# -t: a cluster of its own in a temporary directory, even as root (no clash with test runs).
exec pg_virtualenv -t -v 15 /usr/bin/python3 bench/poll_compare.py --build "$build" "$@"
