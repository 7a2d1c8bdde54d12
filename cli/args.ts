/** Raised for anything the person typed wrong: the CLI prints it and exits with code 2. */
export class UsageError extends Error {}

/**
 * `key=value` arguments into a JSON body: dots nest (`patient.name=…`), values that parse as JSON
 * (numbers, booleans, arrays, objects) are taken as such, anything else is a string.
 */
export function parseAssignments(assignments: string[]): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new UsageError(`Expected key=value, got "${assignment}"`);
    const path = assignment.slice(0, eq).split('.');
    const raw = assignment.slice(eq + 1);
    let value: unknown = raw;
    if (/^(-?\d+(\.\d+)?|true|false|null|\[.*\]|\{.*\})$/s.test(raw)) {
      try {
        value = JSON.parse(raw);
      } catch {
        throw new UsageError(`Value of ${path.join('.')} looks like JSON but is not valid JSON`);
      }
    }
    let target = body;
    for (const key of path.slice(0, -1)) {
      const next = target[key];
      if (next !== undefined && (typeof next !== 'object' || next === null || Array.isArray(next))) {
        throw new UsageError(`${path.join('.')}: ${key} is already set to a plain value`);
      }
      target[key] = next ?? {};
      target = target[key] as Record<string, unknown>;
    }
    target[path[path.length - 1]] = value;
  }
  return body;
}
