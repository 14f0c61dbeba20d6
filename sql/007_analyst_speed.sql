-- 007: the analyst queries at a million articles.
--
-- 1. "Edits in the last N days" without an articles lookup per edit. The
--    article's URL and title are copied into article_changes when a change is
--    recorded (a trigger, so every writer gets it), and article_edits reads
--    them from there: the query is then one range scan of
--    article_changes_detected_at over rows stored in detection order.
--    `title` is the article's title when the change was detected (the new
--    title for a headline change), which is what an edit log should show.
--    An article's URL never changes (articles are identified by their key and
--    URL), so the copy cannot go stale.
--
-- 2. Ranked search through a RUM index where the rum extension is available
--    (Debian: postgresql-15-rum). RUM keeps lexeme positions in the index, so
--    it returns matches already ordered by rank without reading a single
--    vector; GIN can only find the matches, and ranking them reads every
--    match's vector from TOAST. Creating the extension needs a superuser (the
--    embedded database's user is one). Without it the GIN index and the
--    bounded ranking of 004 stay, with a notice.

ALTER TABLE article_changes ADD COLUMN url text, ADD COLUMN title text;

UPDATE article_changes c
SET url = a.url,
    title = coalesce(c.new_title, a.title)
FROM articles a
WHERE a.id = c.article_id;

CREATE FUNCTION feedwatch_change_article() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.url IS NULL OR NEW.title IS NULL THEN
        SELECT coalesce(NEW.url, a.url), coalesce(NEW.title, NEW.new_title, a.title)
        INTO NEW.url, NEW.title
        FROM articles a WHERE a.id = NEW.article_id;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER article_changes_article BEFORE INSERT ON article_changes
    FOR EACH ROW EXECUTE FUNCTION feedwatch_change_article();

-- Same columns as in 003; no join to articles any more. The joins to the
-- versions are LEFT joins on unique keys, which the planner drops when their
-- columns are not selected.
CREATE OR REPLACE VIEW article_edits AS
SELECT c.id               AS change_id,
       c.article_id,
       c.url,
       c.title,
       c.detected_at,
       c.kinds,
       'title_changed' = ANY (c.kinds) AS title_changed,
       c.stealth,
       c.old_title,
       c.new_title,
       c.words_added,
       c.words_removed,
       c.words_changed,
       c.paragraphs_added,
       c.paragraphs_removed,
       c.diff_text,
       c.diff_json,
       ov.version         AS old_version,
       nv.version         AS new_version,
       c.source,
       c.http_status,
       c.removal_reason
FROM article_changes c
LEFT JOIN article_versions ov ON ov.id = c.old_version_id
LEFT JOIN article_versions nv ON nv.id = c.new_version_id;

DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS rum;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'feedwatch: ranked search uses GIN (rum extension not available: %)', SQLERRM;
        RETURN;
    END;

    -- The same vectors, indexed with their positions. Rebuilding takes a while
    -- on a large database (bench/README.md, "Analyst search"). Partial: a
    -- version is stored with no vector (see 004), and a RUM insertion costs
    -- even for that; the row enters the index when the indexer fills it in.
    -- `search @@ query` implies `search IS NOT NULL`, so queries use it.
    DROP INDEX article_versions_search;
    CREATE INDEX article_versions_search ON article_versions USING rum (search rum_tsvector_ops)
        WHERE search IS NOT NULL;

    -- Ranked search, as in 004 (the best-ranked version of each matching
    -- article, best first), with the ranking done by the index: `<=>` is RUM's
    -- rank distance (1 / rank), and ORDER BY it with a LIMIT is an index scan
    -- that stops after the best matches. Five times max_results versions (at
    -- most `candidates`) are taken so that several matching versions of one
    -- article still leave max_results articles; only those rows are read.
    CREATE OR REPLACE FUNCTION search_articles(query text, max_results integer DEFAULT 20,
                                               candidates integer DEFAULT 1000)
        RETURNS TABLE (article_id bigint, version_id bigint, version integer, url text, title text,
                       fetched_at timestamptz, is_current boolean, rank real)
        LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path FROM CURRENT
        SET enable_seqscan = off
    AS $fn$
        WITH q AS (
            SELECT websearch_to_tsquery('english'::regconfig, query) AS tsq
        ), ranked AS MATERIALIZED (
            SELECT v.id, v.article_id, v.version, v.title, v.fetched_at, v.search <=> q.tsq AS distance
            FROM article_versions v, q
            WHERE v.search @@ q.tsq
            ORDER BY v.search <=> q.tsq
            LIMIT greatest(least(candidates, 5 * max_results), max_results, 1)
        ), best AS (
            SELECT DISTINCT ON (r.article_id) r.*
            FROM ranked r
            ORDER BY r.article_id, r.distance, r.id DESC
        ), top AS (
            SELECT * FROM best
            ORDER BY distance, fetched_at DESC, id DESC
            LIMIT greatest(max_results, 0)
        )
        SELECT t.article_id, t.id, t.version, a.url, coalesce(t.title, a.title), t.fetched_at,
               t.id = a.current_version_id, (1 / t.distance)::real
        FROM top t
        JOIN articles a ON a.id = t.article_id
        ORDER BY t.distance, t.fetched_at DESC, t.id DESC
    $fn$;
END
$$;
