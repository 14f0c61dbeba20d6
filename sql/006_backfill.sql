-- 006: archive backfill. One row per feed whose older pages have been walked
-- (`feedwatch backfill FEED`, or `feeds[].backfill.paged` at daemon start).
-- Each page's articles and the row's progress commit together, so a backfill
-- stopped at any point resumes at `next_page`.
CREATE TABLE backfill_state (
    feed_id                 bigint PRIMARY KEY REFERENCES feeds (id) ON DELETE CASCADE,
    mode                    text NOT NULL CHECK (mode IN ('paged', 'archive')),  -- ?paged=N feed pages, or /tag/x/page/N/ HTML
    status                  text NOT NULL CHECK (status IN ('running', 'done')),
    next_page               integer NOT NULL,               -- the page to fetch next (pages start at 2)
    pages_walked            integer NOT NULL DEFAULT 0,
    articles_found          integer NOT NULL DEFAULT 0,     -- new articles stored by the backfill
    stop_reason             text,                           -- known | empty | end | max_pages | no_archive | robots
    last_error              text,                           -- why the last run stopped early (it resumes)
    started_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    finished_at             timestamptz,
    wp_modified_checked_at  timestamptz                     -- last WordPress REST query for edited posts
);

-- The backfill asks, for each link on an archive page, whether the article is
-- already stored under that URL.
CREATE INDEX IF NOT EXISTS articles_url ON articles (url);
