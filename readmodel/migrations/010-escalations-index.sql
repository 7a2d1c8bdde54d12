-- homeward:no-transaction
-- homeward_escalations_raised is counted at every scrape (readmodel/gauges.ts): from an index of
-- the escalations alone, so a scrape reads as many rows as there are escalations, not every event
-- ever recorded. Concurrently, so the projector keeps writing while it builds; dropped first in
-- case a failed build left it INVALID.
DROP INDEX CONCURRENTLY IF EXISTS pathway_events_escalations;
CREATE INDEX CONCURRENTLY pathway_events_escalations ON pathway_events ((event->>'agency'), (event->>'kind')) WHERE type = 'referral.escalated';
