/** Plain-text views for a person at a terminal; `--json` gives the raw API answer instead. */

import { shortType } from '../schemas/cloudevent';
import { labelOf } from '../schemas/labels';

interface Referral {
  referralId: string;
  service: string;
  agency: string;
  status: string;
  acceptBy?: string;
  readyBy?: string;
  readyFrom?: string;
  overdueSince?: string;
  purpose?: string;
  funding?: { payer: string; charging: string; chargesFrom?: string };
}

interface View {
  pathwayId: string;
  stage: string;
  delay?: {
    drd?: string;
    daysDelayed?: number;
    delayedNow?: boolean;
    band?: string;
    bedDaysLost?: number;
    reasons?: { code: string; agency?: string; waitingOn?: string; derived?: boolean }[];
  };
  awaitingAgencies?: string[];
  state?: {
    site?: string;
    localAuthority?: string;
    admittedAt?: string;
    edd?: string;
    consents?: Record<string, boolean>;
    assessment?: { pathway: string; needs: string[] };
    referrals?: Referral[];
    discharge?: { date: string; destination: string };
    intermediateCare?: {
      startDate: string;
      endBy: string;
      nextReviewDue: string;
      reviews: number;
      awaitingHandover?: { reason: string; since: string; services: string[] };
      ended?: { at: string; reason: string };
    };
    watch?: { from: string; until: string; expired: boolean };
    outcome?: { stage: string; detail?: string };
    readmission?: { linkedPathwayId: string };
    previousPathwayId?: string;
  };
  timeline?: {
    sequence: number;
    event: { type: string; at: string };
    actor?: { subject: string; role: string; agency?: string };
  }[];
}

const day = (timestamp: string | undefined) => (timestamp ? timestamp.slice(0, 16).replace('T', ' ') : '-');

/** A discharged pathway's delay is history, never "delayed" now (older servers do not say: delayed). */
const delayed = (days: number, delayedNow: boolean | undefined) =>
  delayedNow === false && days > 0 ? 'was delayed' : 'delayed';

/** Whom a reason waits on: the patient or family are nobody's agency. */
const waitingOn = (r: { agency?: string; waitingOn?: string }) =>
  r.waitingOn && r.waitingOn !== 'agency'
    ? ` (waiting on the ${r.waitingOn}${r.agency ? `; for ${r.agency}` : ''})`
    : r.agency
      ? ` (${r.agency})`
      : '';

/** Everything a co-ordinator needs from a pathway, laid out; `--json` has the same and more. */
export function printPathway(view: View): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const state = view.state ?? {};
  out(`${view.pathwayId}  stage: ${view.stage}${state.assessment ? `  pathway ${state.assessment.pathway}` : ''}`);
  out(
    `  site ${state.site ?? '-'}, ${state.localAuthority ?? '-'}; admitted ${day(state.admittedAt)}${state.edd ? `; expected discharge ${state.edd}` : ''}`,
  );
  const delay = view.delay;
  if (delay?.drd) {
    out(
      `  discharge ready date ${delay.drd}: ${delay.daysDelayed} day(s) ${delayed(delay.daysDelayed ?? 0, delay.delayedNow)} (band ${delay.band}), bed-days lost ${delay.bedDaysLost}`,
    );
  }
  if (delay?.reasons?.length) {
    out('  delay reasons:');
    for (const r of delay.reasons) out(`    ${r.code}${waitingOn(r)}${r.derived ? ' [derived]' : ''}`);
  }
  const consents = Object.entries(state.consents ?? {});
  if (consents.length)
    out(`  consent to share: ${consents.map(([agency, given]) => `${agency} ${given ? 'yes' : 'NO'}`).join(', ')}`);
  if (view.awaitingAgencies?.length) out(`  awaiting: ${view.awaitingAgencies.join(', ')}`);
  if (state.referrals?.length) {
    out('  referrals:');
    for (const r of state.referrals) {
      const due =
        r.status === 'requested'
          ? `accept by ${day(r.acceptBy)}`
          : r.status === 'accepted'
            ? `ready by ${day(r.readyBy)}`
            : r.readyFrom
              ? `from ${r.readyFrom}`
              : '';
      const handover = r.purpose === 'handover' ? ' (handover)' : '';
      const funding = r.funding
        ? `; ${r.funding.payer}, ${r.funding.charging.replace('_', '-')}${r.funding.chargesFrom ? ` from ${r.funding.chargesFrom}` : ''}`
        : '';
      out(
        `    ${r.referralId.padEnd(7)} ${r.service} → ${r.agency}: ${r.status}${handover}${due ? `, ${due}` : ''}${r.overdueSince ? `  OVERDUE since ${day(r.overdueSince)}` : ''}${funding}`,
      );
    }
  }
  if (state.discharge) out(`  discharged ${state.discharge.date} to ${state.discharge.destination}`);
  const ic = state.intermediateCare;
  if (ic) {
    out(
      `  intermediate care from ${ic.startDate}, ends by ${ic.endBy}; ${ic.reviews} review(s)${ic.ended ? `; ended ${day(ic.ended.at)} (${ic.ended.reason})` : `; next review due ${ic.nextReviewDue}`}`,
    );
    const handover = ic.ended ? undefined : ic.awaitingHandover;
    if (handover)
      out(`  awaiting handover (${handover.reason}) of ${handover.services.join(', ')} since ${day(handover.since)}`);
  }
  if (state.watch)
    out(
      `  30-day readmission watch ${state.watch.from} to ${state.watch.until}${state.watch.expired ? ' (over)' : ''}`,
    );
  if (state.readmission) out(`  readmitted: new stay ${state.readmission.linkedPathwayId}`);
  if (state.previousPathwayId) out(`  readmission of ${state.previousPathwayId}`);
  if (state.outcome)
    out(`  outcome: ${state.outcome.stage}${state.outcome.detail ? ` (${state.outcome.detail})` : ''}`);
  if (view.timeline?.length) {
    out('  timeline:');
    for (const entry of view.timeline) {
      const who = entry.actor
        ? `  by ${entry.actor.agency ?? entry.actor.role}${entry.actor.role === 'system' ? ` (${entry.actor.subject})` : ''}`
        : '';
      out(`    #${String(entry.sequence).padEnd(3)} ${day(entry.event.at)}  ${entry.event.type}${who}`);
    }
  }
}

