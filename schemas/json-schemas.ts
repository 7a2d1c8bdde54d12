import { z } from 'zod';
import { agencyEventTypes, agencyViewSchema } from './data-minimisation';
import { CloudEvent, cloudEventType } from './cloudevent';
import { eventSchemas, eventTypes, type EventType } from './events';
import { agencyWriteBackCommands } from './commands';
import { NotificationEvent } from './notifications';
import { AdtMessage, AgencyResponse, agencyWriteBackSchemas, ResponseRejected } from './inbound';

const envelope = (type: EventType, data: z.ZodType) =>
  CloudEvent.extend({ type: z.literal(cloudEventType(type)), data });

const toJson = (schema: z.ZodType, id: string, title: string) => ({
  $id: `https://homeward.nhs.uk/schemas/${id}`,
  title,
  ...z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }),
});

/**
 * Every JSON Schema agencies read, generated from the zod schemas (the single source):
 * file path under schemas/json → document. `npm run schemas` writes them; a test checks they are current.
 */
export function jsonSchemas(): Record<string, object> {
  const files: Record<string, object> = {};
  for (const type of eventTypes) {
    const data = (eventSchemas[type] as z.ZodObject).omit({ type: true, at: true } as never);
    files[`events/${type}.v1.json`] = toJson(
      envelope(type, data),
      `events/${type}.v1.json`,
      `${type} (full, homeward.pathway.events)`,
    );
  }
  for (const type of agencyEventTypes) {
    files[`agency/${type}.v1.json`] = toJson(
      envelope(type, agencyViewSchema(type)),
      `agency/${type}.v1.json`,
      `${type} (agency view, homeward.agency.<agency>.events)`,
    );
  }
  const rejected = CloudEvent.extend({ type: z.literal(cloudEventType('response.rejected')), data: ResponseRejected });
  files['agency/response.rejected.v1.json'] = toJson(
    rejected,
    'agency/response.rejected.v1.json',
    'A refused agency response (homeward.agency.<agency>.events)',
  );
  files['inbound/agency-response.v1.json'] = toJson(
    AgencyResponse,
    'inbound/agency-response.v1.json',
    'Agency response (homeward.agency.<agency>.responses)',
  );
  for (const command of agencyWriteBackCommands) {
    const file = `inbound/agency-${command}.v1.json`;
    files[file] = toJson(
      agencyWriteBackSchemas[command],
      file,
      `Agency write-back: ${command} (homeward.agency.<agency>.responses)`,
    );
  }
  files['notifications/notification.requested.v1.json'] = toJson(
    NotificationEvent,
    'notifications/notification.requested.v1.json',
    'A notification to the patient (homeward.notifications)',
  );
  files['inbound/adt.v1.json'] = toJson(AdtMessage, 'inbound/adt.v1.json', 'ADT message (homeward.adt)');
  return files;
}
