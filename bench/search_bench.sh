#!/usr/bin/env bash
# Analyst search and ingest on a generated database (sql/004_search.sql,
# sql/007_analyst_speed.sql, sql/011_web_speed.sql, sql/015_search_windows.sql).
#
#   pg_virtualenv -v 15 -o shared_buffers=2GB -o maintenance_work_mem=1GB bench/search_bench.sh [ARTICLES]
#
# Uses the server given by the usual PG* variables (pg_virtualenv sets them);
# creates the database fw_search_bench there (dropped first), applies every
# sql/0*.sql migration, generates ARTICLES articles (default 1,000,000; 10%
# edited) with bench/search_gen.sql, builds the search indexes, then prints
# EXPLAIN ANALYZE of the analyst queries and the ingest and indexing rates.
# Generating 1,000,000 articles took 15 minutes here and the database takes
# ~13 GB; then the two search indexes are built over their 1.1 million vectors. FW_BENCH_NO_EXHAUSTIVE=1 skips the exhaustive ts_rank
# comparison, which takes minutes for a common term at that size
# (bench/README.md, "Analyst search"); FW_BENCH_NO_INGEST=1 stops after the
# queries (the ingest adds 20,000 versions to the database).
set -euo pipefail
cd "$(dirname "$0")/.."
articles="${1:-1000000}"
db=fw_search_bench
psql_db=(psql -X -q -v ON_ERROR_STOP=1 -d "$db")
t() { local s=$SECONDS; "$@" >/dev/null; echo "  ($((SECONDS - s)) s)"; }

if [[ -n "${FW_BENCH_REUSE:-}" ]]; then  # queries and ingest again on the database of an earlier run
  "${psql_db[@]}" -c "DROP TABLE IF EXISTS bench_staging"
else
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
for f in sql/0*.sql; do "${psql_db[@]}" -f "$f" >/dev/null; done

