import type { KafkaMessage } from 'kafkajs';
import type { z } from 'zod';
import type { Application } from '../app';
import { AppError } from '../app/errors';
import { patientKey } from '../config/patient-key';
import { adtActor, type Actor } from '../schemas/actor';
import type { Agency } from '../schemas/common';
import type { Outcome } from '../kafka/inbound-consumer';
import { agencyOfResponses, topics } from '../kafka/topics';
import { AdtMessage, AgencyResponse, AgencyWriteBack } from '../schemas/inbound';
import { pathwayWorkflowId } from '../workflows/definitions';
import { searchAttributes as keys } from '../workflows/search-attributes';

const rejected = (reason: string): Outcome => ({ kind: 'rejected', reason });

/** Parses a message against its schema; the reason names fields, never values. */
function parse<T>(schema: z.ZodType<T>, message: KafkaMessage, json: unknown = parseJson(message)): T | Outcome {
  if (json === notJson) return rejected('invalid: not JSON');
  const result = schema.safeParse(json);
  if (!result.success) return rejected(`invalid: ${result.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ')}`);
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
const isOutcome = (value: unknown): value is Outcome => typeof value === 'object' && value !== null && 'kind' in value && 'reason' in value;

/**
 * Turns inbound Kafka messages into pathway commands. Bad, foreign or impossible messages are
 * rejected (→ DLQ); a message whose effect is already recorded is a duplicate (ignored); an
 * error reaching Temporal is thrown, so the message is retried rather than lost.
 */
export function createInboundHandler(deps: { app: Application; patientKeySecret: string }) {
  const { pathways, store } = deps.app;
  /** The bridges read pathways as the ADT feed does: in full, to match messages to them. */
  const read = async (pathwayId: string) => {
    const view = await pathways.read(adtActor, pathwayId);
    if (view.view !== 'full') throw new Error('the ADT feed reads pathways in full');
    return view;
  };
  const agencyActor = (agency: Agency): Actor => ({ subject: `kafka:agency-${agency}`, role: 'agency', agency });

  /**
   * Runs a command as the sender; a refusal becomes a duplicate (when `already` says its effect is
   * recorded) or a rejection. Anything else (Temporal unreachable) is thrown: the message is retried.
   */
  async function command(actor: Actor, pathwayId: string, name: string, body: unknown, already: (error: AppError) => Promise<boolean>, requestId?: string): Promise<Outcome> {
    try {
      // The ADT admission starts the new stay's pathway itself, from the PAS's own data.
      const outcome = await pathways.command(actor, pathwayId, name, body, { startLinkedPathway: false, ...(requestId ? { requestId } : {}) });
      return { kind: 'applied', detail: `${pathwayId} ${name} → ${outcome.stage}` };
    } catch (error) {
      if (!(error instanceof AppError) || error.kind === 'unavailable') throw error;
      if (error.kind === 'conflict' && (await already(error))) return { kind: 'duplicate', detail: `${pathwayId} ${name}` };
      return rejected(`${error.code}: ${error.message}`);
    }
  }

  /** `agency`: the topic's, which only that agency may write (ACLs); never the message's say-so. */
  async function onResponse(message: KafkaMessage, agency: Agency): Promise<Outcome> {
    const json = parseJson(message);
    if (json && typeof json === 'object' && 'command' in json) return onWriteBack(message, json, agency);
    const parsed = parse(AgencyResponse, message, json);
    if (isOutcome(parsed)) return parsed;
    const { pathwayId, referralId, response, reason, readyFrom } = parsed;
    const sameAnswer: Record<string, string[]> = { accepted: ['accepted', 'ready'], declined: ['declined'], ready: ['ready'] };
    return command(agencyActor(agency), pathwayId, 'referral-response', { referralId, agency, response, reason, readyFrom }, async () => {
      const view = await read(pathwayId);
      const referral = view.state.referrals.find((r) => r.referralId === referralId);
      return referral?.agency === agency && sameAnswer[response].includes(referral.status);
    });
  }

  /**
   * A write-back (issue 24) runs as the command of that name, as the topic's agency. The rules
   * refuse a fact already recorded as a duplicate; a command that records no such fact (a review:
   * two alike are two reviews) is recorded once per message id, as the agency's own request id
   * (PathwayStore.command), so a message delivered twice is recorded once.
   */
  async function onWriteBack(message: KafkaMessage, json: object, agency: Agency): Promise<Outcome> {
    const parsed = parse(AgencyWriteBack, message, json) as AgencyWriteBack | Outcome;
    if (isOutcome(parsed)) return parsed;
    const { messageId, pathwayId, command: name, ...payload } = parsed;
    return command(agencyActor(agency), pathwayId, name, { ...payload, agency }, async (error) => error.code === 'duplicate', `kafka:${agency}:${messageId}`);
  }

  /** The most recent pathway of this patient that could be in its readmission watch. */
  async function previousPathways(nhsNumber: string): Promise<string[]> {
    const key = patientKey(nhsNumber, deps.patientKeySecret);
    const query =
      `WorkflowType = 'dischargePathway' AND ${keys.patientKey.name} = '${key}' AND ` +
      `${keys.stage.name} IN ('discharged', 'intermediate_care', 'readmission_watch', 'readmitted')`;
    const ids: string[] = [];
    for await (const execution of store.executions(query)) ids.push(execution.workflowId);
    return ids;
  }

  async function onAdt(message: KafkaMessage): Promise<Outcome> {
    const parsed = parse(AdtMessage, message);
    if (isOutcome(parsed)) return parsed;
    const pathwayId = pathwayWorkflowId(parsed.admissionId);
    switch (parsed.type) {
      case 'admission': {
        let linked: string | undefined;
        if (parsed.emergency) {
          for (const previous of await previousPathways(parsed.patient.nhsNumber)) {
            if (previous === pathwayId) continue;
            const view = await read(previous);
            if (view.state.readmission?.newAdmissionId === parsed.admissionId) linked = previous;
            else if (view.stage !== 'readmitted') {
              const outcome = await command(adtActor, previous, 'readmission', { newAdmissionId: parsed.admissionId, admittedOn: parsed.admittedAt.slice(0, 10), emergency: true }, async () => false);
              if (outcome.kind === 'applied') linked = previous;
            }
            if (linked) break;
          }
        }
        const { admissionId, patient, site, localAuthority, ward, admittedAt } = parsed;
        try {
          const started = await pathways.start(adtActor, { admissionId, patient, site, localAuthority, ...(ward ? { ward } : {}), admittedAt, previousPathwayId: linked });
          return { kind: started.created ? 'applied' : 'duplicate', detail: `${started.pathwayId} started${linked ? `, readmission of ${linked}` : ''}` };
        } catch (error) {
          if (error instanceof AppError && error.kind !== 'unavailable') return rejected(`${error.code}: ${error.message}`);
          throw error;
        }
      }
      case 'discharge':
        return command(adtActor, pathwayId, 'discharge', { date: parsed.date, destination: parsed.destination }, async () => {
          const view = await read(pathwayId);
          return view.state.discharge?.date === parsed.date;
        });
      case 'cancel-admission':
        return command(adtActor, pathwayId, 'cancel', { reason: 'admission_cancelled' }, async () => (await read(pathwayId)).stage === 'cancelled');
    }
  }

  return async (topic: string, message: KafkaMessage): Promise<Outcome> => {
    const agency = agencyOfResponses(topic);
    if (agency) return onResponse(message, agency);
    if (topic === topics.adt) return onAdt(message);
    return rejected(`unexpected topic ${topic}`);
  };
}
