import { patientKey } from '../config/patient-key';
import { pathwayIdOf, reopensPathway, watchStages } from '../domain';
import type { Actor } from '../schemas/actor';
import type { AdtMessage } from '../schemas/inbound';
import { AppError } from './errors';
import type { PathwayWorkflows } from './pathway-workflows';
import type { NewStay, Pathways, Recorded } from './pathways';

type Admission = Extract<AdtMessage, { type: 'admission' }>;

/**
 * The hospital's ADT feed as use cases: an admission (a new stay, or the readmission of one in its
 * 30-day watch), a discharge, an admission cancelled. Each answers applied, duplicate (the message
 * came again) or refused; an error reaching Temporal is thrown, for the message to be retried.
 */
export class Admissions {
  constructor(
    private readonly store: PathwayWorkflows,
    private readonly pathways: Pathways,
    private readonly patientKeySecret: string,
  ) {}

  async admit(actor: Actor, admission: Admission): Promise<Recorded> {
    const { admissionId, patient, site, localAuthority, ward, admittedAt } = admission;
    const newStay: NewStay = { patient, site, localAuthority, ...(ward ? { ward } : {}), admittedAt };
    const previous = reopensPathway(admission) ? await this.readmitting(actor, admission, newStay) : undefined;
    if (previous?.kind === 'refused') return previous;
    const linked = previous?.pathwayId;
    try {
      const started =
        previous?.started ?? (await this.pathways.start(actor, { ...newStay, admissionId, previousPathwayId: linked }));
      return {
        kind: started.created ? 'applied' : 'duplicate',
        detail: `${started.pathwayId} started${linked ? `, readmission of ${linked}` : ''}`,
      };
    } catch (error) {
      return refusal(error);
    }
  }

  /**
   * The patient's stay in its watch this emergency readmits, most recent first, and the new stay
   * started linked to it; the stay it already readmitted when the message comes again.
   */
  private async readmitting(actor: Actor, admission: Admission, newStay: NewStay) {
    const own = pathwayIdOf(admission.admissionId);
    // The readmission names the day of the admission, as the PAS wrote it.
    const readmission = {
      newAdmissionId: admission.admissionId,
      admittedOn: admission.admittedAt.slice(0, 10),
      emergency: true,
    };
    for (const pathwayId of await this.staysInWatch(admission.patient.nhsNumber)) {
      if (pathwayId === own) continue;
      const { state, stage } = await this.store.view(pathwayId);
      if (state.readmission?.newAdmissionId === admission.admissionId) return { kind: 'linked' as const, pathwayId };
      if (stage === 'readmitted') continue;
      try {
        const { linked } = await this.pathways.readmit(actor, pathwayId, readmission, newStay);
        if (linked) return { kind: 'linked' as const, pathwayId, started: linked };
      } catch (error) {
        if (!(error instanceof AppError) || error.kind === 'unavailable') throw error;
        // Readmitted, but the new stay could not start: that is the answer. Otherwise the rules
        // refused to reopen this stay (its watch is over, say): the next, if any.
        const readmitted =
          (await this.store.view(pathwayId)).state.readmission?.newAdmissionId === admission.admissionId;
        if (readmitted) return refusal(error);
      }
    }
    return undefined;
  }

  /** The patient's pathways that may be in their 30-day watch, or readmitted already (Temporal visibility: a moment behind). */
  private async staysInWatch(nhsNumber: string): Promise<string[]> {
    const stays = await this.store.ofPatient(patientKey(nhsNumber, this.patientKeySecret), [
      ...watchStages,
      'readmitted',
    ]);
    return stays.map((stay) => stay.pathwayId);
  }

  async discharge(
    actor: Actor,
    admissionId: string,
    discharge: { date: string; destination: string },
  ): Promise<Recorded> {
    return this.pathways.record(actor, pathwayIdOf(admissionId), 'discharge', discharge);
  }

  async cancel(actor: Actor, admissionId: string): Promise<Recorded> {
    return this.pathways.record(actor, pathwayIdOf(admissionId), 'cancel', { reason: 'admission_cancelled' });
  }
}

/** A refusal, said as code: message; anything else (Temporal unreachable) is thrown. */
function refusal(error: unknown): Recorded & { kind: 'refused' } {
  if (error instanceof AppError && error.kind !== 'unavailable')
    return { kind: 'refused', reason: `${error.code}: ${error.message}` };
  throw error;
}
