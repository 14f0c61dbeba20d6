-- 008: what the read-only analyst web view (daemon/web) reads besides
-- latest_articles, article_edits, article_search and search_articles(): a
-- feed's name for each article, the alert rules each article matched, the list
-- of an article's versions with their source, the raw bytes of a version (for
-- downloads) and each feed's health. Views only, granted to feedwatch_analyst,
-- so the web view can run with that role and read nothing else.

-- The edits page filters by kind (kinds @> ARRAY[kind]) and by the stealth
-- flag, newest first, 50 at a time. A rare kind (removed, correction_notice)
-- would otherwise be found by reading every change in time order (100 ms for
-- none among 100,000 changes), and a GIN index on kinds does not help: with
-- the LIMIT the planner still prefers the time-ordered scan. One small partial
-- index per rare kind and for stealth edits, in time order, serves both the
-- filter and the order; the common kinds (minor, substantive) are found fast
-- by the time-ordered scan itself.
CREATE INDEX article_changes_stealth ON article_changes (detected_at) WHERE stealth;
CREATE INDEX article_changes_title_changed ON article_changes (detected_at) WHERE kinds @> '{title_changed}';
CREATE INDEX article_changes_paragraphs_added ON article_changes (detected_at)
    WHERE kinds @> '{paragraphs_added}';
CREATE INDEX article_changes_paragraphs_removed ON article_changes (detected_at)
    WHERE kinds @> '{paragraphs_removed}';
CREATE INDEX article_changes_correction_notice ON article_changes (detected_at)
    WHERE kinds @> '{correction_notice}';
CREATE INDEX article_changes_removed ON article_changes (detected_at) WHERE kinds @> '{removed}';
CREATE INDEX article_changes_restored ON article_changes (detected_at) WHERE kinds @> '{restored}';

-- The feeds an article appeared in, by name.
CREATE VIEW article_feed_names AS
SELECT af.article_id, f.name AS feed, af.first_seen_at
FROM article_feeds af
JOIN feeds f ON f.id = af.feed_id;

-- The alert rules each article matched (one row per alert and rule).
CREATE VIEW article_rule_matches AS
SELECT d.article_id, r.rule, d.event, d.created_at
FROM alert_deliveries d
CROSS JOIN LATERAL unnest(d.rules) AS r(rule)
WHERE d.article_id IS NOT NULL;

-- Every version of every article without its text: the timeline of an article.
CREATE VIEW article_version_list AS
SELECT v.article_id,
       v.id                        AS version_id,
       v.version,
       v.source,
       v.title,
       v.fetched_at,
       v.http_status,
       v.final_url,
       v.extractor,
       v.id = a.current_version_id AS is_current,
       octet_length(v.body_text)   AS text_bytes,
       v.raw_sha256 IS NOT NULL OR v.body_html IS NOT NULL AS has_raw
FROM article_versions v
JOIN articles a ON a.id = v.article_id;

-- What a version was made from: the fetched page (raw_pages), else the feed's HTML.
CREATE VIEW article_version_sources AS
SELECT v.article_id,
       v.version,
       CASE WHEN p.sha256 IS NOT NULL THEN coalesce(p.content_type, 'text/html') ELSE 'text/html' END AS content_type,
       coalesce(p.body, convert_to(v.body_html, 'UTF8')) AS body
FROM article_versions v
LEFT JOIN raw_pages p ON p.sha256 = v.raw_sha256
WHERE v.raw_sha256 IS NOT NULL OR v.body_html IS NOT NULL;

-- One row per feed: polling health, its fetches of the last 24 hours, and
-- extraction success: of the 1,000 page versions stored last (all feeds), how
-- many of this feed's have a text. A fixed sample keeps the view's cost
-- bounded whatever the archive's size or the day's traffic; the fetches are
-- counted per feed through fetch_log_feed_started.
CREATE VIEW feed_health AS
WITH recent AS MATERIALIZED (
    -- The feeds of each sampled version through the primary key of article_feeds
    -- (a subquery per row: 1,000 index probes, never a scan of article_feeds).
    SELECT octet_length(v.body_text) > 0 AS has_text,
           ARRAY(SELECT af.feed_id FROM article_feeds af WHERE af.article_id = v.article_id) AS feed_ids
    FROM article_versions v
    WHERE v.source = 'page'
    ORDER BY v.fetched_at DESC
    LIMIT 1000
), pages AS (
    SELECT s.feed_id,
           count(*) AS pages_sampled,
           count(*) FILTER (WHERE r.has_text) AS pages_with_text
    FROM recent r
    CROSS JOIN LATERAL unnest(r.feed_ids) AS s(feed_id)
    GROUP BY s.feed_id
)
SELECT f.name,
       f.url,
       f.title,
       f.last_polled_at,
       f.last_success_at,
       f.last_new_article_at,
       f.last_status,
       f.error_count,
       f.last_error,
       f.next_poll_at,
       coalesce(p.pages_sampled, 0)   AS pages_sampled,
       coalesce(p.pages_with_text, 0) AS pages_with_text,
       l.fetches_24h,
       l.failed_24h
FROM feeds f
LEFT JOIN pages p ON p.feed_id = f.id
CROSS JOIN LATERAL (
    SELECT count(*) AS fetches_24h,
           count(*) FILTER (WHERE fl.outcome IN ('http_error', 'network_error', 'parse_error')) AS failed_24h
    FROM fetch_log fl
    WHERE fl.feed_id = f.id AND fl.started_at > now() - interval '24 hours'
) l;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'feedwatch_analyst') THEN
        GRANT SELECT ON article_feed_names, article_rule_matches, article_version_list,
                        article_version_sources, feed_health TO feedwatch_analyst;
    ELSE
        RAISE NOTICE 'feedwatch: role feedwatch_analyst missing: the web view''s views are not granted to it';
    END IF;
END
$$;
