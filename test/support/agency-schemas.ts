import fs from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { agencies, topics } from '../../kafka/topics';
import type { ReceivedMessage } from './kafka';

/**
 * The checked-in JSON Schemas, read from disk as an agency's engineer would read them: what the
 * tests consume from agency topics must be what those files promise, not what the zod source says.
 */
const root = path.join(__dirname, '..', '..', 'schemas', 'json');
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
const validators = new Map<string, ValidateFunction>();

function validatorFor(file: string): ValidateFunction | undefined {
  if (!validators.has(file)) {
    const full = path.join(root, file);
    if (!fs.existsSync(full)) return undefined;
    validators.set(file, ajv.compile(JSON.parse(fs.readFileSync(full, 'utf8')) as object));
  }
  return validators.get(file);
}

const agencyOfEvents = (topic: string) => agencies.find((agency) => topics.agencyEvents(agency) === topic);

/**
 * Throws unless the message read from an agency's events topic matches its schema: the trust's own
 * topic carries full events (schemas/json/events), every other agency its view (schemas/json/agency).
 * A type with no schema file fails too: an agency could not code against it.
 */
export function expectAgencySchema(message: ReceivedMessage): void {
  const agency = agencyOfEvents(message.topic);
  if (!agency) throw new Error(`${message.topic} is not an agency events topic`);
  const type = /^uk\.nhs\.discharge\.(.+)\.v1$/.exec(String(message.value.type))?.[1];
  const file = `${agency === 'acute-trust' ? 'events' : 'agency'}/${type}.v1.json`;
  const validate = type ? validatorFor(file) : undefined;
  if (!validate)
    throw new Error(
      `No checked-in schema ${file} for a message on ${message.topic} (type ${String(message.value.type)})`,
    );
  const valid = validate(message.value);
  if (!valid) {
    throw new Error(
      `${message.topic} ${String(message.value.id)} does not match ${file}: ${ajv.errorsText(validate.errors)}`,
    );
  }
}

/** The messages as given, each checked against its schema when it came from an agency events topic. */
export function schemaChecked<T extends ReceivedMessage>(messages: T[]): T[] {
  for (const message of messages) if (agencyOfEvents(message.topic)) expectAgencySchema(message);
  return messages;
}
