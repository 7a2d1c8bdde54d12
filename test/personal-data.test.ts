import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { inboundTopics, topics } from '../kafka/topics';
import { startInboundBridges, type RunningBridges } from '../bridges/inbound';
import { admission, jointAssessment, nhsNumber } from './support/fixtures';
import { positionGroupAtEnd } from './support/kafka';
import { externalProducer } from './support/produce';
import { exclusive } from './support/exclusive';
import { eventually, startSystem } from './support/system';

// Personal data never reaches a log line: drive the API and the inbound bridges with a patient's
// details, valid and invalid, and read every line the processes logged.
const lines: string[] = [];
const capture = new Writable({
  write(chunk, _encoding, done) {
    lines.push(String(chunk));
    done();
  },
});
const logger = pino({ level: 'debug' }, capture);

let system: Awaited<ReturnType<typeof startSystem>>;
let bridges: RunningBridges;
// Files whose bridges consume the inbound topics take turns, so none handles another's messages.
let release: () => void;
beforeAll(async () => {
  release = await exclusive('inbound-bridges');
  system = await startSystem({}, logger);
  // The bridges' principal may use only consumer groups starting homeward-.
  const groupId = `homeward-pii-test-${randomUUID()}`;
  await positionGroupAtEnd(inject('kafkaBrokers'), groupId, inboundTopics());
  bridges = await startInboundBridges(system.config, logger, groupId);
});
afterAll(async () => {
  // Given back even if stopping fails, or the other files would wait for ever.
  await Promise.resolve(bridges?.stop()).finally(() => release?.());
  await system?.stop();
});

describe('personal data in logs', () => {
  it('API requests, refused commands and dead-lettered messages log ids and reasons, never patient details', async () => {
    const body = admission({
      patient: {
        ...admission().patient,
        nhsNumber: nhsNumber(),
        name: 'Zebedee Unmistakable',
        address: { line1: '99 Quiet Lane', town: 'Otley', postcode: 'LS21 3AB' },
      },
    });
    await system.call('POST', '/pathways', body);
    await system.call('POST', '/pathways', { ...body, patient: { ...body.patient, nhsNumber: '1234567890' } });
    await system.call('POST', `/pathways/pathway-${body.admissionId}/discharge`, {
      date: '2026-01-01',
      destination: 'usual-residence',
    });
    // The carer's details too, accepted and refused.
    const carer = {
      name: 'Quentin Carerson',
      phone: '0113 496 0999',
      willingAndAble: true,
      carersAssessment: 'accepted',
    };
    const assessment = { ...jointAssessment, pathway: 'P1', needs: ['domiciliary-care'] };
    await system.call('POST', `/pathways/pathway-${body.admissionId}/assessment`, { ...assessment, carer });
    await system.call('POST', `/pathways/pathway-${body.admissionId}/assessment`, {
      ...assessment,
      carer: { ...carer, phone: 'call 0113 496 0999 ask for Quentin Carerson' },
    });
    const producer = await externalProducer('adt');
    const bad = {
      type: 'admission',
      messageId: 'pii-1',
      admissionId: 'bad id with spaces',
      patient: body.patient,
      site: 'S',
      localAuthority: 'L',
      admittedAt: 'yesterday',
      emergency: true,
    };
    await producer.send(topics.adt, 'pii', bad);
    await producer.close();
    await eventually(
      async () => lines.join(''),
      (text) => text.includes('sent to the DLQ'),
    );

    const text = lines.join('');
    expect(text).toContain(`pathway-${body.admissionId}`);
    for (const personal of [
      body.patient.nhsNumber,
      '1234567890',
      body.patient.name,
      '99 Quiet Lane',
      'LS21 3AB',
      body.patient.dateOfBirth,
      'Carerson',
      '496 0999',
    ]) {
      expect(text, personal).not.toContain(personal);
    }
  });
});
