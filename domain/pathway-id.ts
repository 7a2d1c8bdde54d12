/**
 * A pathway is named after its admission (domain.md's public contract: keep stable): one admission,
 * one pathway, so the same admission started again finds the pathway it started.
 */
const prefix = 'pathway-';

export const pathwayIdOf = (admissionId: string): string => `${prefix}${admissionId}`;

/** The admission an id names if it is a pathway's id at all, whatever the admission id's own rules. */
export const admissionIdOf = (pathwayId: string): string | undefined =>
  pathwayId.startsWith(prefix) ? pathwayId.slice(prefix.length) : undefined;
