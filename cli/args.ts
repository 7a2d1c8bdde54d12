/** Raised for anything the person typed wrong: the CLI prints it and exits with code 2. */
export class UsageError extends Error {}

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; anyOf?: JsonSchema[] };

/** The JSON Schema type(s) at a dotted path of the body's schema, if the schema says. */
function typesAt(schema: JsonSchema | undefined, path: string[]): string[] {
  let node = schema;
  for (const key of path) node = node?.properties?.[key] ?? node?.anyOf?.find((s) => s.properties?.[key])?.properties?.[key];
  if (!node) return [];
  return [node.type ?? [], ...(node.anyOf ?? []).map((s) => s.type ?? [])].flat();
}

/**
 * `key=value` arguments into a JSON body: dots nest (`patient.name=…`). A value keeps its text
 * (an NHS number stays the string it is) unless the body's schema asks for a number or a boolean
 * there, or it is written as a JSON array or object (`'participants=[{"role":"nurse"}]'`).
 */
export function parseAssignments(assignments: string[], schema?: JsonSchema): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new UsageError(`Expected key=value, got "${assignment}"`);
    const path = assignment.slice(0, eq).split('.');
    const raw = assignment.slice(eq + 1);
    let value: unknown = raw;
    const wanted = typesAt(schema, path);
    const typed = (wanted.includes('number') || wanted.includes('integer')) && /^-?\d+(\.\d+)?$/.test(raw);
    if (typed || (wanted.includes('boolean') && /^(true|false)$/.test(raw)) || /^(\[.*\]|\{.*\})$/s.test(raw)) {
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
