import type { DelayBand } from '../domain';
import type { ReferralStatus } from '../domain/state';
import type { Agency, DelayReasonCode, Destination, DischargePathwayCode, Service, Stage } from './common';

/**
 * What people read for each code: the one table of labels the pages (served as /assets/labels.js),
 * the CLI and the CSV reports' header rows use. The codes stay the contract (API, Kafka, CSV
 * cells); a label is only ever shown beside or instead of one. Typed per code list, so a new code
 * without a label does not compile.
 */
export const labels: {
  reasons: Record<DelayReasonCode, string>;
  agencies: Record<Agency, string>;
  stages: Record<Stage, string>;
  /** `none`: no DRD now (the report's extra band). */
  bands: Record<DelayBand | 'none', string>;
  pathways: Record<DischargePathwayCode, string>;
  services: Record<Service, string>;
  destinations: Record<Destination, string>;
  referralStatuses: Record<ReferralStatus, string>;
  waitingOn: Record<'agency' | 'patient' | 'family', string>;
} = {
  reasons: {
    awaiting_medical_decision: 'Awaiting medical decision',
    awaiting_therapy_decision: 'Awaiting therapy decision',
    awaiting_referral_to_hub: 'Awaiting referral to transfer of care hub',
    awaiting_hub_confirmation: 'Awaiting hub confirmation of pathway',
    awaiting_diagnostics: 'Awaiting diagnostics',
    awaiting_medicines_tto: 'Awaiting medicines to take home',
    awaiting_transport: 'Awaiting transport',
    awaiting_equipment_adaptations: 'Awaiting equipment or adaptations',
    awaiting_p1_resource: 'Awaiting care at home (P1)',
    awaiting_p2_bed: 'Awaiting community bed (P2)',
    awaiting_p3_bed: 'Awaiting care home bed (P3)',
    family_not_in_agreement: 'Patient or family not in agreement',
    homeless_nrpf: 'Homeless or no recourse to public funds',
    safeguarding_court_of_protection: 'Safeguarding or Court of Protection',
    infection_control: 'Infection control',
    repatriation: 'Repatriation to another trust',
    awaiting_chc_decision: 'Awaiting continuing healthcare decision',
    no_plan: 'No discharge plan',
    consent_required: 'Consent to share needed',
    awaiting_housing: 'Awaiting housing',
  },
  agencies: {
    'acute-trust': 'Hospital',
    'social-care': 'Adult social care',
    'community-health': 'Community health',
    'intermediate-care': 'Intermediate care',
    equipment: 'Equipment service',
    housing: 'Housing',
    gp: 'GP',
    voluntary: 'Voluntary sector',
    'care-home': 'Care home',
  },
  stages: {
    admitted: 'Admitted',
    assessment: 'Assessment',
    arranging: 'Arranging support',
    ready_for_discharge: 'Ready for discharge',
    discharged: 'Discharged',
    intermediate_care: 'Intermediate care',
    readmission_watch: 'Readmission watch',
    handed_back: 'Handed back',
    readmitted: 'Readmitted',
    cancelled: 'Cancelled',
  },
  bands: {
    '0': 'Ready, no day lost yet',
    '1': '1 day',
    '2-3': '2–3 days',
    '4-6': '4–6 days',
    '7-13': '7–13 days',
    '14-20': '14–20 days',
    '21+': '21 days or more',
    none: 'No discharge ready date now',
  },
  pathways: {
    P0: 'P0 home, no new support',
    P1: 'P1 home with support',
    P2: 'P2 community bed',
    P3: 'P3 care home',
  },
  services: {
    'domiciliary-care': 'Home care',
    reablement: 'Reablement',
    'rehabilitation-at-home': 'Rehabilitation at home',
    'district-nursing': 'District nursing',
    therapy: 'Therapy',
    equipment: 'Equipment',
    'minor-adaptations': 'Minor adaptations',
    'major-adaptations': 'Major adaptations',
    housing: 'Housing',
    'step-down-bed': 'Step-down bed',
    'care-home-placement': 'Care home placement',
    'home-from-hospital': 'Home from hospital',
    'chc-assessment': 'Continuing healthcare assessment',
    'welfare-check': 'Welfare check on the day home',
    'carers-assessment': "Carer's assessment",
  },
  destinations: {
    'usual-residence': 'Usual residence',
    'temporary-accommodation': 'Temporary accommodation',
    'community-bed': 'Community bed',
    'care-home': 'Care home',
    'other-trust': 'Another trust',
    other: 'Other',
  },
  referralStatuses: {
    requested: 'Requested',
    accepted: 'Accepted',
    declined: 'Declined',
    ready: 'Ready',
    withdrawn: 'Withdrawn',
    on_hold: 'On hold',
  },
  waitingOn: { agency: 'An agency', patient: 'Patient', family: 'Family' },
};

const dimensions = {
  band: 'bands',
  reason: 'reasons',
  agency: 'agencies',
  pathway: 'pathways',
  stage: 'stages',
} as const;

/** A report key's label (`reason`, `awaiting_p1_resource` → "Awaiting care at home (P1)"); '' for a key with none (a site, a local authority). */
export function labelOf(dimension: string, key: string): string {
  // The report's agency dimension is whom the delay waits on: an agency, or the patient or family.
  const table: Record<string, string> | undefined = Object.hasOwn(dimensions, dimension)
    ? {
        ...labels[dimensions[dimension as keyof typeof dimensions]],
        ...(dimension === 'agency' ? labels.waitingOn : {}),
      }
    : undefined;
  return table && Object.hasOwn(table, key) ? table[key] : '';
}

/** The script the pages load: the same table, as a browser global. */
export const labelsScript = (): string => `'use strict';\nwindow.HomewardLabels = ${JSON.stringify(labels)};\n`;
