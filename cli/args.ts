/** Raised for anything the person typed wrong: the CLI prints it and exits with code 2. */
export class UsageError extends Error {}

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  pattern?: string;
  format?: string;
};

/** The schema at a dotted path of the body's schema, if the schema says. */
function schemaAt(schema: JsonSchema | undefined, path: string[]): JsonSchema | undefined {
  let node = schema;
  for (const key of path)
    node = node?.properties?.[key] ?? node?.anyOf?.find((s) => s.properties?.[key])?.properties?.[key];
  return node;
}

const typesOf = (node: JsonSchema | undefined): string[] =>
  node ? [node.type ?? [], ...(node.anyOf ?? []).map((s) => s.type ?? [])].flat() : [];

/** A list written plainly: `needs=reablement,equipment`, or `participants=nurse,patient` for a list of one-key objects. */
function shorthandList(raw: string, list: JsonSchema): unknown[] | undefined {
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const keys = Object.keys(list.items?.properties ?? {});
  if (typesOf(list.items).includes('object') && keys.length >= 1 && (list.items?.required ?? []).length === 1) {
    const [key] = list.items!.required!;
    return items.map((item) => ({ [key]: item }));
  }
  if (typesOf(list.items).includes('string')) return items;
  return undefined;
}

/**
 * `key=value` arguments into a JSON body: dots nest (`patient.name=…`). A value keeps its text
 * (an NHS number stays the string it is) unless the body's schema asks for a number or a boolean
 * there, or it is written as a JSON array or object (`'participants=[{"role":"nurse"}]'`). Where
 * the schema wants a list, `a,b` is one too (`needs=reablement,equipment`, `participants=nurse,patient`).
 */
export function parseAssignments(assignments: string[], schema?: JsonSchema): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new UsageError(`Expected key=value, got "${assignment}"`);
    const path = assignment.slice(0, eq).split('.');
    const raw = assignment.slice(eq + 1);
    let value: unknown = raw;
    const node = schemaAt(schema, path);
    const wanted = typesOf(node);
    const typed = (wanted.includes('number') || wanted.includes('integer')) && /^-?\d+(\.\d+)?$/.test(raw);
    if (typed || (wanted.includes('boolean') && /^(true|false)$/.test(raw)) || /^(\[.*\]|\{.*\})$/s.test(raw)) {
      try {
        value = JSON.parse(raw);
      } catch {
        throw new UsageError(`Value of ${path.join('.')} looks like JSON but is not valid JSON`);
      }
    }
    if (typeof value === 'string' && wanted.includes('array') && node) value = shorthandList(raw, node) ?? value;
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
