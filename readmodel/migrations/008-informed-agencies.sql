-- Who has heard of a stay (issue 24): the agencies sent any of its events, as the workflow routes
-- them (workflows/routing-context.ts, informedAgencies). An agency reads and lists the stays it was
-- referred on or told of: the GP those of its discharge summaries and handovers, with no referral.
ALTER TABLE pathways ADD COLUMN informed_agencies text[] NOT NULL DEFAULT '{}';

-- Rows folded before this have none: a stay's row is recomputed at its next event, and
-- `homeward projections rebuild` recomputes every row at once (run it after this migration).
