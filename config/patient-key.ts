import crypto from 'node:crypto';

/**
 * A keyed hash of the NHS number: the same patient always maps to the same key, so an ADT
 * message can find their pathway, but the key reveals nothing without the deployment's secret.
 */
export function patientKey(nhsNumber: string, secret: string): string {
  return crypto.createHmac('sha256', secret).update(nhsNumber.replace(/\s/g, '')).digest('hex').slice(0, 40);
}
