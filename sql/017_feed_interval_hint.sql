-- 017: the polling interval a feed's own document suggests (its <ttl>,
-- sy:updatePeriod/updateFrequency and its observed posting rate, at most a
-- day), in seconds, written with each full store of the feed. A 304 carries
-- no document, so without it every 304 scheduled the next poll at the
-- configured interval, and the hints lengthened nothing on a server that
-- supports conditional GET. NULL: not known yet (no full store since 017).
ALTER TABLE feeds ADD COLUMN interval_hint_s integer;
