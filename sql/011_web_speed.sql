-- 011: the web view's slow paths at a million articles.
--
-- 1. Edits of one feed, newest first. The edits page filtered by feed read the
--    edits in time order and probed article_feeds for each one until 50
--    matched: about 1,300 probes for a feed with one article in twenty, and
--    the whole archive for a small feed. article_change_feeds holds one row per
--    (feed, change) pair, kept by triggers, with the change's detection time,
--    so a feed's edits are one backward range scan of its primary key (the
--    feed's newest edits first, a keyset cursor included) whatever the feed's
--    size. A change belongs to every feed its article appeared in, also a feed
--    that listed the article only after the change (as the probe did). The
--    feed is stored by name (feeds.name is unique and stable; a rename
--    cascades), so analysts filter on it without reading feeds. The daemon
--    locks the article row (FOR UPDATE) before it links an article to a feed
--    or records a change of it, so two transactions doing one each for the
--    same article run one after the other, and the second one's trigger sees
--    the first one's row.

CREATE TABLE article_change_feeds (
    feed        text        NOT NULL,
    detected_at timestamptz NOT NULL,
    change_id   bigint      NOT NULL
);

INSERT INTO article_change_feeds (feed, detected_at, change_id)
SELECT DISTINCT f.name, c.detected_at, c.id
FROM article_changes c
JOIN article_feeds af ON af.article_id = c.article_id
JOIN feeds f ON f.id = af.feed_id;

ALTER TABLE article_change_feeds
    ADD PRIMARY KEY (feed, detected_at, change_id),
    ADD FOREIGN KEY (feed) REFERENCES feeds (name) ON UPDATE CASCADE ON DELETE CASCADE,
    ADD FOREIGN KEY (change_id) REFERENCES article_changes (id) ON DELETE CASCADE;
CREATE INDEX article_change_feeds_change ON article_change_feeds (change_id);

-- A change is recorded (or its article or time corrected): its feeds are the
-- article's feeds at that moment.
CREATE FUNCTION feedwatch_change_feeds_of_change() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM article_change_feeds WHERE change_id = OLD.id;
    END IF;
    INSERT INTO article_change_feeds (feed, detected_at, change_id)
    SELECT f.name, NEW.detected_at, NEW.id
    FROM article_feeds af
    JOIN feeds f ON f.id = af.feed_id
    WHERE af.article_id = NEW.article_id
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER article_changes_feeds AFTER INSERT ON article_changes
    FOR EACH ROW EXECUTE FUNCTION feedwatch_change_feeds_of_change();
CREATE TRIGGER article_changes_feeds_moved AFTER UPDATE OF article_id, detected_at ON article_changes
    FOR EACH ROW
    WHEN (OLD.article_id IS DISTINCT FROM NEW.article_id OR OLD.detected_at IS DISTINCT FROM NEW.detected_at)
    EXECUTE FUNCTION feedwatch_change_feeds_of_change();

-- An article appears in a feed (or leaves it): its changes join (or leave)
-- that feed. Deleting a feed or a change cascades through the foreign keys.
CREATE FUNCTION feedwatch_change_feeds_of_link() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        DELETE FROM article_change_feeds cf
        USING feeds f, article_changes c
        WHERE f.id = OLD.feed_id AND cf.feed = f.name
          AND c.article_id = OLD.article_id AND cf.change_id = c.id
          -- the same article still linked to the same feed (an UPDATE of neither)
          AND NOT EXISTS (SELECT 1 FROM article_feeds af
                          WHERE af.article_id = OLD.article_id AND af.feed_id = OLD.feed_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO article_change_feeds (feed, detected_at, change_id)
        SELECT f.name, c.detected_at, c.id
        FROM article_changes c
        JOIN feeds f ON f.id = NEW.feed_id
        WHERE c.article_id = NEW.article_id
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER article_feeds_changes AFTER INSERT OR DELETE ON article_feeds
    FOR EACH ROW EXECUTE FUNCTION feedwatch_change_feeds_of_link();
CREATE TRIGGER article_feeds_changes_moved AFTER UPDATE OF article_id, feed_id ON article_feeds
    FOR EACH ROW
    WHEN (OLD.article_id IS DISTINCT FROM NEW.article_id OR OLD.feed_id IS DISTINCT FROM NEW.feed_id)
    EXECUTE FUNCTION feedwatch_change_feeds_of_link();

-- What analysts (and the web view) read: the feeds of each edit, in the order
-- of article_edits. Filter on feed and order by detected_at DESC, change_id
-- DESC to read one feed's edits newest first through the primary key.
CREATE VIEW article_edit_feeds AS
SELECT cf.feed, cf.detected_at, cf.change_id
FROM article_change_feeds cf;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'feedwatch_analyst') THEN
        GRANT SELECT ON article_edit_feeds TO feedwatch_analyst;
    ELSE
        RAISE NOTICE 'feedwatch: role feedwatch_analyst missing: article_edit_feeds is not granted to it';
    END IF;
