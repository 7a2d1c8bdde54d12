import type { PathwayEvent } from '../schemas/events';
import { missingConsent } from './commands/shared';
import { evolve } from './evolve';
import { intermediateCareFollowOn, intermediateCareOver } from './intermediate-care';
import type { Policy } from './policy';
import {
  beforeDischarge,
  criteriaToResideAgain,
  holdsDischarge,
  isClosed,
  isLive,
  patientAtTheCentre,
  reliesOnUnableCarer,
  residesAgain,
  uncoveredNeeds,
  wishesUnsettled,
  type PathwayState,
} from './state';

/** Follow-on events the state now implies, one after another: ready for discharge; intermediate care starting or ending; handback once everything is over. */
export function settle(state: PathwayState, policy: Policy, at: string): PathwayEvent[] {
  const events: PathwayEvent[] = [];
  for (let next = followOn(state, policy, at); next; next = followOn(state, policy, at)) {
    events.push(next);
    state = evolve(state, next);
  }
  return events;
}

function followOn(state: PathwayState, policy: Policy, at: string): PathwayEvent | undefined {
  if (isClosed(state)) return undefined;
  if (state.stage === 'arranging' && state.assessment && beforeDischarge(state)) {
    const live = state.referrals.filter((r) => isLive(r) && holdsDischarge(r));
    const allReady = live.every((r) => r.status === 'ready');
    const stillResides = criteriaToResideAgain(state) && residesAgain(state) !== undefined;
    if (
      allReady &&
      !stillResides &&
      !reliesOnUnableCarer(state) &&
      !wishesUnsettled(state) &&
      uncoveredNeeds(state).length === 0 &&
      missingConsent(state).length === 0
    ) {
      return { type: 'pathway.ready_for_discharge', at };
    }
  }
  const intermediateCare = intermediateCareFollowOn(state, policy, at);
  if (intermediateCare) return intermediateCare;
  if (state.watch?.expired && intermediateCareOver(state, policy)) {
    const handedOver = !patientAtTheCentre(state)
      ? state.handover !== undefined
      : state.referrals.some((r) => r.purpose === 'handover' && r.status === 'ready');
    const outcome = handedOver ? 'long_term_services' : state.assessment?.pathway === 'P3' ? 'care_home' : 'home';
    return { type: 'pathway.handed_back', at, outcome };
  }
  return undefined;
}
