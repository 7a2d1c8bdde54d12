import { z } from 'zod';
import { NeedsNow, type AccessibleFormat } from './commands';
import {
  Agency,
  AssessmentSummary,
  Carer,
  Destination,
  DischargePathwayCode,
  Funding,
  Home,
  IsoDate,
  Patient,
  Service,
  serviceAgency,
} from './common';
import { eventSchemas, type EventType, type PathwayEvent } from './events';

/**
 * Data minimisation: the one table saying which agency receives which event, with which fields.
 * The acute trust (whose pathway it is) receives every event in full; every other agency gets
 * only events that concern it, as the view below. Patient identifiers go to an agency only with
 * the patient's consent for that agency, and only the identifiers that agency needs.
 */

/** Patient fields each agency needs to act on a referral. Housing never gets clinical data. */
export const patientFieldsFor: Record<Agency, readonly (keyof Patient)[]> = {
  'acute-trust': ['nhsNumber', 'name', 'dateOfBirth', 'address', 'housingStatus', 'gpPractice', 'phone'],
  'social-care': ['nhsNumber', 'name', 'dateOfBirth', 'address', 'phone'],
  'community-health': ['nhsNumber', 'name', 'dateOfBirth', 'address', 'phone'],
  'intermediate-care': ['nhsNumber', 'name', 'dateOfBirth', 'address', 'phone'],
  equipment: ['name', 'address', 'phone'],
  housing: ['name', 'address', 'housingStatus', 'phone'],
  gp: ['nhsNumber', 'name', 'dateOfBirth', 'gpPractice'],
  voluntary: ['name', 'address', 'phone'],
  'care-home': ['nhsNumber', 'name', 'dateOfBirth'],
};

/** The carer's details each agency needs (with the patient's consent for that agency): housing none. */
export const carerFieldsFor: Record<Agency, readonly (keyof Carer)[]> = {
  'acute-trust': ['name', 'relationship', 'phone', 'willingAndAble', 'carersAssessment'],
  'social-care': ['name', 'relationship', 'phone', 'willingAndAble', 'carersAssessment'],
  'community-health': ['name', 'relationship', 'phone', 'willingAndAble'],
  'intermediate-care': ['name', 'relationship', 'phone', 'willingAndAble'],
  equipment: ['name', 'phone'],
  // With the patient's consent for housing, like everything housing is told.
  housing: ['name', 'relationship', 'phone'],
  gp: ['name', 'relationship', 'willingAndAble'],
  voluntary: ['name', 'relationship', 'phone'],
  'care-home': ['name', 'relationship', 'phone'],
};

/** What an agency may be told of the joint assessment: its summary and the home (suitability, tenure). */
export const AssessmentPart = AssessmentSummary.extend({ home: Home.optional() });
export type AssessmentPart = z.infer<typeof AssessmentPart>;

/**
 * The parts of the assessment each agency needs with a referral. Clinical detail only to health
 * and care providers and the GP; housing gets what bears on the home, never clinical detail.
 */
export const summaryFieldsFor: Record<Agency, readonly (keyof AssessmentPart)[]> = {
  'acute-trust': ['functionalNeeds', 'risks', 'goals', 'communicationNeeds', 'clinical', 'home'],
  'social-care': ['functionalNeeds', 'risks', 'goals', 'communicationNeeds', 'home'],
  'community-health': ['functionalNeeds', 'risks', 'goals', 'communicationNeeds', 'clinical'],
  'intermediate-care': ['functionalNeeds', 'risks', 'goals', 'communicationNeeds', 'clinical', 'home'],
  equipment: ['functionalNeeds', 'risks', 'home'],
  housing: ['functionalNeeds', 'communicationNeeds', 'home'],
  gp: ['functionalNeeds', 'risks', 'goals', 'communicationNeeds', 'clinical'],
  voluntary: ['goals', 'communicationNeeds'],
  'care-home': ['functionalNeeds', 'risks', 'goals', 'communicationNeeds', 'clinical'],
};

/**
 * The latest picture of the person, which the handover to long-term services carries (issue 24): the
 * latest review's goals and needs now, the transition plan, who pays for each service taking over,
 * and whom to contact. Each agency sees the review's parts it may see of a summary, with consent.
 */
