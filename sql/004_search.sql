-- 004: full-text search over every version of every article (text that was
-- later edited out stays findable), and the read-only role feedwatch_analyst.
--
-- Search vectors are computed after ingest, not during it. PostgreSQL's text
-- parser costs about 1.5 ms per 4 KB article on this hardware, so computing the
-- vector inside the INSERT (an expression index, a generated column or a
-- trigger) caps ingest at a few hundred versions per second whatever the
-- index. A version is therefore stored with search = NULL and the daemon fills
-- the vectors in batches with feedwatch_index_search() (after every poll, and
-- until the backlog is gone), a fraction of a second behind. The NULL rows are
-- found through a small partial index. See sql/README.md, "Search".

-- Title (weight A) and body (D); NULL until indexed. lz4: ranking reads every
-- candidate's vector, and lz4 decompresses several times faster than pglz.
ALTER TABLE article_versions ADD COLUMN search tsvector COMPRESSION lz4;

-- The vector of one version. English stemming ("edits" finds "edited"); the
-- body is cut at 500,000 characters (tsvector's 1 MB limit).
CREATE FUNCTION feedwatch_search_vector(title text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, left(coalesce(body, ''), 500000)), 'D');

-- fastupdate: new entries go to a pending list merged in bulk (by the indexer's
-- next flush or autovacuum) instead of one posting-tree insert per lexeme.
CREATE INDEX article_versions_search ON article_versions USING gin (search)
    WITH (fastupdate = on, gin_pending_list_limit = 8192);
CREATE INDEX article_versions_search_pending ON article_versions (id) WHERE search IS NULL;

-- Fills the search vector of up to max_rows versions that have none, oldest
-- first; returns how many. Safe to run from several daemons at once (rows
-- another session is indexing are skipped).
CREATE FUNCTION feedwatch_index_search(max_rows integer DEFAULT 200) RETURNS integer
    LANGUAGE sql VOLATILE
AS $$
    WITH todo AS (
        SELECT id FROM article_versions
        WHERE search IS NULL
        ORDER BY id
        LIMIT greatest(max_rows, 0)
        FOR UPDATE SKIP LOCKED
    ), done AS (
        UPDATE article_versions v
        SET search = feedwatch_search_vector(v.title, v.body_text)
        FROM todo
        WHERE v.id = todo.id
        RETURNING 1
    )
    SELECT count(*)::integer FROM done
$$;

-- Every version with its article, for analysts' own full-text queries:
--   WHERE search @@ websearch_to_tsquery('english', 'huawei export')
CREATE VIEW article_search AS
SELECT v.article_id,
       v.id                             AS version_id,
       v.version,
       a.url,
       coalesce(v.title, a.title)       AS title,
       v.fetched_at,
       v.id = a.current_version_id      AS is_current,
       a.state,
       v.body_text,
       v.search
FROM article_versions v
JOIN articles a ON a.id = v.article_id;

-- Ranked search: the best-ranked version of each matching article, best
-- articles first. Ranking reads every candidate's vector from TOAST (tens of
-- microseconds each), so only the `candidates` newest matching versions are
-- ranked: picking them costs an index scan and a sort of ids, not a vector
-- read. A term in fewer versions than that is ranked exhaustively; for a
-- commoner one the answer is the best of its recent mentions, which is what an
-- analyst searching news usually wants (raise `candidates` for more).
-- enable_seqscan is off inside: with a LIMIT the planner may otherwise prefer
-- reading the whole table to the GIN index; id + 0 keeps it from walking the
-- primary key backwards and testing every row.
CREATE FUNCTION search_articles(query text, max_results integer DEFAULT 20, candidates integer DEFAULT 1000)
    RETURNS TABLE (article_id bigint, version_id bigint, version integer, url text, title text,
                   fetched_at timestamptz, is_current boolean, rank real)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path FROM CURRENT
    SET enable_seqscan = off
AS $$
    WITH q AS (
        SELECT websearch_to_tsquery('english'::regconfig, query) AS tsq
    ), newest AS MATERIALIZED (
        SELECT v.id, v.article_id, v.version, v.title, v.fetched_at, v.search
        FROM article_versions v, q
        WHERE v.search @@ q.tsq
        ORDER BY v.id + 0 DESC
        LIMIT greatest(candidates, 1)
    ), best AS (
        SELECT DISTINCT ON (n.article_id) n.id, n.article_id, n.version, n.title, n.fetched_at,
               ts_rank(n.search, q.tsq) AS rank
        FROM newest n, q
        ORDER BY n.article_id, rank DESC, n.id DESC
    ), top AS (
        SELECT * FROM best
        ORDER BY rank DESC, fetched_at DESC, id DESC
        LIMIT greatest(max_results, 0)
    )
    SELECT t.article_id, t.id, t.version, a.url, coalesce(t.title, a.title), t.fetched_at,
           t.id = a.current_version_id, t.rank
    FROM top t
    JOIN articles a ON a.id = t.article_id  -- only for the results
    ORDER BY t.rank DESC, t.fetched_at DESC, t.id DESC
$$;
REVOKE EXECUTE ON FUNCTION search_articles(text, integer, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION feedwatch_index_search(integer) FROM PUBLIC;

-- The analysts' role: reads the views and search_articles(), nothing else (no
-- base table, no write). NOLOGIN: give it to login roles with
--   GRANT feedwatch_analyst TO alice;
-- Creating a role needs CREATEROLE. Without it (a daemon user on a shared
-- server) the migration goes on with a notice and grants nothing; a DBA then
-- creates the role and runs the GRANTs of deploy/README.md.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'feedwatch_analyst') THEN
        BEGIN
            CREATE ROLE feedwatch_analyst NOLOGIN;
        EXCEPTION
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'feedwatch: role feedwatch_analyst not created (% lacks CREATEROLE): see deploy/README.md', current_user;
                RETURN;
            WHEN unique_violation OR duplicate_object THEN
                NULL;  -- roles are cluster-wide: another database's migration created it just now
        END;
    END IF;
    BEGIN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO feedwatch_analyst', current_schema());
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'feedwatch: cannot grant USAGE on schema % to feedwatch_analyst: see deploy/README.md', current_schema();
    END;
    GRANT SELECT ON latest_articles, article_edits, article_search TO feedwatch_analyst;
    GRANT EXECUTE ON FUNCTION search_articles(text, integer, integer) TO feedwatch_analyst;
END
$$;
