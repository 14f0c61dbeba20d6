-- 012: feeds whose server ignores conditional GET. Such a server answers every
-- poll with 200 and the whole feed, so without a 304 each poll stored every
-- entry again (about ten statements and a write per listed article, to find
-- that nothing changed). feeds.entries_digest is the SHA-256 of the entries
-- (and the feed fields) that the last full store of the feed saw, written in
-- its transaction; a poll whose entries give the same digest is recorded like
-- a 304 (outcome ok, new_entries 0) without touching its articles. The digest
-- is trusted for a day after entries_stored_at: after that a full store runs
-- again, so article_feeds.last_seen_at is at most a day old for an article the
-- feed still lists.
ALTER TABLE feeds ADD COLUMN entries_digest text;
ALTER TABLE feeds ADD COLUMN entries_stored_at timestamptz;

-- The same for one entry of a feed that changed: article_feeds.entry_digest is
-- the SHA-256 of the entry as this feed listed it at its last full store. An
-- entry listed exactly as before is not extracted again (the extractor is most
-- of a full store's CPU: about 1 ms for a 5 KB WordPress body).
ALTER TABLE article_feeds ADD COLUMN entry_digest text;
