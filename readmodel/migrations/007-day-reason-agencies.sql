-- The trend filtered by agency as the list is (issue 25): each day row keeps whom its delay reasons
-- waited on that day, as `pathways.reason_agencies` does now (projections/delay-days.ts).
ALTER TABLE pathway_days ADD COLUMN reason_agencies text[] NOT NULL DEFAULT '{}';

-- Day rows written before this have none: each pathway's days are rewritten when its next event is
-- projected; `homeward projections rebuild` rewrites every stay's at once (run it after this).
