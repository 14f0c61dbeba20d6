#!/usr/bin/env bash
# Render times of the analyst web view (daemon/web) on the generated database
# of bench/search_bench.sh, timed with curl.
#
#   PGHOST=... PGPORT=... PGUSER=... bench/web_bench.sh [RUNS]
#
# Uses the database fw_search_bench (FW_BENCH_DB) on the server the PG*
# variables name, as search_bench.sh left it: records its migrations (that
# script applies sql/0*.sql with psql) and applies the rest with `feedwatch
# migrate`; gives it, once, what search_bench.sh does not generate: 20 feeds
# with their articles, a day of fetch_log, alert deliveries of a rule for 5% of
# the edited articles, and a small feed (one article in 10,000). Then starts
# `feedwatch run` (no feeds to poll) with web.listen on a free loopback port
# and fetches each page RUNS times (default 20) after one warm-up request,
# printing the median and the slowest
# time_total per page (a keep-alive-free GET over loopback: connection, query,
# rendering and transfer). Figures: bench/README.md, "Web view".
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
db="${FW_BENCH_DB:-fw_search_bench}"
feedwatch="${FEEDWATCH:-build/feedwatch}"
psql_db=(psql -X -q -At -v ON_ERROR_STOP=1 -d "$db")
work=$(mktemp -d)
daemon=
cleanup() {
  if [[ -n "$daemon" ]]; then kill -TERM "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [[ "$("${psql_db[@]}" -c "SELECT to_regclass('schema_migrations') IS NULL")" == t ]]; then
  "${psql_db[@]}" -c "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now())"
  web_views=$("${psql_db[@]}" -c "SELECT to_regclass('feed_health') IS NOT NULL")
  for f in sql/0*.sql; do
    name=$(basename "$f")
    version=$((10#${name:0:3}))
    if ((version == 8)) && [[ "$web_views" != t ]]; then continue; fi  # generated before 008 existed
    "${psql_db[@]}" -c "INSERT INTO schema_migrations (version, name) VALUES ($version, '$name')"
  done
fi

cat > "$work/feedwatch.yaml" <<EOF
database: { url: "dbname=$db" }
state_dir: "$work"
feeds: []
rules:
  - name: china-tech
    events: [new, edited]
    any: [Huawei]
EOF
"$feedwatch" migrate --config "$work/feedwatch.yaml" 2>&1 | grep -E "applied|failed" || true

if [[ "$("${psql_db[@]}" -c "SELECT count(*) FROM feeds")" == 0 ]]; then
  echo "== adding 20 feeds, their articles, a day of fetches and alert deliveries"
  "${psql_db[@]}" <<'SQL'
INSERT INTO feeds (name, url, config_url, last_polled_at, last_success_at, last_new_article_at, last_status, error_count,
                   last_error, next_poll_at)
SELECT format('bench-%s', lpad(i::text, 2, '0')), format('https://news%s.example/feed/', i),
       format('https://news%s.example/feed/', i),
       now() - interval '3 minutes', now() - interval '3 minutes' - (i % 3) * interval '15 minutes',
       now() - i * interval '1 hour', CASE WHEN i % 7 = 0 THEN 503 ELSE 200 END,
       CASE WHEN i % 7 = 0 THEN 2 ELSE 0 END, CASE WHEN i % 7 = 0 THEN 'HTTP 503' END,
       now() + interval '12 minutes'
FROM generate_series(1, 20) i;
INSERT INTO article_feeds (article_id, feed_id, first_seen_at, last_seen_at)
SELECT a.id, f.id, a.first_seen_at, a.last_seen_at
FROM articles a
JOIN feeds f ON f.name = format('bench-%s', lpad(((hashint4(a.id::int) & 2147483647) % 20 + 1)::text, 2, '0'));
INSERT INTO fetch_log (feed_id, url, started_at, duration_ms, status, outcome, bytes, new_entries)
SELECT f.id, f.url, now() - k * interval '15 minutes', 120, CASE WHEN k % 25 = 0 THEN 503 ELSE 200 END,
       CASE WHEN k % 25 = 0 THEN 'http_error' ELSE 'ok' END, 40000, k % 3
FROM feeds f, generate_series(1, 96) k;
INSERT INTO alert_deliveries (hook, idempotency_key, event_key, event, rules, article_id, version_id, payload,
                              status, created_at)
SELECT 'analysts', 'bench-' || c.id, 'edited:' || c.id, 'edited', ARRAY['china-tech'], c.article_id,
       c.new_version_id, '{}'::jsonb, 'delivered', c.detected_at
FROM article_changes c WHERE c.id % 20 = 0 AND c.new_version_id IS NOT NULL;
ANALYZE feeds; ANALYZE article_feeds; ANALYZE fetch_log; ANALYZE alert_deliveries;
SQL
fi
if [[ "$("${psql_db[@]}" -c "SELECT count(*) FROM feeds WHERE name = 'bench-small'")" == 0 ]]; then
  echo "== adding a small feed (one article in 10,000, every one edited once, also in its bench-NN feed)"
  "${psql_db[@]}" <<'SQL'
INSERT INTO feeds (name, url, config_url, last_polled_at, last_success_at, last_status, next_poll_at)
VALUES ('bench-small', 'https://small.example/feed/', 'https://small.example/feed/', now() - interval '3 minutes',
        now() - interval '3 minutes', 200, now() + interval '12 minutes');
INSERT INTO article_feeds (article_id, feed_id, first_seen_at, last_seen_at)
SELECT a.id, f.id, a.first_seen_at, a.last_seen_at
FROM articles a, feeds f WHERE f.name = 'bench-small' AND a.id % 10000 = 10;
ANALYZE feeds; ANALYZE article_feeds;
SQL
fi
"${psql_db[@]}" -c "SELECT count(*) || ' articles, ' || (SELECT count(*) FROM article_versions) || ' versions, ' ||
  (SELECT count(*) FROM article_changes) || ' changes, ' || (SELECT count(*) FROM feeds) || ' feeds, ' ||
  pg_size_pretty(pg_database_size(current_database())) FROM articles"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'web: { listen: "127.0.0.1:%s" }\n' "$port" >> "$work/feedwatch.yaml"
FEEDWATCH_LOOPBACK_ONLY=1 "$feedwatch" run --config "$work/feedwatch.yaml" 2>"$work/daemon.log" &
daemon=$!
for _ in $(seq 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/style.css" && break
  sleep 0.1
done

article=$("${psql_db[@]}" -c "SELECT article_id FROM article_changes ORDER BY id DESC LIMIT 1")
deep=$("${psql_db[@]}" -c "SELECT id FROM article_changes ORDER BY detected_at DESC, id DESC OFFSET 5000 LIMIT 1")
since=$(date -u -d '7 days ago' +%F)
until=$(date -u +%F)
pages=(
  "/"
  "/?kind=title_changed"
  "/?kind=removed"
  "/?kind=stealth"
  "/?feed=bench-07"
  "/?feed=bench-small"
  "/?feed=bench-07&kind=title_changed"
  "/?rule=china-tech"
  "/?since=$since&until=$until"
  "/?before=$deep"
  "/article/$article"
  "/article/$article?view=side"
  "/article/$article/v1.txt"
  "/search?q=huawei"
  "/search?q=tencent"
  "/search?q=haier"
  "/search?q=huawei&page=3"
  "/search?q=%22export+controls%22"
  "/search?q=huawei+chip"
  "/search?q=semiconductor+export+controls"
  "/search?q=huawei+-tencent"
  "/sources"
  "/edits.atom"
  "/edits.atom?kind=title_changed"
)
echo "== $runs requests per page after one warm-up (ms: median, slowest; status; bytes)"
printf '| page | median ms | slowest ms | status | bytes |\n|---|---:|---:|---:|---:|\n'
for p in "${pages[@]}"; do
  url="http://127.0.0.1:$port$p"
  curl -s -o /dev/null "$url"
  times=()
  for _ in $(seq "$runs"); do
    times+=("$(curl -s -o "$work/body" -w '%{http_code} %{time_total}' "$url")")
  done
  printf '%s\n' "${times[@]}" | python3 -c '
import statistics, sys
rows = [l.split() for l in sys.stdin if l.strip()]
ms = [float(t) * 1000 for _, t in rows]
codes = sorted({c for c, _ in rows})
print("| `%s` | %.1f | %.1f | %s | %d |" % (sys.argv[1], statistics.median(ms), max(ms), ",".join(codes), int(sys.argv[2])))
' "${p//|/\\|}" "$(stat -c %s "$work/body")"
done
