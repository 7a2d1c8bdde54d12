import { z } from 'zod';
import { foldTimeline } from '../readmodel/pathways/row';
import { storedPathway } from '../readmodel/pathway-history';
import type { PathwayState } from '../domain/state';
import type { Actor } from '../schemas/actor';
import { Agency } from '../schemas/common';
import type { MyPlan } from '../schemas/my-plan';
import { AppError, forbidden, invalid } from './errors';
import type { PathwayWorkflows } from './pathway-workflows';
import type { ReadModel } from './pathways';
import { authorize } from './permissions';
import { planFor } from './plan-text';

/** A person with no plan Homeward knows of is told so plainly (never whether some other pathway exists). */
const noPlan = () => new AppError('not_found', 'no_plan', 'There is no discharge plan for you here yet');
const noAccess = () =>
  forbidden('plan:read', 'no carer access to a plan is recorded for you, or the patient has ended it');

const AccessId = z.string().regex(/^carer-\d{1,4}$/, 'a carer access id, like carer-1');

/**
 * The patient's and carer's own plan (issue 27). Each request binds the person afresh: a patient
 * by the keyed hash of their NHS number (the pathway's PatientKey), a carer by the access the
 * discharge team recorded for their own number's hash, checked in the pathway's live state, so
 * access the patient ended is refused at once (403), whatever the read model has caught up with.
 */
export class MyPlans {
  constructor(
    private readonly store: PathwayWorkflows,
    private readonly readModel?: ReadModel,
  ) {}

  async read(actor: Actor, today = new Date().toISOString().slice(0, 10)): Promise<MyPlan> {
    authorize(actor, 'plan:read');
    const { state } = await this.bound(actor);
    return planFor(state, actor.role === 'carer' ? 'carer' : 'patient', today);
  }

  /** The patient withdraws a consent they gave: recorded as theirs, as the ward would record it. */
  async withdrawConsent(actor: Actor, agency: string): Promise<MyPlan> {
    authorize(actor, 'plan:withdraw-consent');
    const parsed = Agency.safeParse(agency);
    if (!parsed.success) throw invalid(parsed.error, 'agency');
    const { pathwayId } = await this.bound(actor);
    await this.store.command(pathwayId, 'consent', { agency: parsed.data, given: false, givenBy: 'patient' }, actor);
    return this.read(actor);
  }

  /** The patient ends a carer's access to their plan. */
  async revokeCarerAccess(actor: Actor, accessId: string): Promise<MyPlan> {
    authorize(actor, 'plan:revoke-carer-access');
    const parsed = AccessId.safeParse(accessId);
    if (!parsed.success) throw invalid(parsed.error, 'accessId');
    const { pathwayId } = await this.bound(actor);
    await this.store.command(pathwayId, 'carer-access-revoked', { accessId: parsed.data }, actor);
    return this.read(actor);
  }

  private async bound(actor: Actor): Promise<{ pathwayId: string; state: PathwayState }> {
    const key = actor.personKey;
    if (!key || (actor.role !== 'patient' && actor.role !== 'carer'))
      throw forbidden('plan:read', 'only a patient or carer has a plan of their own');
    if (actor.role === 'patient') {
      const pathwayId = await this.store.latestOfPatient(key);
      if (!pathwayId) throw noPlan();
      return { pathwayId, state: await this.state(pathwayId) };
    }
    for (const pathwayId of await this.carersPathways(key)) {
      const state = await this.state(pathwayId);
      if (state.carerAccess?.some((access) => access.carerKey === key && !access.revokedAt))
        return { pathwayId, state };
    }
    throw noAccess();
  }

  /** Pathways on which access was ever recorded for this carer, newest first (the live state says whether it still holds). */
  private async carersPathways(key: string): Promise<string[]> {
    if (!this.readModel)
      throw new AppError(
        'unavailable',
        'no_read_model',
        'The read model is not configured in this process (DATABASE_URL)',
      );
    const { rows } = await this.readModel.db.query<{ pathway_id: string }>(
      `SELECT pathway_id FROM pathway_events WHERE type = 'carer_access.granted' AND event->>'carerKey' = $1 GROUP BY pathway_id ORDER BY max(at) DESC LIMIT 5`,
      [key],
    );
    return rows.map((row) => row.pathway_id);
  }

  /** The live state while the workflow runs; the read model's once Temporal has forgotten it. */
  private async state(pathwayId: string): Promise<PathwayState> {
    try {
      return (await this.store.view(pathwayId)).state;
    } catch (error) {
      if (!(error instanceof AppError && error.kind === 'not_found') || !this.readModel) throw error;
      const stored = await storedPathway(this.readModel.db, pathwayId);
      if (!stored) throw noPlan();
      return foldTimeline(stored.timeline(this.readModel.cipher)).state;
    }
  }
}
