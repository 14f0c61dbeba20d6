-- 015: fast search for conjunctions and phrases of common words.
--
-- After 011, `huawei chip` (both words, in 1.5% of 1.1 million versions) took
-- 120-160 ms and the phrase `"export controls"` (no match, but both words
-- together in 15,000 versions) 210-340 ms, however few results they had:
-- RUM reads the whole posting list of every word of the query, with its
-- positions, before it answers (bench/README.md, "Analyst search"). A GIN
-- index on two columns replaces it:
--
-- * the vectors (no positions: a word's posting list is a compressed list of
--   row addresses, a few milliseconds even for a word in a quarter of all
--   versions), which PostgreSQL intersects with a range of the primary key
--   (BitmapAnd), so the newest matches of any query are found in windows of
--   versions, newest first, reading only the rows that match;
-- * their word pairs, `feedwatch_search_pairs(search)`: every two lexemes at
--   adjacent positions, hashed into 65,536 buckets. A phrase `"a b"` can
--   only match a version whose pairs hold bucket(a, b), so a phrase of two
--   common words reads its few candidates instead of every version with both
--   words. A bucket is shared by unrelated pairs, so the phrase itself is
--   still checked on each candidate's vector: the pairs narrow the search
--   and never decide it.
--
-- Ranking: `ts_rank` over each query's `candidates` newest matching versions
-- (every match when there are no more than that), then each article's best.
-- For a term in more than `candidates` versions this is the best of its recent
-- mentions, as 011 already ranked the commonest terms; RUM's exhaustive
-- ranking of terms in 1,000-130,000 versions is given up for speed that does
-- not depend on how common the words are. The RUM index is dropped where 007
-- built it (and the extension, if nothing else uses it).

DROP INDEX IF EXISTS article_versions_search;
DROP FUNCTION IF EXISTS feedwatch_search_walk(tsquery, integer);

DO $$
BEGIN
    DROP EXTENSION IF EXISTS rum;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'feedwatch: the rum extension stays (%)', SQLERRM;
END
$$;

-- The bucket of the lexeme pair (a, b).
CREATE FUNCTION feedwatch_search_pair(a text, b text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN hashtext(a || ' ' || b) & 65535;

-- The buckets of every two lexemes of v at adjacent positions (positions as
-- stored, so exactly the pairs a phrase match `a <-> b` can use).
CREATE FUNCTION feedwatch_search_pairs(v tsvector) RETURNS integer[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
BEGIN ATOMIC
    WITH p AS (SELECT u.lexeme AS l, unnest(u.positions) AS p FROM unnest(v) u)
    SELECT coalesce(array_agg(DISTINCT feedwatch_search_pair(a.l, b.l)), '{}')
    FROM p a JOIN p b ON b.p = a.p + 1;
END;

-- One GIN index on both: the vectors' words and their pairs. One index, not
-- two, because a phrase's candidates must be the versions with both words AND
-- the pair's bucket: with two indexes the planner may read only the pairs
-- (it does not count the vector read from TOAST to check each candidate,
-- about 10 us), and a bucket alone holds ~4,000 versions where the
-- intersection holds a few dozen. Partial, as 007's: versions are stored
-- without a vector (004) and enter the index when the indexer fills it in. A
-- small pending list: every search reads all of it.
CREATE INDEX article_versions_search ON article_versions
    USING gin (search, feedwatch_search_pairs(search))
    WITH (fastupdate = on, gin_pending_list_limit = 1024)
    WHERE search IS NOT NULL;

-- What the indexes can do for a query (websearch_to_tsquery's output):
-- * pairs: the buckets every matching version must hold: those of each
--   `a <-> b` of a phrase that is required (not under `!`, no `|` in the
--   query, no weight or prefix on either lexeme); empty when there is none.
-- * positive: GIN can list the matches from the posting lists of required
--   words. Without one (`-tencent`, `huawei or -chip`) GIN would read its
--   whole index, so such a query is read newest first instead.
CREATE FUNCTION feedwatch_search_shape(tsq tsquery, OUT pairs integer[], OUT positive boolean)
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
AS $$
DECLARE
    tok text[];
    lexeme text;
    prev text;          -- the last required lexeme, if a pair may start with it
    chained boolean := false;
    negated boolean := false;
    skipping integer := 0;  -- depth inside a negated group !( ... )
    grouped boolean := false;
    has_or boolean := false;
    has_not boolean := false;
    required integer := 0;
BEGIN
    pairs := '{}';
    -- Tokens of tsquery's text form: a quoted lexeme ('' and \\ escaped) with
    -- an optional :weights or :* suffix, or an operator.
    FOR tok IN SELECT regexp_matches(tsq::text,
                   $re$'((?:[^'\\]|''|\\.)*)'(:[*A-D]+)?|(<->|<[0-9]+>|[&|!()])$re$, 'g')
    LOOP
        IF skipping > 0 THEN
            IF tok[3] = '(' THEN
                skipping := skipping + 1;
            ELSIF tok[3] = ')' THEN
                skipping := skipping - 1;
            END IF;
            CONTINUE;
        END IF;
        IF tok[3] IS NULL THEN
            lexeme := regexp_replace(tok[1], $re$'(')|\\(\\)$re$, '\1\2', 'g');
            IF negated THEN
                negated := false;
                prev := NULL;
            ELSE
                required := required + 1;
                IF chained AND prev IS NOT NULL AND tok[2] IS NULL THEN
                    pairs := pairs || feedwatch_search_pair(prev, lexeme);
                END IF;
                prev := CASE WHEN tok[2] IS NULL THEN lexeme END;
            END IF;
            chained := false;
        ELSIF tok[3] = '<->' THEN
            chained := true;
        ELSIF tok[3] = '!' THEN
            has_not := true;
            negated := true;
        ELSIF tok[3] = '(' THEN
            IF negated THEN
                negated := false;
                skipping := 1;
            ELSE
                grouped := true;
            END IF;
            prev := NULL;
            chained := false;
        ELSIF tok[3] = '|' THEN
            has_or := true;
            prev := NULL;
            chained := false;
        ELSE  -- &, <N>, )
            prev := NULL;
            chained := false;
        END IF;
    END LOOP;
    IF has_or OR grouped THEN
        pairs := '{}';
    END IF;
    positive := required > 0 AND NOT (has_or AND has_not);
