import type { Agency, Service } from './common';

/**
 * What the patient and carer read, in plain English (NHS content style: short sentences, no codes):
 * the one table the plan (app/plan-text.ts) and the notifications (schemas/notifications.ts) say
 * services, providers and days with.
 */

/** "Monday 24 November" (with the year when it is not this year's). */
export function dayText(date: string, today: string): string {
  const sameYear = date.slice(0, 4) === today.slice(0, 4);
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
    timeZone: 'UTC',
  }).format(new Date(`${date}T00:00:00Z`));
}

/** Each service as a person would say it, to go in the middle of a sentence. */
export const serviceText: Record<Service, string> = {
  'domiciliary-care': 'home care',
  reablement: 'reablement (help to get back to doing things for yourself)',
  'rehabilitation-at-home': 'rehabilitation at home',
  'district-nursing': 'visits from a district nurse',
  therapy: 'therapy',
  equipment: 'equipment for your home',
  'minor-adaptations': 'small changes to your home',
  'major-adaptations': 'changes to your home',
  housing: 'help with housing',
  'step-down-bed': 'a short stay in a community bed',
  'care-home-placement': 'a place in a care home',
  'home-from-hospital': 'help settling in at home',
  'chc-assessment': 'an assessment for NHS continuing healthcare',
  'welfare-check': 'a check that you are OK at home',
  'carers-assessment': "a carer's assessment",
};

/** Who provides it, for a person: the team, not the agency's code. */
export function provider(agency: Agency, localAuthority?: string): string {
  const names: Record<Agency, string> = {
    'acute-trust': 'the hospital',
    'social-care': localAuthority
      ? `adult social care at ${localAuthority} council`
      : 'adult social care at your council',
    'community-health': 'the community health team',
    'intermediate-care': localAuthority ? `the reablement team in ${localAuthority}` : 'the reablement team',
    equipment: 'the community equipment service',
    housing: localAuthority ? `the housing team at ${localAuthority} council` : 'the housing team at your council',
    gp: 'your GP practice',
    voluntary: 'a local charity',
    'care-home': 'the care home',
  };
  return names[agency];
}
