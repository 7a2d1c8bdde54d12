import { randomUUID } from 'node:crypto';
import type { StartPayload } from '../schemas/commands';
import { Agency, isValidNhsNumber, type Patient } from '../schemas/common';

/**
 * The sample patients of the demo and the benchmark: made-up people with valid NHS numbers, every
 * agency consented to. The tools' own, so that they depend on the product alone, never on the tests.
 */

/** The first valid NHS number from `seed`'s nine digits on (the product's modulus-11 check picks the tenth). */
export function nhsNumber(seed = Math.floor(Math.random() * 1e9)): string {
  for (let n = seed; ; n++) {
    const nine = String(n % 1e9).padStart(9, '0');
    const valid = Array.from({ length: 10 }, (_, digit) => `${nine}${digit}`).find(isValidNhsNumber);
    if (valid) return valid;
  }
}

/** The demo's stay `index` (from 0): its patient's NHS number, so the screenshots can sign in as that patient. */
export const demoNhsNumber = (index: number): string => nhsNumber(900_000_000 + index * 7919);

/** DEMO-12's patient, home with reablement and equipment: `npm run screenshots` signs in as them for docs/my-plan.png. */
export const demoPlanPatient = (): string => demoNhsNumber(11);

export type SampleAdmission = StartPayload & { patient: Patient };

const samplePatient = (): Patient => ({
  nhsNumber: nhsNumber(),
  name: 'Sample Patient',
  dateOfBirth: '1941-09-17',
  address: { line1: '2 Sample Road', town: 'Leeds', postcode: 'LS2 9JT' },
  housingStatus: 'settled',
});

/** Every agency but the trust itself, which needs no consent to hold the record. */
export const everyAgency = Agency.options.filter((agency) => agency !== 'acute-trust');

/** An admission five days ago at LEEDS-GEN, of a patient with a settled home; `overrides` replace whole fields. */
export function admission(overrides: Partial<StartPayload> = {}): SampleAdmission {
  const admittedAt = new Date(Date.now() - 5 * 86_400_000).toISOString();
  const admissionId = `A${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  return {
    admissionId,
    patient: samplePatient(),
    site: 'LEEDS-GEN',
    localAuthority: 'Leeds',
    admittedAt,
    consents: everyAgency,
    ...overrides,
  } as SampleAdmission;
}
