-- Generates the search benchmark's database (bench/search_bench.sh runs it):
-- :articles articles, every tenth edited once (a paragraph replaced; every
-- thirtieth also retitled), with article_changes rows for the edits.
-- Text: a pool of :pool paragraphs of 45-115 words drawn from bench_vocab
-- (30,000 words, Zipf-like: word k has probability ~1/k), 7 paragraphs plus
-- the headline per article (about 3.6 KB, a typical news article). Titles
-- start with one of 30 company names, also Zipf-like (Huawei in ~20% of
-- articles, Haier in ~0.7%). Search vectors are built from per-paragraph
-- vectors (what feedwatch_search_vector gives, up to position numbers), so
-- loading does not spend an hour in the text parser. Deterministic (hashint4).
\set ON_ERROR_STOP on
SELECT count(*) AS v FROM bench_vocab \gset
DROP TABLE IF EXISTS bench_pool;
CREATE UNLOGGED TABLE bench_pool AS
SELECT p AS id,
       string_agg(CASE WHEN n = 1 OR (n - 1) % 17 = 0 THEN initcap(w.word) ELSE w.word END
                  || CASE WHEN n % 17 = 0 OR n = len THEN '.' WHEN n % 7 = 0 THEN ',' ELSE '' END,
                  ' ' ORDER BY n) AS text
FROM (SELECT p, 45 + (hashint4(p) & 2147483647) % 70 AS len FROM generate_series(1, :pool) p) ps
CROSS JOIN LATERAL generate_series(1, ps.len) n
JOIN bench_vocab w ON w.id = least(:v, 1 + floor(exp(((hashint4(p * 131 + n) & 2147483647)::float8 / 2147483647) * ln(:v)))::int)
GROUP BY p;
ALTER TABLE bench_pool ADD PRIMARY KEY (id);
SELECT count(*) AS pool FROM bench_pool \gset

ALTER TABLE bench_pool ADD COLUMN IF NOT EXISTS tsv tsvector;
UPDATE bench_pool SET tsv = to_tsvector('english', text) WHERE tsv IS NULL;
CREATE UNLOGGED TABLE IF NOT EXISTS bench_company (id int PRIMARY KEY, name text);
INSERT INTO bench_company SELECT i, (ARRAY['Huawei','Alibaba','Tencent','ByteDance','DeepSeek','Xiaomi','BYD','CATL','Baidu','JD.com','Meituan','Pinduoduo','NetEase','SMIC','ZTE','Lenovo','DJI','Geely','NIO','Ant Group','Kuaishou','Zhipu','Moonshot','iFlytek','Hikvision','SenseTime','Unitree','Xpeng','Li Auto','Haier'])[i] FROM generate_series(1,30) i ON CONFLICT DO NOTHING;
-- articles: i in 1..:articles; company Zipf-like; published over the last 400 days
INSERT INTO articles (id, article_key, url, title, published_at, first_seen_at, last_seen_at, version_count, state)
SELECT i, 'bench:' || i, 'https://news.example.com/' || (i % 97) || '/' || i,
       c.name || ' ' || (SELECT string_agg(w.word, ' ') FROM bench_vocab w WHERE w.id IN (1 + (hashint4(i*3) & 2147483647) % 3000, 1 + (hashint4(i*5) & 2147483647) % 3000, 1 + (hashint4(i*7) & 2147483647) % 8000, 1 + (hashint4(i*11) & 2147483647) % 20000)),
       now() - ((hashint4(i) & 2147483647) % (400*86400)) * interval '1 second',
       now() - ((hashint4(i) & 2147483647) % (400*86400)) * interval '1 second' + interval '10 minutes',
       now(), CASE WHEN i % 10 = 0 THEN 2 ELSE 1 END, 'live'
FROM generate_series(1, :articles) i
JOIN bench_company c ON c.id = least(30, 1 + floor(exp(((hashint4(i*17) & 2147483647)::float8 / 2147483647) * ln(30)))::int);
SELECT setval('articles_id_seq', (SELECT max(id) FROM articles));
INSERT INTO article_versions (id, article_id, version, fetched_at, source, title, body_text, text_sha256, search)
SELECT a.id, a.id, 1, a.first_seen_at, 'page', a.title, b.body, md5(b.body),
       setweight(to_tsvector('english', a.title), 'A') || setweight(b.tsv, 'D')
