/** Plain-text views for a person at a terminal; `--json` gives the raw API answer instead. */

interface ReferralLine {
  service: string;
  agency: string;
  status: string;
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
    referrals?: Record<string, ReferralLine> | (ReferralLine & { referralId: string })[];
    intermediateCare?: { startDate: string; endBy: string; awaitingHandover?: { reason: string; since: string; services: string[] }; ended?: { reason: string } };
  };
  timeline?: { sequence: number; event: { type: string; at: string } }[];
}

export function printPathway(view: View): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`${view.pathwayId}  stage: ${view.stage}`);
  const delay = view.delay;
  if (delay?.drd) {
    out(`  discharge ready date ${delay.drd}: ${delay.daysDelayed} day(s) ${delayed(delay.daysDelayed ?? 0, delay.delayedNow)} (band ${delay.band}), bed-days lost ${delay.bedDaysLost}`);
  }
  if (delay?.reasons?.length) {
    out('  delay reasons:');
    for (const r of delay.reasons) out(`    ${r.code}${waitingOn(r)}${r.derived ? ' [derived]' : ''}`);
  }
  if (view.awaitingAgencies?.length) out(`  awaiting: ${view.awaitingAgencies.join(', ')}`);
  const ic = view.state?.intermediateCare;
  if (ic && !ic.ended) {
    const handover = ic.awaitingHandover;
    out(`  intermediate care from ${ic.startDate} (until ${ic.endBy})${handover ? `: awaiting handover (${handover.reason}) of ${handover.services.join(', ')} since ${handover.since}` : ''}`);
  }
  const referrals = view.state?.referrals;
  const list = Array.isArray(referrals) ? referrals : Object.entries(referrals ?? {}).map(([referralId, r]) => ({ referralId, ...r }));
  if (list.length) {
    out('  referrals:');
    for (const r of list) {
      const handover = r.purpose === 'handover' ? ' (handover)' : '';
      const funding = r.funding ? `; ${r.funding.payer}, ${r.funding.charging.replace('_', '-')}${r.funding.chargesFrom ? ` from ${r.funding.chargesFrom}` : ''}` : '';
      out(`    ${r.referralId}  ${r.service} → ${r.agency}: ${r.status}${handover}${funding}`);
    }
  }
  if (view.timeline?.length) {
    out('  timeline:');
    for (const entry of view.timeline) out(`    #${entry.sequence}  ${entry.event.at}  ${entry.event.type}`);
  }
}

/** A discharged pathway's delay is history, never "delayed" now (older servers do not say: delayed). */
const delayed = (days: number, delayedNow: boolean | undefined) => (delayedNow === false && days > 0 ? 'was delayed' : 'delayed');

/** Whom a reason waits on: the patient or family are nobody's agency. */
const waitingOn = (r: { agency?: string; waitingOn?: string }) =>
  r.waitingOn && r.waitingOn !== 'agency' ? ` (waiting on the ${r.waitingOn}${r.agency ? `; for ${r.agency}` : ''})` : r.agency ? ` (${r.agency})` : '';

interface Summary {
  pathwayId: string;
  stage?: string;
  pathway?: string;
  site?: string;
  daysDelayed: number;
  delayedNow?: boolean;
  delayBand: string;
  awaitingAgencies: string[];
  delayReasons: string[];
  overdueSince?: string;
}

export function printList(result: { pathways: Summary[] }): void {
  if (result.pathways.length === 0) {
    process.stdout.write('No pathways match.\n');
    return;
  }
  for (const p of result.pathways) {
    process.stdout.write(
      `${p.pathwayId}  ${p.stage ?? '?'}${p.pathway ? ` ${p.pathway}` : ''}  site ${p.site ?? '-'}  ${delayed(p.daysDelayed, p.delayedNow)} ${p.daysDelayed}d (${p.delayBand})` +
        `${p.awaitingAgencies.length ? `  awaiting ${p.awaitingAgencies.join(',')}` : ''}` +
        `${p.delayReasons.length ? `  reasons ${p.delayReasons.join(',')}` : ''}` +
        `${p.overdueSince ? `  overdue since ${p.overdueSince}` : ''}\n`,
    );
  }
}

type Tally = Record<string, { pathways: number; bedDaysLost: number }>;

export function printReport(report: { asOf: string; totals: { pathways: number; delayed: number; bedDaysLost: number }; byBand: Tally; byReason: Tally; byAgency: Tally; bySite: Tally }): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`Delays as of ${report.asOf}: ${report.totals.delayed} of ${report.totals.pathways} pathways delayed, ${report.totals.bedDaysLost} bed-days lost`);
  for (const [title, tally] of [['band', report.byBand], ['reason', report.byReason], ['agency', report.byAgency], ['site', report.bySite]] as const) {
    out(`by ${title}:`);
    for (const [key, value] of Object.entries(tally)) out(`  ${key.padEnd(34)} ${String(value.pathways).padStart(5)} pathways  ${String(value.bedDaysLost).padStart(6)} bed-days`);
  }
}
