-- 005: the alert outbox. A row is written in the same transaction as the
-- article version (or change) that caused it, so an alert is never lost nor
-- sent for a version that was rolled back. One row per (hook, event): the
-- idempotency key is derived from both and sent with every attempt.
CREATE TABLE alert_deliveries (
  id               bigserial PRIMARY KEY,
  hook             text NOT NULL,                  -- hooks[].name in the config
  idempotency_key  text NOT NULL UNIQUE,           -- stable per hook and event; sent as Idempotency-Key
  event_key        text NOT NULL,                  -- the event: kind, article, version or change
  event            text NOT NULL CHECK (event IN ('new', 'edited', 'title_changed', 'removed', 'restored')),
  rules            text[] NOT NULL,                -- the rules that matched
  matched_terms    text[] NOT NULL DEFAULT '{}',
  article_id       bigint REFERENCES articles (id) ON DELETE CASCADE,
  version_id       bigint,
  payload          jsonb NOT NULL,                 -- the event as docs/webhooks.md describes it
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  lease_owner      text,                           -- a daemon sending it right now
  lease_until      timestamptz,
  last_attempt_at  timestamptz,
  last_status      integer,                        -- HTTP status or exit code of the last attempt
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz
);

CREATE INDEX alert_deliveries_due ON alert_deliveries (hook, next_attempt_at) WHERE status = 'pending';
CREATE INDEX alert_deliveries_article ON alert_deliveries (article_id);
CREATE INDEX alert_deliveries_created ON alert_deliveries (created_at);

-- Hooks with a digest window: when the last batch was sent, so several daemons
-- together send at most one request per window.
CREATE TABLE alert_digests (
  hook          text PRIMARY KEY,
  last_sent_at  timestamptz NOT NULL
);
