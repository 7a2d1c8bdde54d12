-- The `stuck` list, oldest first (the dashboard's table): its sort key, over open stays, so a page
-- is the first rows of an index walk rather than a sort of every open stay.
CREATE INDEX pathways_open_stuck_since ON pathways ((coalesce(stuck_since, 'infinity'::timestamptz)), pathway_id) WHERE status = 'open';
-- The other arm of `stuck` (in hospital with no event for N days), for its other sorts.
CREATE INDEX pathways_open_quiet ON pathways (last_event_at) WHERE status = 'open' AND in_hospital;
