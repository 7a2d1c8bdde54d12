-- Personal data at rest (issue 19): a dump of the read model alone reveals nobody.

-- The event's personal fields (schemas/personal-fields.ts: the patient's identity, the carer's and
-- representative's details, free text about the person) leave `event` and are kept here, sealed with
-- HOMEWARD_CODEC_KEYS (AES-256-GCM bound to the event id; codec/personal-data-cipher.ts) under the
-- key `personal_key_id`. NULL: the event has none.
ALTER TABLE pathway_events
  ADD COLUMN personal        bytea,
  ADD COLUMN personal_key_id text,
  ADD CONSTRAINT pathway_events_personal_key CHECK ((personal IS NULL) = (personal_key_id IS NULL));

-- Events to seal, or to seal again under the newest key: the projector works through them at start
-- (projections/personal-data.ts), and `homeward projections reseal` after a key rotation.
CREATE TABLE pathway_events_to_seal (
  pathway_id text    NOT NULL,
  sequence   integer NOT NULL,
  PRIMARY KEY (pathway_id, sequence)
);

-- Every event stored so far holds its personal fields in clear. Sealing needs the key, which SQL
-- does not have, so they are queued here, in the transaction that adds the columns, and sealed by the
-- projector's next start, in place. Not cleared and re-projected from Kafka instead: this table is
-- the permanent timeline, and the topic's retention has already deleted what Temporal has forgotten,
-- so clearing would lose the only record of who those stays were. Until the projector has run, the
-- API reads these events as before (nothing sealed to open). Stop any projector of an older version
-- before this migration runs: it would go on storing events in clear, unqueued.
INSERT INTO pathway_events_to_seal (pathway_id, sequence) SELECT pathway_id, sequence FROM pathway_events;

-- The folded state is derived from the events, and its personal parts serve no reader of this table:
-- they go now, as the projector's fold no longer puts them there (the patient, the carer, and the
-- assessment's summary and representative). A rebuild computes the same.
UPDATE pathways SET state = state - 'patient' - 'carer' #- '{assessment,summary}' #- '{assessment,representative}';

-- The old row versions stay in the table's files until vacuumed, and in backups and WAL archives
-- taken before: README (Where personal data lives) says what to do about them.
