import { decide, evolve, initialState, resolvePolicy, type PathwayState } from '../../domain';
import type { RoutingContext } from '../../schemas/data-minimisation';
import type { Actor } from '../../schemas/actor';
import { commandSchemas, type CommandName, type PathwayCommand } from '../../schemas/commands';
import { admission } from '../fixtures';
import type { RecordedPathwayEvent } from '../../workflows/definitions';
import { routingContext } from '../../workflows/routing-context';

export interface PublishBatch {
  events: RecordedPathwayEvent[];
  /** The routing context right after each event, as the workflow hands it to the publishing activity. */
  contexts: RoutingContext[];
}

const actor: Actor = { subject: 'bench', role: 'discharge-team' };
const team = [{ role: 'nurse' }, { role: 'occupational_therapist' }, { role: 'care_manager' }, { role: 'patient' }];

/**
 * A real P1 pathway up to discharge, run through the pure core: one batch per command, as the
 * workflow publishes them. Referrals to three agencies give realistic fan-out to agency topics.
 */
export function samplePathwayBatches(): PublishBatch[] {
  const policy = resolvePolicy('england');
  const now = Date.now();
  const at = (step: number) => new Date(now + step * 3_600_000).toISOString();
  const today = new Date(now).toISOString().slice(0, 10);
  let state: PathwayState = initialState;
  let sequence = 0;
  const batches: PublishBatch[] = [];
  const apply = (command: PathwayCommand) => {
    const batch: PublishBatch = { events: [], contexts: [] };
    for (const event of decide(command, state, policy)) {
      state = evolve(state, event);
      batch.events.push({ sequence: ++sequence, event, actor });
      batch.contexts.push(routingContext(state));
    }
    batches.push(batch);
  };
  const run = (name: CommandName, payload: unknown) =>
    apply({ ...(commandSchemas[name].parse(payload) as object), type: name, at: at(batches.length) } as PathwayCommand);
  apply({ ...admission({ admissionId: 'bench' }), type: 'start', at: at(0) } as PathwayCommand);
  run('discharge-ready', { date: today });
  run('assessment', {
    participants: team,
    agreement: { patient: 'agrees' },
    pathway: 'P1',
    needs: ['reablement', 'equipment', 'district-nursing'],
  });
  for (const referral of state.referrals)
    run('referral-response', { referralId: referral.referralId, agency: referral.agency, response: 'accepted' });
  for (const referral of state.referrals)
    run('referral-response', {
      referralId: referral.referralId,
      agency: referral.agency,
      response: 'ready',
      readyFrom: today,
    });
  run('discharge', { date: today, destination: 'usual-residence' });
  return batches;
}
