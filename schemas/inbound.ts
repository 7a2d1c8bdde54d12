import { z } from 'zod';
import { AdmissionId, agencyWriteBackCommands, commandSchemas, type AgencyWriteBackCommand } from './commands';
import { AdmittedPatient, Destination, IsoDate, IsoTimestamp } from './common';

/**
 * An agency's answer to a referral, on its own `homeward.agency.<agency>.responses`. The topic
 * says who answered (only that agency may write it); a message naming an agency is refused.
 */
export const AgencyResponse = z.strictObject({
  /** The sender's id for this message; logged, so it must not contain personal data. */
  messageId: z.string().min(1).max(100),
  pathwayId: z.string().min(1),
  referralId: z.string().min(1),
  response: z.enum(['accepted', 'declined', 'ready']),
  reason: z.string().min(1).max(200).optional(),
  readyFrom: IsoDate.optional(),
});
export type AgencyResponse = z.infer<typeof AgencyResponse>;

/**
 * What an agency writes back on the same topic (issue 24): `command` names it, the rest is the
 * command's own payload without `agency` (the topic says who sent it).
 */
const writeBack = (command: AgencyWriteBackCommand) =>
  (commandSchemas[command] as z.ZodObject).omit({ agency: true }).extend({
    messageId: AgencyResponse.shape.messageId,
    pathwayId: AgencyResponse.shape.pathwayId,
    command: z.literal(command),
  });
export const agencyWriteBackSchemas = Object.fromEntries(
  agencyWriteBackCommands.map((command) => [command, writeBack(command)]),
) as Record<AgencyWriteBackCommand, ReturnType<typeof writeBack>>;
export const AgencyWriteBack = z.discriminatedUnion(
  'command',
  agencyWriteBackCommands.map((command) => agencyWriteBackSchemas[command]) as [
    ReturnType<typeof writeBack>,
    ...ReturnType<typeof writeBack>[],
  ],
);
export type AgencyWriteBack = { messageId: string; pathwayId: string; command: AgencyWriteBackCommand } & Record<
  string,
  unknown
>;

/** Messages from the hospital PAS on `homeward.adt`. Senders never need to know pathway ids. */
export const AdtMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('admission'),
    messageId: z.string().min(1).max(100),
    admissionId: AdmissionId,
    patient: AdmittedPatient,
    site: z.string().min(1).max(64),
    localAuthority: z.string().min(1).max(64),
    /** The admitting ward, as the PAS names it. */
    ward: z.string().min(1).max(64).optional(),
    admittedAt: IsoTimestamp,
    emergency: z.boolean(),
  }),
  z.object({
    type: z.literal('discharge'),
    messageId: z.string().min(1).max(100),
    admissionId: AdmissionId,
    date: IsoDate,
    destination: Destination,
  }),
  z.object({
    type: z.literal('cancel-admission'),
    messageId: z.string().min(1).max(100),
    admissionId: AdmissionId,
  }),
]);
export type AdtMessage = z.infer<typeof AdtMessage>;

/**
 * What an agency gets on its own events topic when Homeward refuses one of its responses
 * (CloudEvent type cloudEventType('response.rejected'), keyed by the agency's messageId).
 */
export const ResponseRejected = z.object({
  /** The messageId the agency sent, when the message had one. */
  messageId: z.string().optional(),
  /** The trace id of the agency's message (its W3C `traceparent` header), when it carried one. */
  traceId: z.string().optional(),
  /** Names the field or rule at fault, e.g. `unknown_referral: referralId: no referral ref-1 of yours on this pathway`. */
  reason: z.string(),
  /** The agency's own message as it arrived (at most its first 64 KiB). */
  message: z.string().nullable(),
  truncated: z.object({ size: z.number().int(), sha256: z.string() }).optional(),
  partition: z.number().int(),
  offset: z.string(),
});
export type ResponseRejected = z.infer<typeof ResponseRejected>;