END
$$;

-- 2. Ranked search for common terms. Ranking every match costs per match (RUM:
--    about 1 us to read a match's positions from the index and rank it, even
--    just to list the matches; GIN: a vector read from TOAST per match), so a
--    term in a quarter of all versions cost over 200 ms at a million articles.
--    What is cheap for such a term is the other direction: reading versions
--    newest first (the primary key backwards) and testing each vector finds a
--    match every few rows. search_articles() therefore has two ways to fill
--    its candidates, chosen per query from the planner's statistics:
--
--    * a term estimated in at most `limit` versions: every match is ranked
--      (RUM: the index orders them by rank; GIN: as in 004, the `candidates`
--      newest matches, found through the index);
--    * a commoner term: its `candidates` newest matching versions, found by
--      reading versions newest first, are ranked (the same rank function), and
--      each article's best of them is returned, best first. That is the best
--      of the term's recent mentions, which is what 004's GIN ranking already
--      meant by candidates. If the reading finds fewer than `candidates`
--      matches within 4 times the rows the estimate expects (the estimate was
--      too high, e.g. a phrase of two common words), every match is ranked as
--      for a rare term: no term loses recall.
--
--    `limit` is where the two cost the same: ranking M matches costs M times
--    c_rank, reading newest first costs candidates x versions / M rows times
--    c_row, and c_row / c_rank measured 10 to 16 here (bench/README.md,
--    "Analyst search"; 16 leans towards exhaustive ranking), so limit =
--    sqrt(16 x candidates x versions): about 133,000 matches of 1,100,000
--    versions with 1,000 candidates. The setting
--    feedwatch.search_exhaustive_limit overrides it (0: always read newest
--    first; a large number: always rank every match).

-- How many rows search_articles() reads newest first for tsq (0: rank every
-- match instead). The estimate is the planner's, from the column's statistics.
-- VOLATILE only because EXPLAIN is refused inside a function that is not; it
-- writes nothing.
CREATE FUNCTION feedwatch_search_walk(tsq tsquery, candidates integer) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path FROM CURRENT
AS $$
DECLARE
    plan json;
    estimate double precision;
    versions double precision;
    exhaustive_limit double precision;
