-- The managers' "handover declined" filter (issue 24): the services being handed over to long-term
-- care that no live referral covers (the domain's uncoveredHandover), as the projector folds them.
ALTER TABLE pathways ADD COLUMN handover_uncovered text[] NOT NULL DEFAULT '{}';

-- Rows folded before this have none: a stay's row is recomputed at its next event, and
-- `homeward projections rebuild` recomputes every row at once (run it after this migration).