END
$$;

-- The ids of the `wanted` newest versions matching tsq, newest first.
--
-- A query with a required word is answered through the search index: if the
-- planner expects few matches (see below), all of them at once;
-- otherwise in windows of versions, newest first (a BitmapAnd of the search
-- index with a range of the primary key), each holding as many versions as
-- the density of matches seen so far says should give the rest (the
-- planner's estimate for the first, times 1.5), until `wanted` are found or
-- the oldest version is passed. A window's lower id is found by counting
-- versions down the primary key (an index-only scan), so gaps in the ids do
-- not matter. Each window reads the query's posting lists again, but only
-- the heap rows that match. A query without a required word reads the newest
-- 20 x wanted versions and tests each vector.
--
-- enable_indexscan is off (but where turned on below) so that a window is
-- never read as a range of the primary key testing each row's vector (about
-- 10 us a row from TOAST, which the planner does not count). VOLATILE only
-- because EXPLAIN is refused inside a function that is not; it writes
-- nothing.
CREATE FUNCTION feedwatch_search_newest(tsq tsquery, wanted integer) RETURNS bigint[]
    LANGUAGE plpgsql VOLATILE
    SET search_path FROM CURRENT
    SET enable_seqscan = off
    SET enable_indexscan = off
AS $$
DECLARE
    shape record;
    n constant integer := greatest(wanted, 1);
    matches text;  -- the query's conditions on the search index
    plan json;
    estimate double precision;
    versions double precision;
    span double precision;  -- versions the next window should hold
    read double precision := 0;  -- versions in the windows so far
    top bigint;
    bottom bigint;
    hi bigint;
    lo bigint;
    found bigint[] := '{}';
    part bigint[];
