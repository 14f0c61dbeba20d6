-- 001: the first schema: feeds, articles and their versions, feed membership, fetch log.
-- Times are timestamptz (UTC); large text columns use lz4 TOAST compression
-- (about twice as fast to ingest as the default pglz).

CREATE TABLE feeds (
    id                  bigserial PRIMARY KEY,
    name                text NOT NULL UNIQUE,          -- feeds[].name in the config
    url                 text NOT NULL,                 -- current URL (updated after permanent redirects)
    title               text,
    site_link           text,
    etag                text,                          -- validators for conditional GET, verbatim
    last_modified       text,
    next_poll_at        timestamptz NOT NULL DEFAULT now(),
    last_polled_at      timestamptz,
    last_success_at     timestamptz,
    last_new_article_at timestamptz,
    last_status         integer,                       -- last HTTP status, NULL on network errors
    error_count         integer NOT NULL DEFAULT 0,    -- consecutive failures; 0 when healthy
    last_error          text,
    lease_owner         text,                          -- the daemon that claimed this poll
    lease_until         timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feeds_next_poll_at ON feeds (next_poll_at);

CREATE TABLE articles (
    id                 bigserial PRIMARY KEY,
    article_key        text NOT NULL UNIQUE,   -- identity: guid, else link, else hash of title+content
    guid               text,
    url                text NOT NULL,
    title              text,
    author             text,
    categories         text[] NOT NULL DEFAULT '{}',
    published_at       timestamptz,
    modified_at        timestamptz,            -- the source's own "updated" time
    first_seen_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at       timestamptz NOT NULL DEFAULT now(),
    state              text NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'removed')),
    current_version_id bigint,
    version_count      integer NOT NULL DEFAULT 0,
    next_check_at      timestamptz
);
CREATE INDEX articles_next_check_at ON articles (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX articles_published_at ON articles (published_at);

CREATE TABLE article_versions (
    id           bigserial PRIMARY KEY,
    article_id   bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version      integer NOT NULL,              -- 1, 2, ... per article
    fetched_at   timestamptz NOT NULL DEFAULT now(),
    source       text NOT NULL CHECK (source IN ('feed', 'page')),
    title        text,
    body_text    text COMPRESSION lz4 NOT NULL,  -- plain text, paragraphs separated by blank lines
    body_html    text COMPRESSION lz4,           -- the HTML it was made from
    text_sha256  text NOT NULL,                  -- hex SHA-256 of the normalized title and text
    UNIQUE (article_id, version)
);
CREATE INDEX article_versions_fetched_at ON article_versions (fetched_at);

ALTER TABLE articles
    ADD CONSTRAINT articles_current_version_fk
    FOREIGN KEY (current_version_id) REFERENCES article_versions (id) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE article_feeds (
    article_id    bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    feed_id       bigint NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (article_id, feed_id)
);
CREATE INDEX article_feeds_feed_id ON article_feeds (feed_id);

CREATE TABLE fetch_log (
    id          bigserial PRIMARY KEY,
    feed_id     bigint REFERENCES feeds (id) ON DELETE SET NULL,
    article_id  bigint REFERENCES articles (id) ON DELETE SET NULL,
    url         text NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    duration_ms integer,
    status      integer,                         -- HTTP status; NULL when no response
    outcome     text NOT NULL CHECK (outcome IN ('ok', 'not_modified', 'http_error', 'network_error',
                                                 'parse_error', 'refused')),
    bytes       bigint,
    new_entries integer,
    error       text
);
CREATE INDEX fetch_log_feed_started ON fetch_log (feed_id, started_at);

-- One row per article: its current state and newest version.
CREATE VIEW latest_articles AS
SELECT a.id            AS article_id,
       a.url,
       coalesce(v.title, a.title) AS title,
       v.body_text,
       a.author,
       a.categories,
       a.published_at,
       a.modified_at,
       a.first_seen_at,
       a.last_seen_at,
       a.state,
       a.version_count,
       v.id            AS version_id,
       v.fetched_at    AS version_fetched_at
FROM articles a
LEFT JOIN article_versions v ON v.id = a.current_version_id;
