-- The managers' read model: a projection of homeward.pathway.events (see projections/).

-- Every pathway event exactly once: the permanent audit timeline, kept after Temporal forgets.
CREATE TABLE pathway_events (
  pathway_id    text        NOT NULL,
  sequence      integer     NOT NULL,
  type          text        NOT NULL,
  at            timestamptz NOT NULL,
  actor_role    text,
  actor_agency  text,
  actor_subject text,
  actor_sites   text[],
  -- The domain event as recorded ({type, at, ...}): what evolve folds.
  event         jsonb       NOT NULL,
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pathway_id, sequence)
);

-- One row per pathway, open and closed: the domain's evolve and delay functions folded over its events.
CREATE TABLE pathways (
  pathway_id           text        PRIMARY KEY,
  status               text        NOT NULL CHECK (status IN ('open', 'closed')),
  stage                text        NOT NULL,
  -- Before discharge: a stay where silence means nobody is moving it on.
  in_hospital          boolean     NOT NULL,
  pathway              text,
  site                 text,
  local_authority      text,
  region               text,
  admitted_at          timestamptz,
  drd                  date,
  delay_counts_from    date,
  days_delayed         integer     NOT NULL,
  prior_delay_days     integer     NOT NULL,
  bed_days_lost        integer     NOT NULL,
  delay_band           text        NOT NULL,
  -- The day days_delayed and bed_days_lost were computed for; the projector moves it on daily.
  delay_as_of          date        NOT NULL,
  reasons              jsonb       NOT NULL,
  reason_codes         text[]      NOT NULL,
  reason_agencies      text[]      NOT NULL,
  awaiting_agencies    text[]      NOT NULL,
  referral_agencies    text[]      NOT NULL,
  overdue_since        timestamptz,
  review_overdue_since timestamptz,
  stuck_since          timestamptz,
  last_event_at        timestamptz NOT NULL,
  last_sequence        integer     NOT NULL,
  event_count          integer     NOT NULL,
  discharge_date       date,
  destination          text,
  outcome              text,
  outcome_detail       text,
  closed_at            timestamptz,
  previous_pathway_id  text,
  linked_pathway_id    text,
  state                jsonb       NOT NULL,
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pathways_status_site ON pathways (status, site);
CREATE INDEX pathways_days_delayed ON pathways (days_delayed DESC, pathway_id);
CREATE INDEX pathways_last_event_at ON pathways (last_event_at, pathway_id);
CREATE INDEX pathways_discharge_date ON pathways (discharge_date);
CREATE INDEX pathways_reason_codes ON pathways USING gin (reason_codes);
CREATE INDEX pathways_reason_agencies ON pathways USING gin (reason_agencies);
CREATE INDEX pathways_to_roll ON pathways (delay_as_of) WHERE status = 'open' AND discharge_date IS NULL AND delay_counts_from IS NOT NULL;

-- Each day a patient was in hospital with a discharge ready date: SitRep returns and the 30-day trend.
CREATE TABLE pathway_days (
  day             date    NOT NULL,
  pathway_id      text    NOT NULL,
  site            text,
  local_authority text,
  pathway         text,
  days_delayed    integer NOT NULL,
  delay_band      text    NOT NULL,
  bed_day_lost    boolean NOT NULL,
  reason_codes    text[]  NOT NULL,
  PRIMARY KEY (day, pathway_id)
);
CREATE INDEX pathway_days_pathway ON pathway_days (pathway_id);

-- Where the projector is in each partition, written in the same transaction as the rows.
CREATE TABLE projector_offsets (
  topic         text        NOT NULL,
  partition     integer     NOT NULL,
  -- The next offset to apply (Kafka's convention); NULL until a message of the partition is applied.
  next_offset   bigint,
  -- The partition's first and end offsets when the projector last looked: its lag.
  start_offset  bigint,
  end_offset    bigint,
  last_event_at timestamptz,
  applied_at    timestamptz,
  checked_at    timestamptz,
  PRIMARY KEY (topic, partition)
);

-- Messages on the topic that are not pathway events Homeward can read: kept for a person to look at.
CREATE TABLE projector_rejects (
  topic       text        NOT NULL,
  partition   integer     NOT NULL,
  kafka_offset bigint     NOT NULL,
  reason      text        NOT NULL,
  rejected_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, partition, kafka_offset)
);