/** What an agency sees of a pathway: the events its topic carries. */
export function printAgencyView(view: {
  pathwayId: string;
  agency: string;
  events: { sequence: number; type: string; time: string; data: Record<string, unknown> }[];
}): void {
  process.stdout.write(`${view.pathwayId}  as ${view.agency} sees it (the events on its topic):\n`);
  for (const e of view.events)
    process.stdout.write(
      `  #${String(e.sequence).padEnd(3)} ${day(e.time)}  ${shortType(e.type)}  ${JSON.stringify(e.data)}\n`,
    );
}

interface Summary {
  pathwayId: string;
  stage?: string;
  pathway?: string;
  site?: string;
  daysDelayed: number;
  /** Null while the stay has no discharge ready date that has come. */
  delayBand: string | null;
  dischargeDate?: string | null;
  delayedNow?: boolean;
  awaitingAgencies: string[];
  delayReasons: string[];
  stuckReason?: { code: string; since: string } | null;
}

interface AgencySummary {
  pathwayId: string;
  stage: string;
  pathway: string | null;
  site: string | null;
  dischargeReadyDate: string | null;
  dischargeDate: string | null;
  awaitingYourResponse: boolean;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  for (const row of [header, ...rows])
    process.stdout.write(
      `${row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd()}\n`,
    );
}

/** An agency's list has no delays or reasons: only its pathways, and whether its reply is awaited. */
function printAgencyList(pathways: AgencySummary[]): void {
  const rows = pathways.map((p) => [
    p.pathwayId,
    `${p.stage}${p.pathway ? ` ${p.pathway}` : ''}`,
    p.site ?? '-',
    p.dischargeReadyDate ?? '-',
    p.dischargeDate ?? '-',
    p.awaitingYourResponse ? 'yes' : '-',
  ]);
  printTable(['PATHWAY', 'STAGE', 'SITE', 'READY DATE', 'DISCHARGED', 'AWAITING YOU'], rows);
}

/** Why a stay is stuck, in words, and since when; blank when it is not. */
const stuckText = (reason: Summary['stuckReason']) => {
  if (!reason) return '';
  const why =
    { referral_overdue: 'referral overdue', review_overdue: 'review overdue', no_event: 'no event' }[reason.code] ??
    reason.code;
  return `${why} since ${day(reason.since)}`;
};

/** Days delayed and band; blank without a discharge ready date, and "was" once the delay is history (discharged or closed). */
const delayText = (p: Summary) =>
  p.delayBand === null
    ? ''
    : `${p.delayedNow === false && p.daysDelayed > 0 ? 'was ' : ''}${p.daysDelayed}d (${p.delayBand})`;

export function printList(result: { pathways: Summary[] | AgencySummary[] }): void {
  if (result.pathways.length === 0) {
    process.stdout.write('No pathways match.\n');
    return;
  }
  if ('awaitingYourResponse' in result.pathways[0]) return printAgencyList(result.pathways as AgencySummary[]);
  const rows = (result.pathways as Summary[]).map((p) => [
    p.pathwayId,
    `${p.stage ?? '?'}${p.pathway ? ` ${p.pathway}` : ''}`,
    p.site ?? '-',
    delayText(p),
    p.awaitingAgencies.join(',') || '-',
    p.delayReasons.join(',') || '-',
    stuckText(p.stuckReason),
  ]);
  printTable(['PATHWAY', 'STAGE', 'SITE', 'DELAYED', 'AWAITING', 'REASONS', 'STUCK'], rows);
}

