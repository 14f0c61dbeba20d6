-- 014: a kept feed's unchanged poll writes only its fetch_log row.
--
-- After 013 almost every poll of a running daemon is a 304 of a feed it
-- keeps, and each one still rewrote the feed's row (timestamps, the same
-- validators, the lease pushed on): a HOT update and its cleanup, most of
-- PostgreSQL's cost per poll (bench/README.md, "Polling at scale"). Now a
-- poll that would write into the row what the row already holds (the same
-- status and validators, no error, the same interval and lease, all written
-- by the daemon's previous batch) writes only its fetch_log row. So:
--
-- * Such a row's last_polled_at, last_success_at, last_status and
--   next_poll_at are those of the poll that wrote it; the poll after it is
--   the feed's newest fetch_log row. feed_poll_state (below) gives every
--   feed's polling state with that row taken into account, and feed_health,
--   `feedwatch status` and the metrics endpoint read it.
-- * Such a row's lease_until passes while its daemon keeps polling the feed.
--   A lease is therefore free only once it ran out AND its owner has no live
--   `pollers` row (the heartbeat, renewed every tick, at most 30 s apart, and
--   lasting 90 s). A daemon that dies leaves its feeds to the others when its
--   heartbeat runs out (at once to a daemon on the same host, 013); one that
--   stalls that long finds, at its next batch, which feeds another daemon
--   took meanwhile, and stops polling them.
-- * A kept feed's row was written with lease_until = next_poll_at + the
--   lease: a row whose next_poll_at no longer matches was made due by hand,
--   and the owner's sweep takes it.
-- * A daemon that stops (or gives feeds back) writes each kept feed's due
--   time into next_poll_at, so a restart polls them when they are due.

-- The newest fetch_log row of each feed, through fetch_log_feed_started
-- (a backward index probe per feed).
CREATE VIEW feed_poll_state AS
SELECT f.id,
       f.name,
       CASE WHEN l.newer THEN l.at ELSE f.last_polled_at END AS last_polled_at,
       CASE WHEN l.newer AND l.outcome IN ('ok', 'not_modified') THEN l.at
            ELSE f.last_success_at END AS last_success_at,
       CASE WHEN l.newer THEN l.status ELSE f.last_status END AS last_status,
       -- The row's interval (next_poll_at - last_polled_at) from the newer poll.
       CASE WHEN l.newer AND f.last_polled_at IS NOT NULL THEN l.at + (f.next_poll_at - f.last_polled_at)
            ELSE f.next_poll_at END AS next_poll_at,
       f.lease_owner,
       f.lease_until
FROM feeds f
LEFT JOIN LATERAL (
    SELECT fl.started_at + coalesce(fl.duration_ms, 0) * interval '1 millisecond' AS at,
           fl.status,
           fl.outcome,
           fl.started_at + coalesce(fl.duration_ms, 0) * interval '1 millisecond'
               > coalesce(f.last_polled_at, '-infinity') AS newer
    FROM fetch_log fl
    WHERE fl.feed_id = f.id
    ORDER BY fl.started_at DESC
    LIMIT 1
) l ON true;

CREATE OR REPLACE VIEW feed_health AS
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
       ps.last_polled_at,
       ps.last_success_at,
       f.last_new_article_at,
       ps.last_status,
       f.error_count,
       f.last_error,
       ps.next_poll_at,
       coalesce(p.pages_sampled, 0)   AS pages_sampled,
       coalesce(p.pages_with_text, 0) AS pages_with_text,
       l.fetches_24h,
       l.failed_24h
FROM feeds f
JOIN feed_poll_state ps ON ps.id = f.id
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
        GRANT SELECT ON feed_poll_state TO feedwatch_analyst;
    ELSE
        RAISE NOTICE 'feedwatch: role feedwatch_analyst missing: feed_poll_state is not granted to it';
    END IF;
END
$$;