export const HandoverPicture = z.object({
  latestReview: z
    .object({
      reviewNumber: z.number().int().positive(),
      on: IsoDate,
      goals: z.array(z.string()).optional(),
      needsNow: NeedsNow.partial().optional(),
    })
    .optional(),
  transitionPlan: z.array(Service).optional(),
  funding: z.array(z.object({ referralId: z.string(), service: Service, agency: Agency, ...Funding.shape })).optional(),
  leadProfessional: z.object({ role: z.string(), team: z.string() }).optional(),
});
export type HandoverPicture = z.infer<typeof HandoverPicture>;

/** A service arranged for the person: what, who provides it (whom to contact), and from when. */
export const ArrangedService = z.object({ service: Service, provider: Agency, from: IsoDate.optional() });
export type ArrangedService = z.infer<typeof ArrangedService>;

/**
 * The GP's discharge summary (issue 24), as far as Homeward holds it: the stay's dates, where the
 * person went and on which pathway, each service arranged with its provider and start, and whom to
 * contact. No reason for admission or medicines: those are the clinical discharge letter's (the
 * trust's EPR), which Homeward does not hold. Identifiers, the GP's part of the assessment and the
 * carer come beside it as on every GP message, with consent (personFor).
 */
export const DischargeSummary = z.object({
  admittedOn: IsoDate.optional(),
  dischargedOn: IsoDate,
  destination: Destination,
  pathway: DischargePathwayCode.optional(),
  selfDischarge: z.boolean().optional(),
  services: z.array(ArrangedService),
  leadProfessional: z.object({ role: z.string(), team: z.string() }).optional(),
});
export type DischargeSummary = z.infer<typeof DischargeSummary>;

/**
 * The GP's task when a handover to long-term services names the practice: the person's care moves
 * from intermediate care to these services; the practice updates its record of who provides what
 * and whom to contact, and reviews the person if the picture (beside it) shows changed needs.
 */
export const GpTask = z.object({
  action: z.literal('update_care_record_after_handover'),
  services: z.array(ArrangedService),
  leadProfessional: z.object({ role: z.string(), team: z.string() }).optional(),
});
export type GpTask = z.infer<typeof GpTask>;

/** What the publishing activity knows about the pathway besides the event itself. */
export interface RoutingContext {
  patient: Patient;
  consents: Partial<Record<Agency, boolean>>;
  /** Agencies that have (or had) a referral on this pathway, by referral id. */
  referralAgencies: Record<string, Agency>;
  /** Services arranged, for the GP's discharge summary. */
  services: Service[];
  /** Each service ready, with its provider and start, for the GP's summary (absent in contexts from older workers). */
  arranged?: (ArrangedService & { purpose?: 'handover' | 'follow-up' })[];
  /** The day of admission (absent in contexts from older workers). */
  admittedOn?: string;
  /** The unpaid carer, when recorded. */
  carer?: Carer;
  /** The joint assessment's summary and home, when recorded (absent in contexts from older workers). */
  assessmentSummary?: AssessmentPart;
  /** The latest picture, in full, when intermediate care has one (absent in contexts from older workers). */
  picture?: HandoverPicture;
  /** How the patient needs information, when recorded: carried on their notifications (schemas/notifications.ts), never to an agency. */
  accessibleInformation?: { formats: z.infer<typeof AccessibleFormat>[]; language?: string };
}

export const MinimisedPatient = Patient.partial();

type View = { to: Agency[]; data: Record<string, unknown> };
const involved = (ctx: RoutingContext): Agency[] => [...new Set(Object.values(ctx.referralAgencies))];
const without = <T extends Record<string, unknown>>(event: T): Record<string, unknown> => {
  const { type: _type, at: _at, ...data } = event;
  return data;
};

/** Identifiers for one agency: none without consent, and only the fields it needs (none where the context has no patient: the read model's). */
export function patientFor(agency: Agency, ctx: RoutingContext): Partial<Patient> | undefined {
  if (!ctx.consents[agency] || !(ctx.patient as Patient | undefined)) return undefined;
  return Object.fromEntries(
    patientFieldsFor[agency].filter((f) => ctx.patient[f] !== undefined).map((f) => [f, ctx.patient[f]]),
  );
}

