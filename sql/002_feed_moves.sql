-- 002: permanent redirects of feeds. `url` is where the feed is fetched from;
-- `config_url` is what the config says. After the same permanent redirect
-- (301/308) on several polls in a row, `url` follows it; a config change of the
-- URL starts over from the config's value.
ALTER TABLE feeds ADD COLUMN config_url text;
UPDATE feeds SET config_url = url;
ALTER TABLE feeds ALTER COLUMN config_url SET NOT NULL;
ALTER TABLE feeds ADD COLUMN moved_to text;                            -- target of the last permanent redirect
ALTER TABLE feeds ADD COLUMN moved_count integer NOT NULL DEFAULT 0;  -- polls in a row redirected there