interface Tally {
  pathways: number;
  delayed: number;
  bedDaysLost: number;
}

/** A table whose first column is text, then numbers right-aligned, then (when `labelled`) the key's label. */
function printFigures(header: string[], rows: (string | number)[][], labelled = false): void {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const text = (i: number) => i === 0 || (labelled && i === header.length - 1);
  for (const row of cells)
    process.stdout.write(
      `${row
        .map((cell, i) => (text(i) ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
        .join('  ')
        .trimEnd()}\n`,
    );
}

export interface DelayReportView {
  asOf: string;
  totals: Tally;
  byBand: Record<string, Tally>;
  byReason: Record<string, Tally>;
  byAgency: Record<string, Tally>;
  bySite: Record<string, Tally>;
  byLocalAuthority: Record<string, Tally>;
  byPathway: Record<string, Tally>;
}

/** The delay report: the totals, then each dimension in the report's order (bands in their natural order), with its delayed now. */
export function printReport(report: DelayReportView): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const { totals } = report;
  out(
    `Delays as of ${report.asOf}: ${totals.delayed} of ${totals.pathways} stays with a discharge ready date delayed now, ${totals.bedDaysLost} bed-days lost`,
  );
  out(
    '  delayed now: in hospital a day or more after the DRD. band: days delayed now, or at discharge (0: a DRD, no day',
  );
  out(
    '  delayed yet; none: no DRD now). bed-days lost: every DRD episode of the stay, so band 0 or none may have some.',
  );
  for (const [title, dimension, tallies] of [
    ['BAND', 'band', report.byBand],
    ['REASON', 'reason', report.byReason],
    ['AGENCY', 'agency', report.byAgency],
    ['SITE', 'site', report.bySite],
    ['LOCAL AUTHORITY', 'localAuthority', report.byLocalAuthority],
    ['PATHWAY', 'pathway', report.byPathway],
  ] as const) {
    out();
    // Codes first (what filters and the API take), then what they mean (schemas/labels.ts), where they have a label.
    const labelled = Object.keys(tallies).some((key) => labelOf(dimension, key));
    const rows = Object.entries(tallies).map(([key, t]) => [
      key,
      t.pathways,
      t.delayed,
      t.bedDaysLost,
      ...(labelled ? [labelOf(dimension, key)] : []),
    ]);
    if (rows.length === 0) out(`${title}: none`);
    else printFigures([title, 'STAYS', 'DELAYED', 'BED-DAYS LOST', ...(labelled ? ['MEANING'] : [])], rows, labelled);
  }
}

export interface SitrepView {
  date: string;
  sites: {
    site: string;
    patientsWithDrd: number;
    delayed: number;
    bedDaysLost: number;
    byBand: Record<string, number>;
  }[];
}

/** A day's SitRep per site: the headline figures and the bands (in the API's order, the natural one); `--csv` has reasons and pathways too. */
export function printSitrep(sitrep: SitrepView): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(
    `SitRep for ${sitrep.date}: patients in hospital with a discharge ready date that day, by site (--csv: the whole return)`,
  );
  if (sitrep.sites.length === 0) {
    out('No patient had a discharge ready date that day.');
    return;
  }
  const bands = Object.keys(sitrep.sites[0].byBand);
  const line = (name: string, s: Omit<SitrepView['sites'][number], 'site'>) => [
    name,
    s.patientsWithDrd,
    s.delayed,
    s.bedDaysLost,
    ...bands.map((b) => s.byBand[b] ?? 0),
  ];
  const rows = sitrep.sites.map((s) => line(s.site, s));
  if (sitrep.sites.length > 1) {
    const sum = (pick: (s: SitrepView['sites'][number]) => number) =>
      sitrep.sites.reduce((total, s) => total + pick(s), 0);
    const byBand = Object.fromEntries(bands.map((b) => [b, sum((s) => s.byBand[b] ?? 0)]));
    rows.push(
      line('all sites', {
        patientsWithDrd: sum((s) => s.patientsWithDrd),
        delayed: sum((s) => s.delayed),
        bedDaysLost: sum((s) => s.bedDaysLost),
        byBand,
      }),
    );
  }
  printFigures(['SITE', 'WITH DRD', 'DELAYED', 'BED-DAYS LOST', ...bands.map((b) => `${b}d`)], rows);
}
