import { Counter, Gauge } from 'prom-client';
import { registry } from '../health/metrics';
import type { Database } from './database';
import { topics } from '../kafka/topics';
import { delayedNow, stuck } from './figures';
import { partitionLagSql } from './freshness';

/**
 * The managers' figures as Prometheus gauges, read from the read model when Prometheus scrapes
 * (the projector's process exports them: it keeps the read model). Each counts with the SQL of
 * readmodel/figures.ts, so a gauge and the managers' list never disagree. Every projector
 * instance reads the same rows: aggregate them with max(), not sum().
 */
interface Source {
  db: Database;
  stuckForDays: number;
}
const sources: Source[] = [];

/** The projector's read model, for the gauges, until the returned function forgets it. */
export function exportReadModelFigures(source: Source): () => void {
  sources.push(source);
  return () => void sources.splice(sources.indexOf(source), 1);
}

type Row = Record<string, string> & { value: string };
const queries = new Map<string, (source: Source) => string>();
let reading: Promise<Map<string, Row[]> | undefined> | undefined;

/**
 * The figures of one scrape, read once for all its gauges: prom-client collects the metrics of a
 * scrape side by side, so each gauge (and the error counter) awaits the same reading. A figure
 * whose query failed is missing, and counted as an error.
 */
function readFigures(): Promise<Map<string, Row[]> | undefined> {
  reading ??= (async () => {
    const source = sources.at(-1);
    if (!source) return undefined;
    const read = new Map<string, Row[]>();
    let failed = false;
    await Promise.all(
      [...queries].map(([name, sql]) =>
        source.db.query<Row>(sql(source)).then(
          ({ rows }) => void read.set(name, rows),
          () => void (failed = true),
        ),
      ),
    );
    if (failed) readModelQueryErrors.inc();
    return read;
  })().finally(() => (reading = undefined));
  return reading;
}

/** A gauge counted by one query, grouped by its labels; its rows replace the last scrape's. */
function figure<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  sql: (source: Source) => string,
) {
  queries.set(name, sql);
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      const rows = (await readFigures())?.get(name);
      if (!rows) return;
      this.reset();
      for (const { value, ...labels } of rows) this.set(labels as unknown as Record<L, string>, Number(value));
    },
  });
}

export const pathwaysOpen = figure(
  'homeward_pathways_open',
  'Open pathways by stage',
  ['stage'],
  () => `SELECT stage, count(*) AS value FROM pathways WHERE status = 'open' GROUP BY stage`,
);

export const pathwaysDelayedNow = figure(
  'homeward_pathways_delayed_now',
  'Patients in hospital delayed a day or more past their discharge ready date, by site (the managers’ "delayed now")',
  ['site'],
  () => `SELECT coalesce(site, 'none') AS site, count(*) AS value FROM pathways WHERE ${delayedNow.sql} GROUP BY 1`,
);

export const pathwaysStuck = figure(
  'homeward_pathways_stuck',
  'Open pathways with a missed referral deadline, an overdue review or no event for HOMEWARD_STUCK_FOR_DAYS, by site (the managers’ "stuck")',
  ['site'],
  // A number from the configuration, never from a request.
  ({ stuckForDays }) =>
    `SELECT coalesce(site, 'none') AS site, count(*) AS value FROM pathways WHERE ${stuck.sql(String(Math.trunc(stuckForDays)))} GROUP BY 1`,
);

/** Read at every scrape through the index migration 010 made of the escalations alone (its expressions and predicate are these). */
export const escalationsRaisedSql = `SELECT event->>'agency' AS agency, event->>'kind' AS kind, count(*) AS value FROM pathway_events WHERE type = 'referral.escalated' GROUP BY 1, 2`;

export const escalationsRaised = figure(
  'homeward_escalations_raised',
  'Referral escalations recorded in the read model, by agency and kind (a count that only grows: use increase())',
  ['agency', 'kind'],
  () => escalationsRaisedSql,
);

export const projectorLag = figure(
  'homeward_projector_lag_messages',
  'Events on a partition of homeward.pathway.events the read model has not applied, as of the projector’s last look at the broker (every 5 s)',
  ['partition'],
  () =>
    `SELECT partition::text AS partition, ${partitionLagSql} AS value FROM projector_offsets WHERE topic = '${topics.pathwayEvents}'`,
);

export const readModelQueryErrors = new Counter({
  name: 'homeward_read_model_scrape_errors_total',
  help: 'Scrapes whose read model figures could not be read (PostgreSQL down or slow): the gauges keep their last values',
  registers: [registry],
  // Waits for this scrape's reading, so that its failure counts in the same scrape.
  async collect() {
    await readFigures();
  },
});