echo "== generating $articles articles"
"${psql_db[@]}" -c "CREATE UNLOGGED TABLE bench_vocab (id int PRIMARY KEY, word text)"
python3 - "$PWD/../shared/seeds" <<'PY' | "${psql_db[@]}" -c "COPY bench_vocab FROM STDIN"
# The seed article's words by frequency, then pronounceable made-up words up
# to 30,000 (names, rare terms): a vocabulary with a realistic long tail.
import collections, glob, re, sys
text = " ".join(open(p, encoding="utf-8").read() for p in sorted(glob.glob(sys.argv[1] + "/*.txt")))
counts = collections.Counter(w.lower() for w in re.findall(r"[A-Za-z]+", text))
words = [w for w, _ in counts.most_common() if len(w) > 1 or w in "ai"]
syl = "ka lo mi ne ru sa te vo da fi gu ho ji ke la mo nu pe ri so tu ve wa xi yo za bri cla dro fen".split()
seen, i = set(words), 0
while len(words) < 30000:
    w = syl[i % 30] + syl[(i // 30) % 30] + syl[(i // 900) % 30] + ("" if i < 27000 else syl[i % 7])
    i += 1
    if w not in seen:
        seen.add(w)
        words.append(w)
for k, w in enumerate(words, 1):
    print(f"{k}\t{w}")
PY
# Bulk load first, index after: the search index the migrations made (sql/015:
# GIN on the vectors and their word pairs) is dropped and built again from its
# own definition.
def=$("${psql_db[@]}" -At -c "SELECT pg_get_indexdef('article_versions_search'::regclass)")
"${psql_db[@]}" -c "DROP INDEX article_versions_search"
t "${psql_db[@]}" -v articles="$articles" -v pool=40000 -f bench/search_gen.sql
echo "== $def"
t "${psql_db[@]}" -c "SET maintenance_work_mem = '1GB'" -c "$def"
t "${psql_db[@]}" -c "VACUUM ANALYZE"
"${psql_db[@]}" -c "SELECT count(*) AS articles, (SELECT count(*) FROM article_versions) AS versions,
  (SELECT count(*) FROM article_changes) AS changes, pg_size_pretty(pg_database_size(current_database())) AS size FROM articles"
fi

explain() {
  echo "-- $1"
  "${psql_db[@]}" -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) $2" | grep -E "Execution Time|Planning Time|rows=" | head -"${3:-4}"
}
"${psql_db[@]}" -c "SELECT relname AS index, pg_size_pretty(pg_relation_size(oid)) AS size FROM pg_class
  WHERE relname IN ('article_versions_search', 'article_versions_pkey') ORDER BY relname"
# Each query's execution time twice: as the first statement of a new session
# (after an earlier session ran it, so its pages are in shared buffers; a new
# backend still maps each buffer it touches: a page fault per 4 KB without
# huge pages) and in a session that already ran it twice (the web view's
# case: it keeps its connection).
timed() {  # $1: query; prints "fresh X ms, warm Y ms"
  "${psql_db[@]}" -c "$1" >/dev/null
  local fresh warm
  fresh=$("${psql_db[@]}" -c "EXPLAIN (ANALYZE, COSTS OFF) $1" | grep -oP "Execution Time: \K[0-9.]+")
  warm=$("${psql_db[@]}" -c "$1" -c "$1" -c "EXPLAIN (ANALYZE, COSTS OFF) $1" | grep -oP "Execution Time: \K[0-9.]+")
  echo "   fresh session ${fresh} ms, warm session ${warm} ms"
}
echo "== queries (huge_pages: $("${psql_db[@]}" -At -c "SHOW huge_pages"))"
for term in huawei tencent haier xiaomi "huawei chip" '"export controls"' '"huawei chip"' 'huawei -tencent' '-tencent' \
            'semiconductor export controls'; do
  "${psql_db[@]}" -c "SELECT '$term' AS term, count(*) AS matching_versions FROM article_versions WHERE search @@ websearch_to_tsquery('english', '$term')"
  echo "-- search_articles('$term', 20)"
  timed "SELECT * FROM search_articles('$term', 20)"
  echo "-- the web view's: search_articles('$term', 21, 500)"
  timed "SELECT * FROM search_articles('$term', 21, 500)"
  [[ -n "${FW_BENCH_NO_EXHAUSTIVE:-}" ]] && continue   # minutes for a common term at 1,000,000 articles
  q="SELECT id, ts_rank(search, q) AS rank FROM article_versions, websearch_to_tsquery('english', '$term') q WHERE search @@ q ORDER BY rank DESC LIMIT 20"
  "${psql_db[@]}" -c "$q" >/dev/null
  explain "exhaustive ranking (every match ranked) for comparison" "$q" 2
done
q="SELECT change_id, url, title, detected_at, kinds, words_added, words_removed FROM article_edits WHERE detected_at > now() - interval '7 days' ORDER BY detected_at DESC"
"${psql_db[@]}" -c "$q" >/dev/null
explain "edits in the last 7 days" "$q" 3

[[ -n "${FW_BENCH_NO_INGEST:-}" ]] && exit 0  # the ingest below commits 20,000 versions

echo "== ingest: 20,000 new versions of existing articles, 40 INSERTs of 500 rows, one session"
"${psql_db[@]}" -c "CREATE UNLOGGED TABLE bench_staging AS
  SELECT row_number() OVER () AS n, v.article_id, v.title, v.body_text || E'\n\nUpdate: ' || v.article_id AS body_text
  FROM article_versions v WHERE v.version = 1 AND v.article_id % 10 = 3 LIMIT 20000"
base=$("${psql_db[@]}" -At -c "SELECT greatest(max(version) + 1, 100) FROM article_versions")
ingest() {  # $1: label, $2: statements before, $3: search column expression, $4: version offset, $5: end
  local script=/tmp/fw_search_bench_ingest.sql
  { echo "$2"
    for ((b = 0; b < 40; b++)); do
      echo "INSERT INTO article_versions (article_id, version, source, title, body_text, text_sha256, search)
        SELECT s.article_id, $4, 'page', s.title, s.body_text, md5(s.body_text), $3
        FROM bench_staging s WHERE s.n > $b * 500 AND s.n <= ($b + 1) * 500;"
    done
    echo "$5"; } > "$script"
  local start end
  start=$(date +%s.%N)
  "${psql_db[@]}" -f "$script" >/dev/null
  end=$(date +%s.%N)
  python3 -c "print(f'  $1: {20000 / ($end - $start):.0f} versions/s ({$end - $start:.1f} s)')"
}
ingest "no search index at all (baseline)" \
  "BEGIN; DROP INDEX article_versions_search, article_versions_search_pending;" \
  "NULL" "$base" "ROLLBACK;"
ingest "vectors computed in the INSERT (what a trigger or generated column costs), indexes present" \
  "BEGIN;" "feedwatch_search_vector(s.title, s.body_text)" "$((base + 1))" "ROLLBACK;"
# The search indexes are partial: rows stored without a vector never reach them.
ingest "as shipped: search = NULL at insert, search indexes present" "BEGIN;" "NULL" "$((base + 2))" "COMMIT;"
start=$(date +%s.%N)
while [[ "$("${psql_db[@]}" -At -c "SELECT feedwatch_index_search(500)")" != 0 ]]; do :; done
end=$(date +%s.%N)
python3 -c "print(f'  the indexer catching up on those 20,000: {20000 / ($end - $start):.0f} versions/s ({$end - $start:.1f} s)')"
