import type { KafkaMessage } from 'kafkajs';
import type { z } from 'zod';
import type { Application } from '../app';
import type { Recorded } from '../app/pathways';
import { adtActor, type Actor } from '../schemas/actor';
import type { Agency } from '../schemas/common';
import type { Outcome } from '../kafka/inbound-consumer';
import { agencyOfResponses, topics } from '../kafka/topics';
import { AdtMessage, AgencyResponse, AgencyWriteBack } from '../schemas/inbound';

const rejected = (reason: string): Outcome => ({ kind: 'rejected', reason });

/** Parses a message against its schema; the reason names fields, never values. */
function parse<T>(schema: z.ZodType<T>, message: KafkaMessage, json: unknown = parseJson(message)): T | Outcome {
  if (json === notJson) return rejected('invalid: not JSON');
  const result = schema.safeParse(json);
  if (!result.success)
    return rejected(
      `invalid: ${result.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ')}`,
    );
  return result.data;
}
const notJson = Symbol('not JSON');
function parseJson(message: KafkaMessage): unknown {
  try {
    return JSON.parse(message.value?.toString() ?? '');
  } catch {
    return notJson;
  }
}
const isOutcome = (value: unknown): value is Outcome =>
  typeof value === 'object' && value !== null && 'kind' in value && 'reason' in value;

/** A use case's answer as the consumer takes it: a refusal goes to the DLQ, saying why. */
const outcomeOf = (recorded: Recorded): Outcome => (recorded.kind === 'refused' ? rejected(recorded.reason) : recorded);

/**
 * Turns inbound Kafka messages into the application's use cases: it parses each message and says
 * who sent it (the topic's agency, or the ADT feed). Bad or foreign messages, and those the use case
 * refuses, are rejected (→ DLQ); one whose effect is already recorded is a duplicate (ignored); an
 * error reaching Temporal is thrown, so the message is retried rather than lost.
 */
export function createInboundHandler(deps: { app: Application }) {
  const { pathways, admissions } = deps.app;
  const agencyActor = (agency: Agency): Actor => ({ subject: `kafka:agency-${agency}`, role: 'agency', agency });

  /** `agency`: the topic's, which only that agency may write (ACLs); never the message's say-so. */
  async function onResponse(message: KafkaMessage, agency: Agency): Promise<Outcome> {
    const json = parseJson(message);
    if (json && typeof json === 'object' && 'command' in json) return onWriteBack(message, json, agency);
    const parsed = parse(AgencyResponse, message, json);
    if (isOutcome(parsed)) return parsed;
    const { pathwayId, referralId, response, reason, readyFrom } = parsed;
    return outcomeOf(
      await pathways.record(agencyActor(agency), pathwayId, 'referral-response', {
        referralId,
        agency,
        response,
        reason,
        readyFrom,
      }),
    );
  }

  /**
   * A write-back (issue 24) runs as the command of that name, as the topic's agency. The message id
   * is the agency's own request id: a message delivered twice is recorded once, even a command that
   * records no fact the rules could call a duplicate (a review: two alike are two reviews).
   */
  async function onWriteBack(message: KafkaMessage, json: object, agency: Agency): Promise<Outcome> {
    const parsed = parse(AgencyWriteBack, message, json) as AgencyWriteBack | Outcome;
    if (isOutcome(parsed)) return parsed;
    const { messageId, pathwayId, command: name, ...payload } = parsed;
    return outcomeOf(
      await pathways.record(
        agencyActor(agency),
        pathwayId,
        name,
        { ...payload, agency },
        `kafka:${agency}:${messageId}`,
      ),
    );
  }

  async function onAdt(message: KafkaMessage): Promise<Outcome> {
    const parsed = parse(AdtMessage, message);
    if (isOutcome(parsed)) return parsed;
    switch (parsed.type) {
      case 'admission':
        return outcomeOf(await admissions.admit(adtActor, parsed));
      case 'discharge':
        return outcomeOf(
          await admissions.discharge(adtActor, parsed.admissionId, {
            date: parsed.date,
            destination: parsed.destination,
          }),
        );
      case 'cancel-admission':
        return outcomeOf(await admissions.cancel(adtActor, parsed.admissionId));
    }
  }

  return async (topic: string, message: KafkaMessage): Promise<Outcome> => {
    const agency = agencyOfResponses(topic);
    if (agency) return onResponse(message, agency);
    if (topic === topics.adt) return onAdt(message);
    return rejected(`unexpected topic ${topic}`);
  };
}
