/** Calendar arithmetic on ISO dates (UTC): pure, so the workflow stays deterministic. */
const DAY_MS = 86_400_000;

export const dateOf = (timestamp: string): string => new Date(timestamp).toISOString().slice(0, 10);

export function daysBetween(from: string, to: string): number {
  return Math.round(
    (Date.parse(`${to.slice(0, 10)}T00:00:00Z`) - Date.parse(`${from.slice(0, 10)}T00:00:00Z`)) / DAY_MS,
  );
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date.slice(0, 10)}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The first instant of a date: when a day-counted deadline falls. */
export const startOfDay = (date: string): string => `${date.slice(0, 10)}T00:00:00.000Z`;

export const addHours = (timestamp: string, hours: number): string =>
  new Date(Date.parse(timestamp) + hours * 3_600_000).toISOString();

export const isAtOrAfter = (a: string, b: string): boolean => Date.parse(a) >= Date.parse(b);

export const earliest = (timestamps: (string | undefined)[]): string | undefined =>
  timestamps.filter((t): t is string => t !== undefined).sort((a, b) => Date.parse(a) - Date.parse(b))[0];

export const latest = (timestamps: (string | undefined)[]): string | undefined =>
  timestamps.filter((t): t is string => t !== undefined).sort((a, b) => Date.parse(b) - Date.parse(a))[0];