/** The part of the assessment's summary one agency needs: none without consent, and only its fields. */
export function summaryFor(agency: Agency, ctx: RoutingContext): Partial<AssessmentPart> | undefined {
  const summary = ctx.assessmentSummary;
  if (!ctx.consents[agency] || !summary) return undefined;
  const part = Object.fromEntries(
    summaryFieldsFor[agency].filter((f) => summary[f] !== undefined).map((f) => [f, summary[f]]),
  );
  return Object.keys(part).length > 0 ? part : undefined;
}

/**
 * The carer's details one agency needs, only its fields: with the patient's consent for that
 * agency, or, for the carer's own assessment they accepted, on the carer's.
 */
export function carerFor(agency: Agency, ctx: RoutingContext, carerAgreed = false): Partial<Carer> | undefined {
  const carer = ctx.carer;
  if (!(ctx.consents[agency] || carerAgreed) || !carer || carerFieldsFor[agency].length === 0) return undefined;
  return Object.fromEntries(carerFieldsFor[agency].filter((f) => carer[f] !== undefined).map((f) => [f, carer[f]]));
}

/**
 * The picture one agency gets with a handover: the review's parts it may see of a summary (with
 * consent), the plan, whom to contact, and the funding of its own services (the GP: of all).
 */
export function pictureFor(agency: Agency, ctx: RoutingContext): HandoverPicture | undefined {
  const picture = ctx.picture;
  if (!picture) return undefined;
  const { latestReview, funding, ...rest } = picture;
  const fields = ctx.consents[agency] ? summaryFieldsFor[agency] : [];
  const needsNow = Object.fromEntries(
    Object.entries(latestReview?.needsNow ?? {}).filter(([field]) => fields.includes(field as keyof AssessmentPart)),
  );
  const review = latestReview && {
    reviewNumber: latestReview.reviewNumber,
    on: latestReview.on,
    ...(fields.includes('goals') && latestReview.goals?.length ? { goals: latestReview.goals } : {}),
    ...(Object.keys(needsNow).length > 0 ? { needsNow } : {}),
  };
  const paid = funding?.filter((f) => agency === 'gp' || f.agency === agency);
  return { ...(review ? { latestReview: review } : {}), ...rest, ...(paid?.length ? { funding: paid } : {}) };
}

/** What an agency may know of the person: the minimised patient block, assessment summary and carer, with consent. */
const personFor = (agency: Agency, ctx: RoutingContext) => {
  const patient = patientFor(agency, ctx);
  const assessment = summaryFor(agency, ctx);
  const carer = carerFor(agency, ctx);
  return { ...(patient ? { patient } : {}), ...(assessment ? { assessment } : {}), ...(carer ? { carer } : {}) };
};

const provided = ({ service, provider, from }: ArrangedService): ArrangedService => ({
  service,
  provider,
  ...(from ? { from } : {}),
});

/** The GP's discharge summary of a discharge: the support arranged for it (not a later handover's), ready by the day. */
function dischargeSummary(
  event: Extract<PathwayEvent, { type: 'discharge.recorded' }>,
  ctx: RoutingContext,
): DischargeSummary {
  const lead = ctx.picture?.leadProfessional;
  return {
    ...(ctx.admittedOn ? { admittedOn: ctx.admittedOn } : {}),
    dischargedOn: event.date,
    destination: event.destination,
    ...(event.pathway ? { pathway: event.pathway } : {}),
    ...(event.selfDischarge ? { selfDischarge: true } : {}),
    services: (ctx.arranged ?? []).filter((r) => r.purpose !== 'handover').map(provided),
    ...(lead ? { leadProfessional: lead } : {}),
  };
}

/**
 * The GP's task on a handover naming the practice: the services taking over, each with the agency
 * the handover refers it to (its referral follows the handover in the same batch), and whom to contact.
 */
