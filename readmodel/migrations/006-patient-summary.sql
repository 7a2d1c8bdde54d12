-- The patient as the staff's pages show them (issue 25): initials and an age band, derived by the
-- projector from the sealed start (projections/patient-summary.ts). Nothing else of the patient is in
-- clear in the read model; these two do not identify a person from it alone.
CREATE TABLE pathway_patients (
  pathway_id text PRIMARY KEY,
  initials   text NOT NULL,
  age_band   text NOT NULL
);

-- Pathways started before this migration: their start is sealed, which SQL cannot open. Queued for
-- the projector's next start, which opens each queued event (projections/personal-data.ts) and now
-- derives the summary as it does; an event already sealed under the newest key is left as it is.
INSERT INTO pathway_events_to_seal (pathway_id, sequence)
SELECT pathway_id, sequence FROM pathway_events WHERE type = 'pathway.started'
ON CONFLICT DO NOTHING;

-- The ward at admission (pathway.started's `ward`, a place in the hospital): a column of the row,
-- filled for every stay the projector or a rebuild folds from now on.
ALTER TABLE pathways ADD COLUMN ward text;