FROM articles a
CROSS JOIN LATERAL (
  SELECT a.title || E'\n\n' || p1.text || E'\n\n' || p2.text || E'\n\n' || p3.text || E'\n\n' || p4.text || E'\n\n' || p5.text || E'\n\n' || p6.text || E'\n\n' || p7.text AS body,
         p1.tsv || p2.tsv || p3.tsv || p4.tsv || p5.tsv || p6.tsv || p7.tsv AS tsv
  FROM bench_pool p1, bench_pool p2, bench_pool p3, bench_pool p4, bench_pool p5, bench_pool p6, bench_pool p7
  WHERE p1.id = 1 + (hashint4(a.id::int * 8 + 1) & 2147483647) % :pool AND p2.id = 1 + (hashint4(a.id::int * 8 + 2) & 2147483647) % :pool
    AND p3.id = 1 + (hashint4(a.id::int * 8 + 3) & 2147483647) % :pool AND p4.id = 1 + (hashint4(a.id::int * 8 + 4) & 2147483647) % :pool
    AND p5.id = 1 + (hashint4(a.id::int * 8 + 5) & 2147483647) % :pool AND p6.id = 1 + (hashint4(a.id::int * 8 + 6) & 2147483647) % :pool
    AND p7.id = 1 + (hashint4(a.id::int * 8 + 7) & 2147483647) % :pool) b;
-- the edited 10%: paragraph 3 replaced; every third also gets a new headline
INSERT INTO article_versions (id, article_id, version, fetched_at, source, title, body_text, text_sha256, search)
SELECT :articles + v.article_id, v.article_id, 2,
       least(now(), v.fetched_at + ((hashint4(v.article_id::int * 5) & 2147483647) % (10 * 86400)) * interval '1 second'),
       'page', t.title, b.body, md5(b.body), setweight(to_tsvector('english', t.title), 'A') || setweight(b.tsv, 'D')
FROM article_versions v
CROSS JOIN LATERAL (SELECT CASE WHEN v.article_id % 30 = 0 THEN 'Updated: ' || v.title ELSE v.title END AS title) t
CROSS JOIN LATERAL (
  SELECT split_part(v.body_text, E'\n\n', 1) || E'\n\n' || split_part(v.body_text, E'\n\n', 2) || E'\n\n' || split_part(v.body_text, E'\n\n', 3) || E'\n\n' || q.text || E'\n\n' || split_part(v.body_text, E'\n\n', 5) || E'\n\n' || split_part(v.body_text, E'\n\n', 6) || E'\n\n' || split_part(v.body_text, E'\n\n', 7) || E'\n\n' || split_part(v.body_text, E'\n\n', 8) AS body,
         p1.tsv || p2.tsv || q.tsv || p4.tsv || p5.tsv || p6.tsv || p7.tsv AS tsv
  FROM bench_pool p1, bench_pool p2, bench_pool q, bench_pool p4, bench_pool p5, bench_pool p6, bench_pool p7
  WHERE p1.id = 1 + (hashint4(v.article_id::int * 8 + 1) & 2147483647) % :pool AND p2.id = 1 + (hashint4(v.article_id::int * 8 + 2) & 2147483647) % :pool
    AND q.id = 1 + (hashint4(v.article_id::int * 8 + 99) & 2147483647) % :pool AND p4.id = 1 + (hashint4(v.article_id::int * 8 + 4) & 2147483647) % :pool
    AND p5.id = 1 + (hashint4(v.article_id::int * 8 + 5) & 2147483647) % :pool AND p6.id = 1 + (hashint4(v.article_id::int * 8 + 6) & 2147483647) % :pool
    AND p7.id = 1 + (hashint4(v.article_id::int * 8 + 7) & 2147483647) % :pool) b
WHERE v.version = 1 AND v.article_id % 10 = 0;
UPDATE articles SET current_version_id = CASE WHEN id % 10 = 0 THEN :articles + id ELSE id END;
SELECT setval('article_versions_id_seq', (SELECT max(id) FROM article_versions));

INSERT INTO article_changes (article_id, old_version_id, new_version_id, detected_at, source, kinds, old_title,
                             new_title, words_added, words_removed, words_changed, diff_text, diff_json)
SELECT v.article_id, o.id, v.id, v.fetched_at, 'page',
       CASE WHEN o.title <> v.title THEN ARRAY['title_changed', 'substantive'] ELSE ARRAY['substantive'] END,
       o.title, v.title, 20 + v.article_id % 50, 15 + v.article_id % 40, 10,
       '@@ ¶4 ¶4 @@' || E'\n[-' || left(split_part(o.body_text, E'\n\n', 4), 300) || '-]{+'
           || left(split_part(v.body_text, E'\n\n', 4), 300) || '+}',
       jsonb_build_object('stats', jsonb_build_object('tokens_added', 20, 'tokens_removed', 15))
FROM article_versions v
JOIN article_versions o ON o.article_id = v.article_id AND o.version = 1
WHERE v.version = 2
ORDER BY v.fetched_at;  -- appended as detected, as the daemon does
