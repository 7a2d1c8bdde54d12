import { randomUUID } from 'node:crypto';
import type { StartPayload } from '../../schemas/commands';
import { Agency, type Patient } from '../../schemas/common';

/** A valid NHS number built from nine digits by the modulus-11 rule (skipping prefixes that give 10). */
export function nhsNumber(seed = Math.floor(Math.random() * 1e9)): string {
  for (let n = seed; ; n++) {
    const nine = String(n % 1e9).padStart(9, '0');
    const sum = [...nine].reduce((t, d, i) => t + Number(d) * (10 - i), 0);
    const check = 11 - (sum % 11);
    if (check === 10) continue;
    return `${nine}${check === 11 ? 0 : check}`;
  }
}

/** The calendar date (UTC) `offset` days from today. */
export const dayFromToday = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

export const uniqueAdmissionId = (prefix = 'A') => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 12)}`;

/** Every agency but the trust itself, which needs no consent to hold the record. */
export const everyAgency = Agency.options.filter((agency) => agency !== 'acute-trust');

/** An admission with an address (the fixture's patients are never of no fixed abode). */
export type Admission = StartPayload & { patient: Patient };

export function admission(overrides: Partial<StartPayload> = {}): Admission {
  return {
    admissionId: uniqueAdmissionId(),
    patient: {
      nhsNumber: nhsNumber(),
      name: 'Test Patient',
      dateOfBirth: '1938-04-02',
      address: { line1: '1 Test Street', town: 'Leeds', postcode: 'LS1 4AP' },
      housingStatus: 'settled',
    },
    site: 'LEEDS-GEN',
    localAuthority: 'Leeds',
    admittedAt: new Date(Date.now() - 5 * 86_400_000).toISOString(),
    consents: everyAgency,
    ...overrides,
  } as Admission;
}

/** A joint assessment as the documents describe it: a health and a social care professional with the patient, who agrees with the plan. */
export const jointAssessment = {
  participants: [{ role: 'nurse' }, { role: 'social_worker' }, { role: 'patient' }],
  agreement: { patient: 'agrees' },
};
