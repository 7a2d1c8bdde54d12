import { randomUUID } from 'node:crypto';
import { toCloudEvent } from '../../kafka/envelopes';
import { resolvePolicy } from '../../domain';
import { topics } from '../../kafka/topics';
import type { Actor } from '../../schemas/actor';
import type { PathwayCommand } from '../../schemas/commands';
import type { Region } from '../../schemas/common';
import { history } from '../domain/spec';
import type { externalProducer } from './produce';

/**
 * A pathway's history made by the domain's decider (any dates, timers included) and published on
 * homeward.pathway.events exactly as the workflow publishes it: how tests give the projector
 * stays that are weeks old or long closed.
 */
export function seededPathway(
  commands: (admissionId: string) => PathwayCommand[],
  options: { region?: Region; actor?: Actor } = {},
) {
  const admissionId = `S${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const id = `pathway-${admissionId}`;
  const actor = options.actor ?? { subject: 'nurse-1', role: 'discharge-team' as const };
  const events = history(commands(admissionId), resolvePolicy(options.region ?? 'england')).map((event, i) => ({
    sequence: i + 1,
    event,
    actor,
  }));
  return {
    id,
    admissionId,
    events,
    publish: (producer: Awaited<ReturnType<typeof externalProducer>>, from = 0, to = events.length) =>
      Promise.all(
        events.slice(from, to).map((recorded) => producer.send(topics.pathwayEvents, id, toCloudEvent(id, recorded))),
      ),
  };
}