BEGIN
    IF numnode(tsq) = 0 THEN
        RETURN 0;  -- no lexeme (only stop words): nothing matches
    END IF;
    EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM article_versions WHERE search @@ %L::tsquery', tsq)
        INTO plan;
    estimate := greatest((plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision, 1);
    SELECT greatest(c.reltuples, 0) INTO versions FROM pg_class c WHERE c.oid = 'article_versions'::regclass;
    exhaustive_limit := coalesce(nullif(current_setting('feedwatch.search_exhaustive_limit', true), '')::double precision,
                                 sqrt(16 * greatest(candidates, 1) * versions));
    IF estimate <= exhaustive_limit THEN
        RETURN 0;
    END IF;
    RETURN least(greatest(ceil(4 * greatest(candidates, 1) * greatest(versions, estimate) / estimate), candidates), 1000000)::bigint;
END
$$;
REVOKE EXECUTE ON FUNCTION feedwatch_search_walk(tsquery, integer) FROM PUBLIC;

-- Both versions below first fill the candidates (version ids and their rank)
-- one way or the other, in separate statements, so that the way not taken
-- is not even started (an index scan is set up when its statement starts,
-- which costs RUM a second for a query like `-tencent`), then keep each
-- article's best and return the best articles, as 007 did.
DO $$
DECLARE
    rum boolean := EXISTS (SELECT 1 FROM pg_class c JOIN pg_am am ON am.oid = c.relam
                           WHERE c.relname = 'article_versions_search' AND am.amname = 'rum'
                             AND c.relnamespace = current_schema()::regnamespace);
BEGIN
    IF rum THEN
        -- RUM: rank = 1 / (search <=> query), the index's own rank, computed
        -- from the vector for the candidates read newest first.
        CREATE OR REPLACE FUNCTION search_articles(query text, max_results integer DEFAULT 20,
                                                   candidates integer DEFAULT 1000)
            RETURNS TABLE (article_id bigint, version_id bigint, version integer, url text, title text,
                           fetched_at timestamptz, is_current boolean, rank real)
            LANGUAGE plpgsql STABLE SECURITY DEFINER
            SET search_path FROM CURRENT
            SET enable_seqscan = off
        AS $fn$
        DECLARE
            tsq constant tsquery := websearch_to_tsquery('english'::regconfig, query);
            wanted constant integer := greatest(candidates, 1);
            walk constant bigint := feedwatch_search_walk(tsq, wanted);
            ids bigint[];
            distances real[];
        BEGIN
            IF walk > 0 THEN
                SELECT array_agg(r.id ORDER BY r.id DESC), array_agg(r.distance ORDER BY r.id DESC)
                INTO ids, distances
                FROM (SELECT v.id, v.search <=> tsq AS distance
                      FROM (SELECT av.id, av.search FROM article_versions av ORDER BY av.id DESC LIMIT walk) v
                      WHERE v.search @@ tsq
                      ORDER BY v.id DESC
                      LIMIT wanted) r;
            END IF;
            IF coalesce(cardinality(ids), 0) < wanted THEN
                -- Every match, ranked by the index; the 5 x max_results best
                -- (at most `candidates`) leave max_results articles.
                SELECT array_agg(r.id), array_agg(r.distance)
                INTO ids, distances
                FROM (SELECT v.id, v.search <=> tsq AS distance
                      FROM article_versions v
                      WHERE v.search @@ tsq
                      ORDER BY v.search <=> tsq
                      LIMIT greatest(least(candidates, 5 * max_results), max_results, 1)) r;
            END IF;
            RETURN QUERY
            WITH pool AS (
                SELECT v.id, v.article_id, v.version, v.title, v.fetched_at, c.distance
                FROM unnest(ids, distances) AS c(id, distance)
                JOIN article_versions v ON v.id = c.id
            ), best AS (
                SELECT DISTINCT ON (p.article_id) p.*
                FROM pool p
                ORDER BY p.article_id, p.distance, p.id DESC
            ), top AS (
                SELECT * FROM best b
                ORDER BY b.distance, b.fetched_at DESC, b.id DESC
                LIMIT greatest(max_results, 0)
            )
            SELECT t.article_id, t.id, t.version, a.url, coalesce(t.title, a.title), t.fetched_at,
                   t.id = a.current_version_id, (1 / t.distance)::real
            FROM top t
            JOIN articles a ON a.id = t.article_id
            ORDER BY t.distance, t.fetched_at DESC, t.id DESC;
        END
        $fn$;
    ELSE
        -- GIN: ts_rank, as in 004; both ways find the `candidates` newest
        -- matches (the index and a sort of ids for a rare term, reading newest
        -- first for a common one), so only the cost differs.
        CREATE OR REPLACE FUNCTION search_articles(query text, max_results integer DEFAULT 20,
                                                   candidates integer DEFAULT 1000)
            RETURNS TABLE (article_id bigint, version_id bigint, version integer, url text, title text,
                           fetched_at timestamptz, is_current boolean, rank real)
            LANGUAGE plpgsql STABLE SECURITY DEFINER
            SET search_path FROM CURRENT
            SET enable_seqscan = off
        AS $fn$
        DECLARE
            tsq constant tsquery := websearch_to_tsquery('english'::regconfig, query);
            wanted constant integer := greatest(candidates, 1);
            walk constant bigint := feedwatch_search_walk(tsq, wanted);
            ids bigint[];
            ranks real[];
        BEGIN
            IF walk > 0 THEN
                SELECT array_agg(r.id ORDER BY r.id DESC), array_agg(r.rank ORDER BY r.id DESC)
                INTO ids, ranks
                FROM (SELECT v.id, ts_rank(v.search, tsq) AS rank
                      FROM (SELECT av.id, av.search FROM article_versions av ORDER BY av.id DESC LIMIT walk) v
                      WHERE v.search @@ tsq
                      ORDER BY v.id DESC
                      LIMIT wanted) r;
            END IF;
            IF coalesce(cardinality(ids), 0) < wanted THEN
                -- As 004: the newest matches through the index (id + 0: not
                -- by walking the primary key), ranked.
                SELECT array_agg(r.id), array_agg(ts_rank(r.search, tsq))
                INTO ids, ranks
                FROM (SELECT v.id, v.search
                      FROM article_versions v
                      WHERE v.search @@ tsq
                      ORDER BY v.id + 0 DESC
                      LIMIT wanted) r;
            END IF;
            RETURN QUERY
            WITH pool AS (
                SELECT v.id, v.article_id, v.version, v.title, v.fetched_at, c.rank
                FROM unnest(ids, ranks) AS c(id, rank)
                JOIN article_versions v ON v.id = c.id
            ), best AS (
                SELECT DISTINCT ON (p.article_id) p.*
                FROM pool p
                ORDER BY p.article_id, p.rank DESC, p.id DESC
            ), top AS (
                SELECT * FROM best b
                ORDER BY b.rank DESC, b.fetched_at DESC, b.id DESC
                LIMIT greatest(max_results, 0)
            )
            SELECT t.article_id, t.id, t.version, a.url, coalesce(t.title, a.title), t.fetched_at,
                   t.id = a.current_version_id, t.rank
            FROM top t
            JOIN articles a ON a.id = t.article_id
            ORDER BY t.rank DESC, t.fetched_at DESC, t.id DESC;
        END
        $fn$;
    END IF;
END
$$;