function gpTask(event: Extract<PathwayEvent, { type: 'handover.long_term_services' }>, ctx: RoutingContext): GpTask {
  const lead = ctx.picture?.leadProfessional;
  return {
    action: 'update_care_record_after_handover',
    services: (event.services ?? []).map((service) => ({ service, provider: serviceAgency[service] })),
    ...(lead ? { leadProfessional: lead } : {}),
  };
}

/** The agencies an event is sent to (besides the trust): who has heard of the pathway from it. Needs no personal data. */
export const recipientsOf = (event: PathwayEvent, ctx: RoutingContext): Agency[] => [
  ...new Set(agencyViews(event, ctx).flatMap((view) => view.to)),
];

/** For each agency other than the acute trust: the events it gets and the data it sees. */
export function agencyViews(event: PathwayEvent, ctx: RoutingContext): View[] {
  const data = without(event);
  switch (event.type) {
    case 'referral.requested': {
      // A carer's assessment is the carer's: their details go with their agreement to it.
      const carer = event.service === 'carers-assessment' ? carerFor(event.agency, ctx, true) : undefined;
      // A service taking over from intermediate care gets the latest picture, not only the admission's.
      const picture = event.purpose === 'handover' ? pictureFor(event.agency, ctx) : undefined;
      return [
        {
          to: [event.agency],
          data: {
            ...data,
            consentRequired: !ctx.consents[event.agency],
            ...personFor(event.agency, ctx),
            ...(carer ? { carer } : {}),
            ...(picture ? { picture } : {}),
          },
        },
      ];
    }
    case 'referral.escalated':
      // A decline nobody has acted on is the trust's to re-refer or re-plan, not the agency's.
      return event.kind === 'decline' ? [] : [{ to: [event.agency], data }];
    case 'referral.accepted':
    case 'referral.declined':
    case 'referral.ready':
    case 'referral.withdrawn':
    case 'referral.on_hold':
    case 'referral.urgent':
      return [{ to: [event.agency], data }];
    case 'consent.recorded': {
      // Consent given after a referral releases the patient details (and assessment summary) this agency may now see.
      const released = event.given && involved(ctx).includes(event.agency) ? personFor(event.agency, ctx) : {};
      return [{ to: [event.agency], data: { ...data, ...released } }];
    }
    case 'pathway.ready_for_discharge':
      return [{ to: involved(ctx), data }];
    case 'discharge.recorded': {
      const { date, destination } = event;
      // A self-discharge is said: the patient left before the plan was in place.
      const left = { date, destination, ...(event.selfDischarge ? { selfDischarge: true } : {}) };
      const views: View[] = [{ to: involved(ctx).filter((a) => a !== 'gp'), data: left }];
      // The GP's discharge summary: what happened and what support was arranged.
      views.push({
        to: ['gp'],
        data: {
          ...left,
          pathway: event.pathway,
          services: ctx.services,
          // The practice learns of a gap in support and who bridges it: it may be the first called.
          ...(event.supportGap ? { supportGap: event.supportGap } : {}),
          // A summary worth the name: the GP's part of the joint assessment and the carer, as it may see them.
          ...personFor('gp', ctx),
          summary: dischargeSummary(event, ctx),
        },
      });
      return views;
    }
    case 'intermediate_care.started':
    case 'intermediate_care.extended':
      return [{ to: [...new Set<Agency>(['intermediate-care', 'gp'])], data }];
    case 'intermediate_care.ended': {
      // Handed over: the GP learns who took over, as what, funded how, and the person's latest picture.
      const picture = ctx.picture?.funding?.length ? pictureFor('gp', ctx) : undefined;
      return picture
        ? [
            { to: ['intermediate-care'], data },
            { to: ['gp'], data: { ...data, picture } },
          ]
        : [{ to: ['intermediate-care', 'gp'], data }];
    }
    case 'review.recorded':
    case 'review.overdue':
    case 'transition_plan.proposed':
      return [{ to: ['intermediate-care'], data }];
    case 'support.started':
    case 'support.not_started':
    case 'housing_outcome.recorded':
      // The echo that confirms the agency's own write-back.
      return [{ to: [event.agency], data }];
    case 'handover.long_term_services':
      return event.to.map((agency) => {
        const patient = patientFor(agency, ctx);
        const picture = pictureFor(agency, ctx);
        const task = agency === 'gp' ? { task: gpTask(event, ctx) } : {};
        return {
          to: [agency],
          data: { ...data, ...(patient ? { patient } : {}), ...(picture ? { picture } : {}), ...task },
        };
      });
    case 'pathway.readmitted': {
      const { admittedOn, dayOfWatch } = event;
      return [{ to: [...new Set<Agency>([...involved(ctx), 'gp'])], data: { admittedOn, dayOfWatch } }];
    }
    case 'held_package.released':
      // Its provider may let go of the package it held for the person.
      return [{ to: [event.agency], data }];
    case 'housing_status.recorded':
      // Housing, when it has the person's referral, hears the person's housing has changed.
      return involved(ctx).includes('housing') ? [{ to: ['housing'], data }] : [];
    case 'funding.recorded':
      // The patient's social care team is told who pays for every service, and from when charges start.
      return [{ to: ['social-care'], data }];
    case 'carers_assessment.requested':
      return [
        {
          to: ['social-care'],
          data: { ...data, ...personFor('social-care', ctx), carer: carerFor('social-care', ctx, true) },
        },
      ];
    case 'lead_professional.assigned':
      // Whom to contact: every agency involved (and the GP), as a role and a team.
      return [{ to: [...new Set<Agency>([...involved(ctx), 'gp'])], data }];
    case 'emergency_attendance.recorded': {
      // The GP, and the providers still caring for the person, hear of emergency treatment during the watch.
      const carers = involved(ctx).filter((a) => a === 'intermediate-care' || a === 'community-health');
      return [{ to: [...new Set<Agency>(['gp', ...carers])], data }];
    }
    case 'pathway.handed_back':
    case 'pathway.cancelled':
      return [{ to: [...new Set<Agency>([...involved(ctx), 'gp'])], data }];
    default:
      // Admission, DRD, EDD, assessment, delay reasons and the watch stay within the trust.
      return [];
  }
}

