/** Plain-text views for a person at a terminal; `--json` gives the raw API answer instead. */

interface View {
  pathwayId: string;
  stage: string;
  delay?: { drd?: string; daysDelayed?: number; band?: string; bedDaysLost?: number; reasons?: { code: string; agency?: string; derived?: boolean }[] };
  awaitingAgencies?: string[];
  state?: { referrals?: Record<string, { service: string; agency: string; status: string }> | { referralId: string; service: string; agency: string; status: string }[] };
  timeline?: { sequence: number; event: { type: string; at: string } }[];
}

export function printPathway(view: View): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`${view.pathwayId}  stage: ${view.stage}`);
  const delay = view.delay;
  if (delay?.drd) out(`  discharge ready date ${delay.drd}: ${delay.daysDelayed} day(s) delayed (band ${delay.band}), bed-days lost ${delay.bedDaysLost}`);
  if (delay?.reasons?.length) {
    out('  delay reasons:');
    for (const r of delay.reasons) out(`    ${r.code}${r.agency ? ` (${r.agency})` : ''}${r.derived ? ' [derived]' : ''}`);
  }
  if (view.awaitingAgencies?.length) out(`  awaiting: ${view.awaitingAgencies.join(', ')}`);
  const referrals = view.state?.referrals;
  const list = Array.isArray(referrals) ? referrals : Object.entries(referrals ?? {}).map(([referralId, r]) => ({ referralId, ...r }));
  if (list.length) {
    out('  referrals:');
    for (const r of list) out(`    ${r.referralId}  ${r.service} → ${r.agency}: ${r.status}`);
  }
  if (view.timeline?.length) {
    out('  timeline:');
    for (const entry of view.timeline) out(`    #${entry.sequence}  ${entry.event.at}  ${entry.event.type}`);
  }
}

interface Summary {
  pathwayId: string;
  stage?: string;
  pathway?: string;
  site?: string;
  daysDelayed: number;
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
      `${p.pathwayId}  ${p.stage ?? '?'}${p.pathway ? ` ${p.pathway}` : ''}  site ${p.site ?? '-'}  delayed ${p.daysDelayed}d (${p.delayBand})` +
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
