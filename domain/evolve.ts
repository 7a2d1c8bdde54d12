import { isIntermediateCare } from '../schemas/common';
import { dateOf } from './dates';
import type { PathwayEvent } from '../schemas/events';
import { criteriaToResideAgain, isLive, safeForThePatient, type PathwayState, type Referral } from './state';

const updateReferral = (state: PathwayState, referralId: string, change: (r: Referral) => Referral): PathwayState => ({
  ...state,
  referrals: state.referrals.map((r) => (r.referralId === referralId ? change(r) : r)),
});

const heldDecided = (state: PathwayState, referralId: string, decided: 'resumed' | 'released'): PathwayState => ({
  ...state,
  heldPackages: state.heldPackages?.map((held) => (held.referralId === referralId ? { ...held, decided } : held)),
});

/** Applies one recorded event. Pure and total: replaying the events rebuilds the state. */
export function evolve(state: PathwayState, event: PathwayEvent): PathwayState {
  switch (event.type) {
    case 'pathway.started':
      return {
        ...state,
        stage: 'admitted',
        pathwayId: event.pathwayId,
        admissionId: event.admissionId,
        patient: event.patient,
        site: event.site,
        localAuthority: event.localAuthority,
        region: event.region,
        ...(event.ward ? { ward: event.ward } : {}),
        admittedAt: event.admittedAt,
        edd: event.expectedDischargeDate,
        previousPathwayId: event.previousPathwayId,
        ...(event.heldPackages ? { heldPackages: event.heldPackages.map((held) => ({ ...held })) } : {}),
        consents: Object.fromEntries(event.consents.map((agency) => [agency, true])),
        rules: event.rules ?? 1,
      };
    case 'edd.set':
      return { ...state, edd: event.date };
    case 'discharge_ready.recorded':
      return {
        ...state,
        drd: event.date,
        drdEpisodes: [
          ...state.drdEpisodes,
          event.countsFrom ? { from: event.date, countsFrom: event.countsFrom } : { from: event.date },
        ],
        stage: state.stage === 'admitted' ? 'assessment' : state.stage,
      };
    case 'discharge_ready.cleared':
      return {
        ...state,
        drd: undefined,
        drdEpisodes: state.drdEpisodes.map((episode, i) =>
          i === state.drdEpisodes.length - 1
            ? { ...episode, clearedOn: event.clearedOn, delayDays: event.delayDays }
            : episode,
        ),
        stage:
          state.stage === 'assessment'
            ? 'admitted'
            : state.stage === 'ready_for_discharge' && criteriaToResideAgain(state)
              ? 'arranging'
              : state.stage,
      };
    case 'assessment.completed':
      return {
        ...state,
        stage: 'arranging',
        // Rules 4: the assessment judges capacity afresh for every decision.
        ...(safeForThePatient(state) ? { capacity: undefined } : {}),
        ...(event.carer ? { carer: event.carer } : {}),
        assessment: {
          pathway: event.pathway,
          needs: event.needs,
          completedAt: event.at,
          count: (state.assessment?.count ?? 0) + 1,
          ...(event.patientAbsent ? { patientAbsent: event.patientAbsent } : {}),
          ...(event.bestInterests ? { representative: event.bestInterests.representative } : {}),
          ...(event.agreement ? { agreement: event.agreement } : {}),
          ...(event.summary ? { summary: event.summary } : {}),
          ...(event.home ? { home: event.home } : {}),
          ...(event.chc?.decision === 'before_discharge' ? { chcBeforeDischarge: true } : {}),
        },
      };
    case 'carers_assessment.requested':
      return state;
    case 'housing_status.recorded':
      return { ...state, housingStatus: event.housingStatus };
    case 'capacity.assessed':
      return {
        ...state,
        capacity: { ...state.capacity, [event.decision]: event.lacksCapacity },
        ...(event.agreement && state.assessment
          ? {
              assessment: {
                ...state.assessment,
                agreement: { ...state.assessment.agreement, patient: event.agreement },
              },
            }
          : {}),
      };
    case 'carer.recorded':
      return { ...state, carer: event.carer };
    case 'consent.recorded': {
      // Consent withdrawn from an agency with a live referral blocks discharge again until it is given.
      const blocks = !event.given && state.referrals.some((r) => r.agency === event.agency && isLive(r));
      return {
        ...state,
        consents: { ...state.consents, [event.agency]: event.given },
        ...(event.givenBy ? { consentGivenBy: { ...state.consentGivenBy, [event.agency]: event.givenBy } } : {}),
        stage: blocks && state.stage === 'ready_for_discharge' ? 'arranging' : state.stage,
      };
    }
    case 'referral.requested':
      return {
        ...state,
        stage: state.stage === 'ready_for_discharge' ? 'arranging' : state.stage,
        referrals: [
          ...state.referrals,
          {
            referralId: event.referralId,
            service: event.service,
            agency: event.agency,
            status: 'requested',
            requestedAt: event.at,
            acceptBy: event.acceptBy,
            ...(event.purpose === 'handover' || event.purpose === 'follow-up' ? { purpose: event.purpose } : {}),
            ...(event.funding ? { funding: event.funding } : {}),
            escalated: { acceptance: 0, readiness: 0 },
          },
        ],
        ...(event.resumes
          ? { heldPackages: heldDecided(state, event.resumes.referralId, 'resumed').heldPackages }
          : {}),
      };
    case 'held_package.released':
      return heldDecided(state, event.referralId, 'released');
    case 'referral.accepted':
      return updateReferral(state, event.referralId, (r) => ({
        ...r,
        status: 'accepted',
        readyBy: event.readyBy,
        overdueSince: undefined,
      }));
    case 'referral.declined':
      return updateReferral(state, event.referralId, (r) => ({
        ...r,
        status: 'declined',
        declinedAt: event.at,
        overdueSince: undefined,
      }));
    case 'referral.ready':
      return updateReferral(state, event.referralId, (r) => ({
        ...r,
        status: 'ready',
        readyFrom: event.readyFrom,
        readySince: event.at,
        overdueSince: undefined,
      }));
    case 'referral.urgent':
      // A notice to the agency: the referral stays as it was, still in play (referralsInPlay).
      return state;
    case 'referral.withdrawn':
      return updateReferral(state, event.referralId, (r) => ({ ...r, status: 'withdrawn', overdueSince: undefined }));
    case 'referral.on_hold':
      return updateReferral(state, event.referralId, (r) => ({ ...r, status: 'on_hold', overdueSince: undefined }));
    case 'funding.recorded': {
      const { payer, charging, financialAssessment, chargesFrom } = event;
      return updateReferral(state, event.referralId, (r) => ({
        ...r,
        funding: { payer, charging, financialAssessment, ...(chargesFrom ? { chargesFrom } : {}) },
      }));
    }
    case 'referral.escalated':
      return updateReferral(state, event.referralId, (r) => ({
        ...r,
        escalated: { ...r.escalated, [event.kind]: event.level },
        overdueSince: r.overdueSince ?? event.overdueSince,
      }));
    case 'delay_reason.recorded':
      return {
        ...state,
        delayReasons: [
          ...state.delayReasons,
          { code: event.code, agency: event.agency, since: event.at, ...(event.note ? { note: event.note } : {}) },
        ],
      };
    case 'delay_reason.resolved':
      return {
        ...state,
        delayReasons: state.delayReasons.filter((r) => !(r.code === event.code && r.agency === event.agency)),
      };
    case 'pathway.ready_for_discharge':
      return { ...state, stage: 'ready_for_discharge' };
    case 'discharge.recorded':
      return {
        ...state,
        stage: 'discharged',
        discharge: {
          date: event.date,
          destination: event.destination,
          daysDelayed: event.daysDelayed,
          bedDaysLost: event.bedDaysLost,
          ...(event.selfDischarge ? { selfDischarge: true } : {}),
          recordedAt: event.at,
        },
      };
    case 'readmission_watch.started':
      return {
        ...state,
        watch: { from: event.from, until: event.until, expired: false },
        stage: state.stage === 'discharged' ? 'readmission_watch' : state.stage,
      };
    case 'intermediate_care.started':
      return {
        ...state,
        stage: 'intermediate_care',
        intermediateCare: {
          startDate: event.startDate,
          endBy: event.endBy,
          ...(event.services ? { services: event.services.filter(isIntermediateCare) } : {}),
          reviews: 0,
          nextReviewDue: event.firstReviewDue,
        },
      };
    case 'review.recorded':
      return state.intermediateCare
        ? {
            ...state,
            intermediateCare: {
              ...state.intermediateCare,
              reviews: event.reviewNumber,
              nextReviewDue: event.nextReviewDue,
              ...(event.remainingNeeds ? { remainingNeeds: event.remainingNeeds } : {}),
              latestReview: {
                reviewNumber: event.reviewNumber,
                on: dateOf(event.at),
                goals: event.goals,
                ...(event.needsNow ? { needsNow: event.needsNow } : {}),
              },
            },
          }
        : state;
    case 'intermediate_care.extended':
      // The handover under way, if any, stops: the episode goes on to its new end and hands over then.
      return state.intermediateCare
        ? { ...state, intermediateCare: { ...state.intermediateCare, endBy: event.until, awaitingHandover: undefined } }
        : state;
    case 'transition_plan.proposed':
      return state.intermediateCare
        ? { ...state, intermediateCare: { ...state.intermediateCare, remainingNeeds: event.remainingNeeds } }
        : state;
    case 'support.started':
      return updateReferral(state, event.referralId, (r) => ({
        ...r,
        startedOn: event.startedOn,
        notStartedOn: undefined,
      }));
    case 'support.not_started':
      return updateReferral(state, event.referralId, (r) => ({ ...r, notStartedOn: event.dueOn }));
    case 'support.first_visit_due':
      return updateReferral(state, event.referralId, (r) => ({ ...r, remindedOf: event.on }));
    case 'housing_outcome.recorded':
      return updateReferral(state, event.referralId, (r) => ({ ...r, housingOutcome: event.outcome }));
    case 'review.overdue':
      return state.intermediateCare
        ? {
            ...state,
            intermediateCare: {
              ...state.intermediateCare,
              overdueNotified: event.dueOn,
              ...(event.level ? { overdueLevel: event.level } : {}),
            },
          }
        : state;
    case 'intermediate_care.ended':
      return {
        ...state,
        stage: state.stage === 'intermediate_care' ? 'readmission_watch' : state.stage,
        intermediateCare: state.intermediateCare && {
          ...state.intermediateCare,
          ended: { at: event.at, reason: event.reason },
        },
      };
    case 'handover.long_term_services': {
      // Rules 2 start the handover while the episode is open; rules 1 sent it as a notice after the end.
      const ic = state.intermediateCare;
      const open = ic && !ic.ended;
      return {
        ...state,
        handover: { reason: event.reason, at: event.at },
        ...(open
          ? {
              intermediateCare: {
                ...ic,
                awaitingHandover: { reason: event.reason, since: event.at, services: event.services ?? [] },
              },
            }
          : {}),
      };
    }
    case 'lead_professional.assigned': {
      const lead = { role: event.role, team: event.team, ...(event.phone ? { phone: event.phone } : {}) };
      if (event.scope === 'pathway') return { ...state, lead };
      return state.intermediateCare ? { ...state, intermediateCare: { ...state.intermediateCare, lead } } : state;
    }
    case 'carer_access.granted': {
      const { accessId, carerKey, relationship, at } = event;
      return {
        ...state,
        carerAccess: [...(state.carerAccess ?? []), { accessId, carerKey, relationship, grantedAt: at }],
      };
    }
    case 'carer_access.revoked':
      return {
        ...state,
        carerAccess: state.carerAccess?.map((access) =>
          access.accessId === event.accessId ? { ...access, revokedAt: event.at } : access,
        ),
      };
    case 'accessible_information.recorded':
      return {
        ...state,
        accessibleInformation: { formats: event.formats, ...(event.language ? { language: event.language } : {}) },
      };
    case 'emergency_attendance.recorded':
      return {
        ...state,
        watch: state.watch && { ...state.watch, attendances: [...(state.watch.attendances ?? []), event.attendedOn] },
      };
    case 'readmission_watch.expired':
      return { ...state, watch: state.watch && { ...state.watch, expired: true } };
    case 'pathway.readmitted':
      return {
        ...state,
        stage: 'readmitted',
        readmission: { newAdmissionId: event.newAdmissionId, linkedPathwayId: event.linkedPathwayId },
        outcome: { stage: 'readmitted', at: event.at },
      };
    case 'pathway.handed_back':
      return { ...state, stage: 'handed_back', outcome: { stage: 'handed_back', at: event.at, detail: event.outcome } };
    case 'pathway.cancelled':
      return { ...state, stage: 'cancelled', outcome: { stage: 'cancelled', at: event.at, detail: event.reason } };
  }
}
