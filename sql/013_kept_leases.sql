-- 013: a running daemon keeps the feeds it polls. At scale almost every poll is
-- a 304, and each one cost PostgreSQL a claim (the lease written into the row),
-- then the new schedule written into the row again, moving its entry in
-- feeds_next_poll_at. Now a `feedwatch run` that records an unchanged poll
-- keeps the feed leased until its next poll is due plus the lease
-- (lease_until = next_poll_at + lease) and polls it then from its own
-- schedule, with no claim. The lease is released when the poll stored
-- something or failed, when the daemon stops or reloads its config, and when
-- it holds more than its share of the feeds (see `pollers`); a daemon that
-- dies leaves its feeds to the others once their leases run out.
--
-- * With no index on next_poll_at, a write of a kept feed's schedule changes
--   no indexed column and is a HOT update (009 left half of each page free).
--   Ticks claim due feeds through feeds_unleased, which holds only the feeds
--   no daemon keeps (a few, once daemons run); feeds whose lease ran out (a
--   daemon died) and kept feeds that someone made due earlier by hand are
--   found by a scan of `feeds` about once a minute.
DROP INDEX IF EXISTS feeds_next_poll_at;
CREATE INDEX feeds_unleased ON feeds (id) WHERE lease_owner IS NULL;

-- * The daemons that share the database, each with a heartbeat: a daemon
--   keeps at most its share of the feeds (feeds / live daemons), so a daemon
--   that starts later gets work from the others.
CREATE TABLE pollers (
    owner       text PRIMARY KEY,           -- host:pid, as in feeds.lease_owner
    started_at  timestamptz NOT NULL DEFAULT now(),
    alive_until timestamptz NOT NULL        -- renewed by every tick; later: gone
);
