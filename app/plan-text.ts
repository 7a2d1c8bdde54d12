import type { PathwayState, Referral } from '../domain/state';
import type { Agency, Funding, Stage } from '../schemas/common';
import { MyPlan } from '../schemas/my-plan';
import { dayText, provider, serviceText } from '../schemas/plain-english';

/**
 * The plan in plain English, for the patient and their carer (NHS content style: short sentences,
 * no codes, the person as "you"). Built only from what the allow-list (schemas/my-plan.ts) names;
 * the result is parsed against it, so a field that is not on it cannot leave.
 */

const whereYouAre: Record<Stage, string> = {
  admitted: 'You are in hospital. The team will talk with you about going home.',
  assessment: 'You are in hospital. The team is working out with you what support you need at home.',
  arranging: 'You are in hospital. The support you need is being arranged.',
  ready_for_discharge: 'Your support is arranged. You are ready to leave hospital.',
  discharged: 'You have left hospital.',
  intermediate_care: 'You are home. A team is helping you get back on your feet for a few weeks.',
  readmission_watch: 'You are home. The team keeps an eye on how you are for 30 days after you left hospital.',
  handed_back: 'Your support after hospital has finished. Your GP and local services look after you now.',
  readmitted: 'You went back into hospital. A new plan is being made with you.',
  cancelled: 'This plan has been closed.',
};

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function serviceSentence(referral: Referral, from: string, today: string): string {
  const what = serviceText[referral.service];
  if (referral.startedOn) return `${capitalised(what)} from ${from} started on ${dayText(referral.startedOn, today)}.`;
  if (referral.notStartedOn)
    return `The first visit on ${dayText(referral.notStartedOn, today)} did not happen. The team is sorting this out with ${from}.`;
  switch (referral.status) {
    case 'ready':
      return referral.readyFrom
        ? `${capitalised(from)} will start ${what} from ${dayText(referral.readyFrom, today)}.`
        : `${capitalised(from)} is ready to start ${what}.`;
    case 'accepted':
      return `${capitalised(from)} has agreed to provide ${what}. They will tell us when they can start.`;
    case 'requested':
      return `We have asked ${from} for ${what}. We are waiting for them to reply.`;
    case 'declined':
      return `${capitalised(from)} cannot provide ${what}. The team is finding another way.`;
    case 'on_hold':
      return `${capitalised(what)} is paused while you are in hospital.`;
    case 'withdrawn':
      return `${capitalised(what)} is no longer part of your plan.`;
  }
}

function paymentSentence(referral: Referral, today: string): string | undefined {
  const funding: Funding | undefined = referral.funding;
  if (!funding) return undefined;
  const what = capitalised(serviceText[referral.service]);
  const from = funding.chargesFrom ? ` from ${dayText(funding.chargesFrom, today)}` : '';
  if (funding.charging === 'free') return `${what} is free.`;
  if (funding.charging === 'full_cost') return `You pay the full cost of ${serviceText[referral.service]}${from}.`;
  const assessed =
    funding.financialAssessment === 'complete'
      ? 'Your financial assessment says how much.'
      : 'A financial assessment will work out how much.';
  return `You may need to pay towards ${serviceText[referral.service]}${from}. ${assessed}`;
}

const isShown = (referral: Referral) => referral.status !== 'withdrawn' && referral.service !== 'welfare-check';

/**
 * The patient's (or their carer's) plan from the pathway's state. `today` dates the sentences; a
 * carer does not see who else may read the plan, nor can they withdraw the patient's consents (a
 * carer cannot consent for an adult).
 */
export function planFor(state: PathwayState, viewer: 'patient' | 'carer', today: string): MyPlan {
  const la = state.localAuthority;
  const referrals = state.referrals.filter(isShown);
  const lead = state.intermediateCare?.lead ?? state.lead;
  const welfare = state.referrals.find((r) => r.service === 'welfare-check' && r.status !== 'withdrawn');
  const episode = state.intermediateCare && !state.intermediateCare.ended ? state.intermediateCare : undefined;
  const stage = state.stage === 'none' ? 'admitted' : state.stage;
  return MyPlan.parse({
    viewer,
    name: state.patient?.name ?? 'You',
    whereYouAre: whereYouAre[stage],
    ...(state.drd
      ? {
          dischargeReady: {
            date: state.drd,
            text: `You have been ready to leave hospital since ${dayText(state.drd, today)}.`,
          },
        }
      : {}),
    ...(state.edd && !state.discharge
      ? {
          expectedDischarge: {
            date: state.edd,
            text: `You are expected to leave hospital on ${dayText(state.edd, today)}.`,
          },
        }
      : {}),
    ...(state.discharge
      ? {
          discharged: {
            date: state.discharge.date,
            text: `You left hospital on ${dayText(state.discharge.date, today)}.`,
          },
        }
      : {}),
    services: referrals.map((referral) => {
      const from = provider(referral.agency, la);
      const contact =
        referral.agency === 'intermediate-care' && state.intermediateCare?.lead
          ? leadSentence(state.intermediateCare.lead)
          : undefined;
      return {
        service: capitalised(serviceText[referral.service]),
        provider: capitalised(from),
        text: serviceSentence(referral, from, today),
        ...((referral.startedOn ?? referral.readyFrom) ? { startsOn: referral.startedOn ?? referral.readyFrom } : {}),
        ...(contact ? { contact } : {}),
      };
    }),
    ...(welfare
      ? {
          welfareCheck: welfare.startedOn
            ? `Someone checked on you at home on ${dayText(welfare.startedOn, today)}.`
            : 'Someone will contact you on the day you get home, to check you are OK.',
        }
      : {}),
    consents: (Object.entries(state.consents) as [Agency, boolean][]).map(([agency, given]) => ({
      agency,
      given,
      text: given
        ? `You agreed that we can share your details with ${provider(agency, la)}.`
        : `You have not agreed to share your details with ${provider(agency, la)}.`,
      canWithdraw: viewer === 'patient' && given,
    })),
    payments: referrals
      .map((referral) => paymentSentence(referral, today))
      .filter((text): text is string => text !== undefined),
    contact: lead ? leadSentence(lead) : 'If you have a question about your plan, ask the ward staff.',
    ...(lead?.phone ? { phone: lead.phone } : {}),
    ...(episode
      ? {
          nextReview: {
            date: episode.nextReviewDue,
            text: `Your next review is due by ${dayText(episode.nextReviewDue, today)}.`,
          },
        }
      : {}),
    ifReadmitted:
      state.watch && !state.watch.expired
        ? `If you go back into hospital before ${dayText(state.watch.until, today)}, tell the staff about this plan. Your support can be paused and picked up again.`
        : 'If you go back into hospital, tell the staff about this plan. Your support can be paused and picked up again.',
    ...(viewer === 'patient'
      ? {
          carers: (state.carerAccess ?? [])
            .filter((access) => !access.revokedAt)
            .map((access) => ({ accessId: access.accessId, text: `Your ${access.relationship} can see this plan.` })),
        }
      : {}),
  });
}

function leadSentence(lead: { role: string; team: string; phone?: string }): string {
  return `Your main contact is the ${lead.role.replace(/_/g, ' ')} at ${lead.team}${lead.phone ? `, on ${lead.phone}` : ''}.`;
}
