-- The `stuck` list, oldest first (the dashboard's table): its sort key, over open stays, so a page
-- is the first rows of an index walk rather than a sort of every open stay.
CREATE INDEX pathways_open_stuck_since ON pathways ((coalesce(stuck_since, 'infinity'::timestamptz)), pathway_id) WHERE status = 'open';
