-- 016: fetch_log.article_id loses its foreign key, as feed_id did in 009.
--
-- Every fetch_log row queued a check of that key, a feed poll's too (its
-- article_id is always NULL): the row was fetched again at the end of the
-- statement only to find the NULL. At 10,000 feeds that was 0.5-0.6 µs of the
-- server's 10 µs per kept 304 (bench/README.md, "Polling at scale").
-- feedwatch never deletes articles. Should some be deleted by hand, the
-- trigger below does what the key's ON DELETE SET NULL did, with one pass over
-- fetch_log per statement rather than one per deleted article.
ALTER TABLE fetch_log DROP CONSTRAINT IF EXISTS fetch_log_article_id_fkey;

CREATE FUNCTION fetch_log_forget_articles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE fetch_log fl SET article_id = NULL FROM gone WHERE fl.article_id = gone.id;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_forget_fetch_log AFTER DELETE ON articles
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION fetch_log_forget_articles();
