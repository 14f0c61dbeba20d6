-- 003: change detection. Article pages are fetched and re-checked on a
-- schedule; the raw HTML of every stored version is kept (compressed,
-- deduplicated by hash) so extraction can be re-run; every change between two
-- versions of an article is a row of article_changes with its kinds and diff.

-- Raw bytes of fetched pages, one row per distinct content (SHA-256 of the bytes).
CREATE TABLE raw_pages (
    sha256       text PRIMARY KEY,
    content_type text,
    bytes        integer NOT NULL,
    body         bytea COMPRESSION lz4 NOT NULL,
    stored_at    timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE article_versions
    ADD COLUMN raw_sha256       text REFERENCES raw_pages (sha256),  -- the page it was extracted from
    ADD COLUMN extractor        text,          -- which extractor produced body_text, e.g. "extract/1 site-rule"
    ADD COLUMN extracted_at     timestamptz,   -- when body_text was (re)computed
    ADD COLUMN http_status      integer,       -- status of the fetch that produced it (page versions)
    ADD COLUMN final_url        text,          -- URL after redirects (page versions)
    ADD COLUMN page_modified_at timestamptz;   -- the page's own modified time (meta, JSON-LD)
CREATE INDEX article_versions_article_source ON article_versions (article_id, source, version);

-- Page fetching and re-check state of each article. next_check_at (from 001) is
-- when the page is fetched next; NULL when nothing is scheduled.
ALTER TABLE articles
    ADD COLUMN fetch_pages      boolean NOT NULL DEFAULT false,  -- its feed fetches article pages
    ADD COLUMN recheck_step     integer NOT NULL DEFAULT 0,      -- re-checks done on the schedule
    ADD COLUMN page_etag        text,                            -- validators of the page, verbatim
    ADD COLUMN page_last_modified text,
    ADD COLUMN page_checked_at  timestamptz,
    ADD COLUMN page_status      integer,
    ADD COLUMN page_error_count integer NOT NULL DEFAULT 0,
    ADD COLUMN page_last_error  text,
    ADD COLUMN feed_sha256      text,      -- hash of the newest feed content (when pages are authoritative)
    ADD COLUMN lease_owner      text,
    ADD COLUMN lease_until      timestamptz;

-- One row per detected change of an article.
CREATE TABLE article_changes (
    id                 bigserial PRIMARY KEY,
    article_id         bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    old_version_id     bigint REFERENCES article_versions (id) ON DELETE SET NULL,
    new_version_id     bigint REFERENCES article_versions (id) ON DELETE SET NULL,  -- NULL for removals
    detected_at        timestamptz NOT NULL DEFAULT now(),
    source             text NOT NULL CHECK (source IN ('feed', 'page')),
    kinds              text[] NOT NULL,    -- title_changed, minor, substantive, paragraphs_added,
                                           -- paragraphs_removed, correction_notice, removed, restored
    stealth            boolean NOT NULL DEFAULT false,  -- body changed, the page's modified time did not
    old_title          text,
    new_title          text,
    words_added        integer NOT NULL DEFAULT 0,
    words_removed      integer NOT NULL DEFAULT 0,
    words_changed      integer NOT NULL DEFAULT 0,
    paragraphs_added   integer NOT NULL DEFAULT 0,
    paragraphs_removed integer NOT NULL DEFAULT 0,
    http_status        integer,
    removal_reason     text,               -- http_gone, redirect_home, redirect_listing, body_emptied
    diff_text          text COMPRESSION lz4,   -- [-removed-] {+added+}, changed paragraphs only
    diff_json          jsonb COMPRESSION lz4
);
CREATE INDEX article_changes_detected_at ON article_changes (detected_at);
CREATE INDEX article_changes_article ON article_changes (article_id, detected_at);

-- One row per change: the article's URL and current title, when, the kinds,
-- the size of the diff and the diff itself (as text and as JSON).
CREATE VIEW article_edits AS
SELECT c.id               AS change_id,
       c.article_id,
       a.url,
       coalesce(c.new_title, a.title) AS title,
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
JOIN articles a ON a.id = c.article_id
LEFT JOIN article_versions ov ON ov.id = c.old_version_id
LEFT JOIN article_versions nv ON nv.id = c.new_version_id;