/** Event types some agency other than the trust may receive: each gets a JSON Schema of its view. */
export const agencyEventTypes: EventType[] = [
  'referral.requested',
  'referral.accepted',
  'referral.declined',
  'referral.ready',
  'referral.escalated',
  'referral.withdrawn',
  'referral.on_hold',
  'referral.urgent',
  'consent.recorded',
  'pathway.ready_for_discharge',
  'discharge.recorded',
  'intermediate_care.started',
  'intermediate_care.extended',
  'intermediate_care.ended',
  'review.recorded',
  'review.overdue',
  'handover.long_term_services',
  'pathway.readmitted',
  'pathway.handed_back',
  'pathway.cancelled',
  'emergency_attendance.recorded',
  'lead_professional.assigned',
  'carers_assessment.requested',
  'funding.recorded',
  'housing_status.recorded',
  'held_package.released',
  'transition_plan.proposed',
  'support.started',
  'support.not_started',
  'housing_outcome.recorded',
];

/** Events whose agency view may carry the handover's picture. */
const withPicture: EventType[] = ['referral.requested', 'handover.long_term_services', 'intermediate_care.ended'];

/**
 * The agency view of each event as a schema: the full event's fields, all optional (an agency
 * sees a subset), plus the minimised patient block and the GP summary's services.
 */
export function agencyViewSchema(type: EventType) {
  const full = (eventSchemas[type] as z.ZodObject).omit({ type: true, at: true } as never);
  return full.partial().extend({
    patient: MinimisedPatient.optional(),
    /** The agency's part of the joint assessment's summary. */
    assessment: AssessmentPart.partial().optional(),
    /** The carer's details this agency needs. */
    carer: Carer.partial().optional(),
    consentRequired: z.boolean().optional(),
    services: z.array(Service).optional(),
    ...(withPicture.includes(type) ? { picture: HandoverPicture.optional() } : {}),
    ...(type === 'discharge.recorded' ? { summary: DischargeSummary.optional() } : {}),
    ...(type === 'handover.long_term_services' ? { task: GpTask.optional() } : {}),
  });
}
