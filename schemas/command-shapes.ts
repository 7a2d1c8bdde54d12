import { z } from 'zod';
import { commandNames, commandSchemas, type CommandName } from './commands';

/**
 * The command payloads' shapes as JSON Schema, derived once from the zod schemas (the single
 * source), for the workflow: it runs with these modules preloaded and frozen in the worker's
 * shared V8 context, where zod cannot parse (zod 4 memoizes onto its schema objects on first
 * use), while plain JSON Schema objects can be read by any number of pathways.
 */
interface Shape {
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';
  properties?: Record<string, Shape>;
  required?: string[];
  additionalProperties?: boolean;
  items?: Shape;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
}

const understood = new Set([
  '$schema',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'default',
]);

/** Refuses, when the module loads, a schema using a keyword this check would silently ignore. */
function checked(shape: Shape, path: string): Shape {
  for (const key of Object.keys(shape))
    if (!understood.has(key))
      throw new Error(`command-shapes: ${path} uses JSON Schema keyword "${key}", which shapeIssues does not check`);
  for (const [key, property] of Object.entries(shape.properties ?? {})) checked(property, `${path}.${key}`);
  if (shape.items) checked(shape.items, `${path}[]`);
  return shape;
}

const shapes = Object.fromEntries(
  commandNames.map((name) => [
    name,
    checked(z.toJSONSchema(commandSchemas[name], { io: 'input', unrepresentable: 'throw' }) as Shape, name),
  ]),
) as Record<CommandName, Shape>;

export interface ShapeIssue {
  path: string;
  message: string;
}

const typeOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

function issuesOf(shape: Shape, value: unknown, path: string, issues: ShapeIssue[]): void {
  const at = path || '(body)';
  const kind = typeOf(value);
  const typeMatches =
    shape.type === undefined ||
    shape.type === kind ||
    (shape.type === 'integer' && kind === 'number' && Number.isInteger(value));
  if (!typeMatches) {
    issues.push({ path: at, message: `expected ${shape.type}, received ${kind}` });
    return;
  }
  if (shape.enum && !shape.enum.includes(value))
    issues.push({ path: at, message: `expected one of ${shape.enum.join(', ')}` });
  if ('const' in shape && shape.const !== value) issues.push({ path: at, message: `expected ${String(shape.const)}` });
  if (typeof value === 'string') {
    if (shape.minLength !== undefined && value.length < shape.minLength)
      issues.push({ path: at, message: `at least ${shape.minLength} characters` });
    if (shape.maxLength !== undefined && value.length > shape.maxLength)
      issues.push({ path: at, message: `at most ${shape.maxLength} characters` });
    // JSON Schema patterns are Unicode regular expressions (zod's \p{L} needs the flag).
    if (shape.pattern !== undefined && !new RegExp(shape.pattern, 'u').test(value))
      issues.push({ path: at, message: 'not in the expected format' });
  }
  if (typeof value === 'number') {
    if (shape.minimum !== undefined && value < shape.minimum)
      issues.push({ path: at, message: `at least ${shape.minimum}` });
    if (shape.maximum !== undefined && value > shape.maximum)
      issues.push({ path: at, message: `at most ${shape.maximum}` });
  }
  if (Array.isArray(value)) {
    if (shape.minItems !== undefined && value.length < shape.minItems)
      issues.push({ path: at, message: `at least ${shape.minItems} items` });
    if (shape.maxItems !== undefined && value.length > shape.maxItems)
      issues.push({ path: at, message: `at most ${shape.maxItems} items` });
    if (shape.items) value.forEach((item, i) => issuesOf(shape.items!, item, `${path}${path ? '.' : ''}${i}`, issues));
  }
  if (kind === 'object' && shape.properties) {
    const object = value as Record<string, unknown>;
    const prefix = path ? `${path}.` : '';
    for (const key of shape.required ?? [])
      if (!Object.hasOwn(object, key)) issues.push({ path: `${prefix}${key}`, message: 'required' });
    for (const [key, item] of Object.entries(object)) {
      const property = Object.hasOwn(shape.properties, key) ? shape.properties[key] : undefined;
      if (property) issuesOf(property, item, `${prefix}${key}`, issues);
      else if (shape.additionalProperties === false) issues.push({ path: `${prefix}${key}`, message: 'unknown field' });
    }
  }
}

/**
 * Where a payload departs from its command's shape: types, required and unknown fields, enums,
 * lengths and patterns. Not zod's refinements (a calendar-valid date, for one): the API checks
 * those before any command reaches a pathway, and the domain's rules judge the rest.
 */
export function shapeIssues(name: CommandName, payload: unknown): ShapeIssue[] {
  const issues: ShapeIssue[] = [];
  issuesOf(shapes[name], payload, '', issues);
  return issues;
}

function normalised(shape: Shape, value: unknown): unknown {
  if (Array.isArray(value)) return shape.items ? value.map((item) => normalised(shape.items!, item)) : value;
  if (typeOf(value) !== 'object' || !shape.properties) return value;
  const object = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(shape.properties)) {
    // A copy of a default (JSON, as the schema is; the workflow sandbox has no structuredClone):
    // the shapes are frozen in the worker, and the domain may keep the value.
    if (Object.hasOwn(object, key)) result[key] = normalised(property, object[key]);
    else if (property.default !== undefined) result[key] = JSON.parse(JSON.stringify(property.default));
  }
  return result;
}

/**
 * A payload of the command's shape as zod would give it: its defaults filled in, fields the shape
 * does not know dropped, in the shape's order. What the workflow's handler used to get from zod.
 */
export function normalisedPayload(name: CommandName, payload: unknown): Record<string, unknown> {
  return normalised(shapes[name], payload) as Record<string, unknown>;
}
