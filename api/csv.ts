import { stringify } from 'csv-stringify/sync';
import { delayBands } from '../domain';
import { DelayReasonCode, DischargePathwayCode } from '../schemas/common';
import type { Tally } from '../readmodel/delay-report';
import type { SitrepCounts } from '../readmodel/sitrep';
import { labelOf } from '../schemas/labels';

/**
 * RFC 4180 (fields with a comma, quote or line break quoted, quotes doubled; CRLF line ends), and no
 * cell a spreadsheet would run: a text cell starting with =, +, -, @, tab or CR (a site `-SUM(2)`)
 * gets a leading `'`, so it opens as text. Numbers keep their sign. `quote_record_delimiter`: with
 * CRLF chosen, csv-stringify would otherwise quote a field only for a whole CRLF, not a lone LF or CR.
 */
const toCsv = (header: string[], rows: (string | number)[][]) =>
  stringify([header, ...rows], { record_delimiter: 'windows', quote_record_delimiter: true, escape_formulas: true });

/**
 * The delay report as CSV: one line per tally, the totals first, then each dimension's keys in the
 * report's order (bands natural); each code with its label beside it (schemas/labels.ts).
 */
export function delayReportCsv(report: { totals: Tally } & Record<`by${string}`, Record<string, Tally>>): string {
  const rows: (string | number)[][] = [
    ['totals', 'all', 'All stays', report.totals.pathways, report.totals.delayed, report.totals.bedDaysLost],
  ];
  for (const [name, tallies] of Object.entries(report).filter(([key]) => /^by[A-Z]/.test(key))) {
    const dimension = name.slice(2, 3).toLowerCase() + name.slice(3);
    for (const [key, tally] of Object.entries(tallies as Record<string, Tally>)) {
      rows.push([dimension, key, labelOf(dimension, key), tally.pathways, tally.delayed, tally.bedDaysLost]);
    }
  }
  return toCsv(['dimension', 'key', 'label', 'pathways', 'delayed', 'bedDaysLost'], rows);
}

const pathways = [...DischargePathwayCode.options, 'none'];

/** A SitRep-style return: one line per site, a column for every band, reason code and pathway (zeros included). */
export function sitrepCsv(date: string, sites: SitrepCounts[]): string {
  const header = [
    'date',
    'site',
    'patients_with_drd',
    'delayed',
    'bed_days_lost',
    ...delayBands.map((b) => `delay_${b.replace('+', '_plus').replace('-', '_')}_days`),
    ...DelayReasonCode.options.map((code) => `reason_${code}`),
    ...pathways.map((p) => `pathway_${p}`),
  ];
  const rows = sites.map((s) => [
    date,
    s.site,
    s.patientsWithDrd,
    s.delayed,
    s.bedDaysLost,
    ...delayBands.map((b) => s.byBand[b] ?? 0),
    ...DelayReasonCode.options.map((code) => s.byReason[code] ?? 0),
    ...pathways.map((p) => s.byPathway[p] ?? 0),
  ]);
  return toCsv(header, rows);
}
