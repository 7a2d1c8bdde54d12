import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { overdueSince, type PathwayState } from '../domain';
import { searchAttributes as keys } from './search-attributes';

const asDate = (value: string | undefined | null) => (value ? new Date(value) : null);

/** Search attribute values for a state: codes, dates and agency names only, never personal data. */
export function searchAttributeUpdates(
  state: PathwayState,
  patientKey: string,
  delayReasons: string[],
  awaiting: string[],
): SearchAttributeUpdatePair[] {
  return [
    { key: keys.stage, value: state.stage },
    { key: keys.pathway, value: state.assessment?.pathway ?? null },
    { key: keys.site, value: state.site ?? null },
    { key: keys.localAuthority, value: state.localAuthority ?? null },
    { key: keys.dischargeReadyDate, value: asDate(state.drd) },
    { key: keys.awaitingAgencies, value: awaiting.length ? [...awaiting].sort() : null },
    { key: keys.delayReasons, value: delayReasons.length ? [...new Set(delayReasons)].sort() : null },
    { key: keys.overdueSince, value: asDate(overdueSince(state)) },
    { key: keys.patientKey, value: patientKey },
    { key: keys.dischargeDate, value: asDate(state.discharge?.date) },
  ] as SearchAttributeUpdatePair[];
}