BEGIN
    IF numnode(tsq) = 0 THEN
        RETURN found;  -- only stop words: nothing matches
    END IF;
    shape := feedwatch_search_shape(tsq);
    PERFORM set_config('enable_indexscan', 'on', true);  -- until it is turned off below
    SELECT max(av.id), min(av.id) INTO top, bottom FROM article_versions av;
    IF top IS NULL THEN
        RETURN found;
    END IF;
    IF NOT shape.positive THEN
        SELECT coalesce(array_agg(v.id ORDER BY v.id DESC), '{}') INTO found
        FROM (SELECT w.id FROM (SELECT av.id, av.search FROM article_versions av
                                WHERE av.search IS NOT NULL ORDER BY av.id DESC LIMIT 20 * n) w
              WHERE w.search @@ tsq ORDER BY w.id DESC LIMIT n) v;
        RETURN found;
    END IF;

    -- An empty @> would make GIN read the whole pairs column: pairs only when
    -- a phrase gives some.
    matches := format('av.search @@ %L::tsquery', tsq);
    IF cardinality(shape.pairs) > 0 THEN
        matches := matches || format(' AND feedwatch_search_pairs(av.search) @> %L::integer[]', shape.pairs);
    END IF;
    EXECUTE 'EXPLAIN (FORMAT JSON) SELECT 1 FROM article_versions av WHERE ' || matches INTO plan;
    estimate := greatest((plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision, 1);
    SELECT greatest(c.reltuples, 1) INTO versions FROM pg_class c WHERE c.oid = 'article_versions'::regclass;
    hi := top + 1;
    -- All matches at once when there are few enough: the heap rows of M
    -- matches (about 1 us each) cost less than the windows then would
    -- (counting 1.5 x n x versions / M versions down the primary key and
    -- intersecting their bitmap with the matches', about 0.16 us a version):
    -- below M = sqrt(n x versions / 4), 16,600 of 1.1 million for n = 1,000.
    span := CASE WHEN estimate <= sqrt(n * versions / 4) THEN versions ELSE 1.5 * n * versions / estimate END;
    LOOP
        lo := NULL;
        IF span < 0.5 * versions THEN
            SELECT av.id INTO lo FROM article_versions av WHERE av.id < hi ORDER BY av.id DESC
            OFFSET greatest(span::bigint - 1, 0) LIMIT 1;
        END IF;
        lo := coalesce(lo, bottom);
        read := read + span;
        PERFORM set_config('enable_indexscan', 'off', true);
        -- The window's bounds only where they cut (a bound that keeps nearly
        -- every row would read the whole primary key); `id + 0`: the order
        -- comes from a sort of the matches, not from the primary key read
        -- backwards.
        EXECUTE 'SELECT coalesce(array_agg(m.id ORDER BY m.id DESC), ''{}'') FROM (SELECT av.id'
                || ' FROM article_versions av WHERE ' || matches
                || CASE WHEN lo > bottom THEN ' AND av.id >= $1' ELSE '' END
                || CASE WHEN hi <= top THEN ' AND av.id < $2' ELSE '' END
                || ' ORDER BY av.id + 0 DESC LIMIT $3) m'
            INTO part USING lo, hi, n - cardinality(found);
        PERFORM set_config('enable_indexscan', 'on', true);
        found := found || part;
        EXIT WHEN cardinality(found) >= n OR lo <= bottom;
        -- The next window: what is still wanted at the density seen so far
        -- (twice the last window when nothing was found).
        span := CASE WHEN cardinality(found) = 0 THEN 2 * span
                     ELSE greatest(1.5 * (n - cardinality(found)) * read / cardinality(found), n)
                END;
        hi := lo;
    END LOOP;
    RETURN found;
END
$$;
REVOKE EXECUTE ON FUNCTION feedwatch_search_newest(tsquery, integer) FROM PUBLIC;

CREATE OR REPLACE FUNCTION search_articles(query text, max_results integer DEFAULT 20,
                                           candidates integer DEFAULT 1000)
    RETURNS TABLE (article_id bigint, version_id bigint, version integer, url text, title text,
                   fetched_at timestamptz, is_current boolean, rank real)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path FROM CURRENT
AS $fn$
DECLARE
    tsq constant tsquery := websearch_to_tsquery('english'::regconfig, query);
    ids constant bigint[] := feedwatch_search_newest(tsq, candidates);
BEGIN
    RETURN QUERY
    WITH pool AS (
        SELECT v.id, v.article_id, v.version, v.title, v.fetched_at, ts_rank(v.search, tsq) AS rank
        FROM unnest(ids) AS c(id)
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
