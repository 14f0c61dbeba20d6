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
--    cascades), so analysts filter on it without reading feeds.

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
