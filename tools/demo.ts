import { developmentToken } from '../cli/credentials';
import { demoNhsNumber, everyAgency } from './fixtures';

/**
 * `npm run demo`: a realistic mix of stays through the public API of a running `npm start`, so a
 * newcomer sees a living dashboard: P0–P3, several delayed for various reasons (agencies that have
 * not answered, a declined bed, transport, family), an earlier DRD episode, some closed, a
 * readmission. The discharge team and each agency act with their own development tokens, as
 * they would. Run it again and existing stays are left as they are.
 */
const api = (process.env.HOMEWARD_API_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const tokens = new Map<string, Promise<string>>();
const tokenFor = (role: string) =>
  tokens.get(role) ?? tokens.set(role, developmentToken({ role, sites: [], subject: `demo:${role}` })).get(role)!;

async function call(
  role: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await tokenFor(role)}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  }).catch(() => {
    throw new Error(
      `Cannot reach the Homeward API at ${api}: start it with \`npm start\` first (or set HOMEWARD_API_URL)`,
    );
  });
  const payload = (await response.json()) as Record<string, unknown>;
  if (response.status >= 400)
    throw new Error(`${method} ${path} as ${role}: ${response.status} ${String(payload.message)}`);
  return { status: response.status, body: payload };
}

const day = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * day).toISOString().slice(0, 10);
const team = [{ role: 'nurse' }, { role: 'occupational_therapist' }, { role: 'care_manager' }, { role: 'patient' }];
const sites = [
  { site: 'LEEDS-GEN', localAuthority: 'Leeds' },
  { site: 'ST-JAMES', localAuthority: 'Leeds' },
  { site: 'PINDERFIELDS', localAuthority: 'Wakefield' },
];

type Step = (id: string) => Promise<unknown>;
const command =
  (name: string, body: unknown, role = 'discharge-team'): Step =>
  (id) =>
    call(role, 'POST', `/pathways/${id}/${name}`, body);
const drd = (n: number) => command('discharge-ready', { date: daysAgo(n) });
const assess = (pathway: string, needs: string[]) =>
  command('assessment', { participants: team, agreement: { patient: 'agrees' }, pathway, needs });
/** An agency answers its own referral for a service, as its system would. */
const answer =
  (service: string, response: 'accepted' | 'declined' | 'ready', reason?: string): Step =>
  async (id) => {
    const view = (await call('discharge-team', 'GET', `/pathways/${id}`)).body as {
      state: { referrals: { referralId: string; service: string; agency: string; status: string }[] };
    };
    const referral = view.state.referrals.filter((r) => r.service === service).at(-1)!;
    const body = {
      referralId: referral.referralId,
      agency: referral.agency,
      response,
      ...(reason ? { reason } : {}),
      ...(response === 'ready' ? { readyFrom: daysAgo(0) } : {}),
    };
    return call(`agency:${referral.agency}`, 'POST', `/pathways/${id}/referral-response`, body);
  };
const reason = (code: string, agency: string) => command('delay-reason', { code, agency });
const discharge = (destination = 'usual-residence') => command('discharge', { date: daysAgo(0), destination });

/** Each stay: admitted some days ago at a site, then what happened to it. */
const stays: { admittedDaysAgo: number; at: number; region?: string; housing?: string; steps: Step[] }[] = [
  { admittedDaysAgo: 3, at: 0, steps: [] },
  { admittedDaysAgo: 6, at: 0, steps: [drd(1)] },
  { admittedDaysAgo: 9, at: 1, steps: [drd(2), assess('P0', []), discharge()] },
  { admittedDaysAgo: 12, at: 2, steps: [drd(3), assess('P0', []), reason('awaiting_transport', 'acute-trust')] },
  {
    admittedDaysAgo: 14,
    at: 0,
    steps: [drd(6), assess('P1', ['reablement', 'equipment']), answer('equipment', 'accepted')],
  },
  {
    admittedDaysAgo: 16,
    at: 1,
    steps: [drd(9), assess('P1', ['domiciliary-care']), reason('awaiting_medicines_tto', 'acute-trust')],
  },
  { admittedDaysAgo: 11, at: 2, steps: [drd(4), assess('P1', ['reablement']), answer('reablement', 'accepted')] },
  {
    admittedDaysAgo: 20,
    at: 0,
    steps: [drd(15), assess('P2', ['step-down-bed']), answer('step-down-bed', 'declined', 'no bed this week')],
  },
  {
    admittedDaysAgo: 25,
    at: 1,
    steps: [
      drd(22),
      assess('P3', ['care-home-placement']),
      answer('care-home-placement', 'accepted'),
      reason('family_not_in_agreement', 'acute-trust'),
    ],
  },
  {
    admittedDaysAgo: 10,
    at: 2,
    housing: 'homeless',
    steps: [drd(5), assess('P1', ['reablement']), answer('reablement', 'accepted'), answer('reablement', 'ready')],
  },
  // The criteria to reside met again today ends the first episode today: the new DRD can be no earlier.
  { admittedDaysAgo: 13, at: 0, steps: [drd(10), command('criteria-to-reside-met', {}), drd(0)] },
  // DEMO-12, whose patient's own plan is docs/my-plan.png (fixtures' demoPlanPatient): home with support, a team to call.
  {
    admittedDaysAgo: 8,
    at: 1,
    steps: [
      drd(3),
      assess('P1', ['reablement', 'equipment']),
      command('lead-professional', {
        scope: 'pathway',
        role: 'social_worker',
        team: 'Leeds discharge hub',
        phone: '0113 496 0142',
      }),
      answer('reablement', 'accepted'),
      answer('equipment', 'ready'),
      answer('reablement', 'ready'),
      discharge(),
    ],
  },
  { admittedDaysAgo: 7, at: 2, steps: [drd(2), command('cancel', { reason: 'died' })] },
  { admittedDaysAgo: 9, at: 0, region: 'scotland', steps: [drd(6)] },
  {
    admittedDaysAgo: 18,
    at: 1,
    steps: [
      drd(12),
      assess('P1', ['therapy', 'minor-adaptations']),
      answer('therapy', 'accepted'),
      reason('awaiting_equipment_adaptations', 'equipment'),
    ],
  },
  {
    admittedDaysAgo: 12,
    at: 0,
    steps: [
      drd(4),
      assess('P0', []),
      discharge(),
      command('readmission', { newAdmissionId: 'DEMO-16-R', admittedOn: daysAgo(0) }),
    ],
  },
];

async function main(): Promise<number> {
  let started = 0;
  for (const [i, stay] of stays.entries()) {
    const admissionId = `DEMO-${i + 1}`;
    const place = sites[stay.at];
    const body = {
      admissionId,
      patient: {
        nhsNumber: demoNhsNumber(i),
        name: `Demo Patient ${i + 1}`,
        dateOfBirth: `19${40 + (i % 20)}-0${1 + (i % 9)}-1${i % 10}`,
        address: { line1: `${i + 1} Demo Street`, town: place.localAuthority, postcode: 'LS1 4AP' },
        housingStatus: stay.housing ?? 'settled',
      },
      ...place,
      region: stay.region ?? 'england',
      admittedAt: new Date(Date.now() - stay.admittedDaysAgo * day).toISOString(),
      consents: everyAgency,
    };
    const result = await call('discharge-team', 'POST', '/pathways', body);
    if (result.status === 200) continue; // already there from an earlier run
    started += 1;
    for (const step of stay.steps) await step(String(result.body.pathwayId));
  }
  console.error(
    `Demo: ${started} stays started (${stays.length - started} already there). Open ${api}/dashboard (managers) or ${api}/board (the discharge team) and sign in.`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
