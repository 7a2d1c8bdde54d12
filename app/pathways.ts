import { SealedDataError, type PersonalDataCipher } from '../codec/personal-data-cipher';
import { patientKey } from '../config/patient-key';
import {
  admissionIdOf,
  awaitingAgencies,
  CommandRejected,
  decide,
  delayDay,
  delaySummary,
  effectShownBy,
  inHospitalStages,
  initialState,
  pathwayIdOf,
  resolvePolicy,
  startOfDay,
  type Policy,
  type SentCommand,
} from '../domain';
import { foldTimeline } from '../readmodel/pathways/row';
import type { Database } from '../readmodel/database';
import { freshness, type Freshness } from '../readmodel/freshness';
import { storedPathway, type StoredPathway } from '../readmodel/pathway-history';
import type { PathwayEvent } from '../schemas/events';
import type { Actor } from '../schemas/actor';
import {
  AdmissionId,
  StartPayload,
  commandSchemas,
  requestSchemas,
  type CommandName,
  type CommandOf,
  type StartCommand,
} from '../schemas/commands';
import { Region, type Agency } from '../schemas/common';
import {
  type CommandOutcome,
  type PathwayInput,
  type PathwayView,
  type RecordedPathwayEvent,
} from '../workflows/definitions';
import { informedAgencies } from '../workflows/routing-context';
import { agencyPathwayView, type AgencyPathwayView } from './agency-view';
import { AppError, forbidden, invalid, notFound } from './errors';
import type { PathwayWorkflows } from './pathway-workflows';
import { authorize, mayActOnSite, visibility, type Visibility } from './permissions';

export interface PathwaySettings {
  region: Region;
  policyOverrides: unknown;
  patientKeySecret: string;
}

/** A pathway from the read model, once its workflow is gone: the same view, said to be from there. */
export type StoredView = Omit<PathwayView, 'published' | 'runs'> & { source: 'read-model'; freshness: Freshness };

/** The read model, and the keys its sealed personal data opens with (HOMEWARD_CODEC_KEYS). */
export interface ReadModel {
  db: Database;
  cipher: PersonalDataCipher;
}

/**
 * What became of a command from a feed that may deliver it more than once: applied; a duplicate of
 * one applied before (its effect is already recorded); or refused, saying why (code: message).
 */
export type Recorded = { kind: 'applied' | 'duplicate'; detail: string } | { kind: 'refused'; reason: string };

/** The new stay a readmission starts, as its admission gave it; absent, the stay readmitted's patient, admitted that day. */
export type NewStay = Pick<StartPayload, 'patient' | 'site' | 'localAuthority' | 'ward' | 'admittedAt'>;

export type PathwayRead = ({ view: 'full' } & (PathwayView | StoredView)) | ({ view: 'agency' } & AgencyPathwayView);

/** Agencies referred on a live pathway or sent any of its events (the GP by its discharge summary). */
const agenciesOf = ({ state, timeline }: PathwayView): Agency[] => [
  ...new Set([
    ...state.referrals.map((r) => r.agency),
    ...informedAgencies(timeline.map((recorded) => recorded.event)),
  ]),
];

/** Only ids Homeward could have made reach Temporal: anything else is simply not a pathway. */
function checkPathwayId(pathwayId: string): void {
  const admissionId = admissionIdOf(pathwayId);
  if (admissionId === undefined || !AdmissionId.safeParse(admissionId).success)
    throw notFound(pathwayId.slice(0, 80).replace(/[^\x20-\x7e]/g, '?'));
}

const isCommand = (name: string): name is CommandName => Object.hasOwn(commandSchemas, name);

/** Dotted paths where two pathway.started events differ, ignoring when each was recorded. */
function differingFields(recorded: PathwayEvent | undefined, wanted: PathwayEvent, prefix = ''): string[] {
  const a = (recorded ?? {}) as Record<string, unknown>;
  const b = wanted as Record<string, unknown>;
  return (
    [...new Set([...Object.keys(a), ...Object.keys(b)])]
      // `rules` says which rules the pathway started under, not what the caller sent.
      .filter((key) => key !== 'at' && key !== 'type' && key !== 'rules')
      .flatMap((key) => {
        const [x, y] = [a[key], b[key]];
        if (x && y && typeof x === 'object' && typeof y === 'object' && !Array.isArray(x))
          return differingFields(x as PathwayEvent, y as PathwayEvent, `${prefix}${key}.`);
        return JSON.stringify(x) === JSON.stringify(y) ? [] : [`${prefix}${key}`];
      })
  );
}

/**
 * The use cases on pathways: start, read, command. Every transport (HTTP, CLI through HTTP, the
 * Kafka bridges) comes through here with an actor, and the rules in permissions.ts apply to all.
 */
export class Pathways {
  /** Resolved once: loadConfig has validated the overrides, so this cannot fail per request. */
  private readonly policies: Record<Region, Policy>;

  constructor(
    private readonly store: PathwayWorkflows,
    private readonly settings: PathwaySettings,
    private readonly readModel?: ReadModel,
  ) {
    this.policies = Object.fromEntries(
      Region.options.map((r) => [r, resolvePolicy(r, settings.policyOverrides)]),
    ) as Record<Region, Policy>;
  }

  async start(actor: Actor, body: unknown): Promise<{ pathwayId: string; created: boolean }> {
    authorize(actor, 'pathway:start');
    const parsed = StartPayload.safeParse(body);
    if (!parsed.success) throw invalid(parsed.error);
    const payload = parsed.data;
    if (!mayActOnSite(actor, payload.site))
      throw forbidden('pathway:start', `site ${payload.site} is not one of this user's sites`);
    const pathwayId = pathwayIdOf(payload.admissionId);
    const region = payload.region ?? this.settings.region;
    const heldPackages = payload.previousPathwayId ? await this.heldPackagesOf(payload.previousPathwayId) : [];
    const start: StartCommand = {
      ...payload,
      region,
      ...(heldPackages.length ? { heldPackages } : {}),
      type: 'start',
      at: new Date().toISOString(),
    };
    const policy = this.policies[region];
    // The pathway's own rules judge the start here, so a start they refuse never becomes a workflow.
    let started: PathwayEvent;
    try {
      [started] = decide(start, initialState, policy);
    } catch (error) {
      if (error instanceof CommandRejected)
        throw new AppError('invalid', 'invalid', error.message, [
          { path: error.message.split(':')[0], message: error.message },
        ]);
      throw error;
    }
    const key = patientKey(payload.patient.nhsNumber, this.settings.patientKeySecret);
    await this.refuseSecondStay(key, pathwayId, payload.previousPathwayId);
    const input: PathwayInput = { start, policy, patientKey: key, actor };
    if (await this.store.start(pathwayId, input)) return { pathwayId, created: true };
    // Idempotent per admission: the same admission again answers with the same pathway; a
    // different one is refused, naming the fields that differ (never their values).
    const { view } = await this.visible(actor, pathwayId);
    const differing = differingFields(view.timeline[0]?.event, started);
    if (differing.length > 0) {
      throw new AppError(
        'conflict',
        'admission_conflict',
        `Admission ${payload.admissionId} already has a pathway started with different ${differing.join(', ')}`,
      );
    }
    return { pathwayId, created: false };
  }

  /**
   * The packages the previous stay's pathway put on hold (at the readmission that starts this one),
   * for the new pathway to resume or release. None when that pathway is not running any more.
   */
  private async heldPackagesOf(previousPathwayId: string): Promise<NonNullable<StartCommand['heldPackages']>> {
    try {
      const { state } = await this.store.view(previousPathwayId);
      return state.referrals
        .filter((r) => r.status === 'on_hold')
        .map(({ referralId, service, agency }) => ({ referralId, service, agency }));
    } catch (error) {
      if (error instanceof AppError && error.kind === 'not_found') return [];
      throw error;
    }
  }

  /**
   * One stay in hospital at a time per patient: a start for an NHS number with another pathway still
   * in hospital is another person typed with the same number, or the same person admitted twice.
   * Refused naming that pathway (never the number), unless it is this admission's own pathway (the
   * same start again) or a readmission link, which starts the new stay of a pathway already discharged.
   */
  private async refuseSecondStay(key: string, pathwayId: string, previousPathwayId: string | undefined): Promise<void> {
    if (previousPathwayId) return;
    const other = (await this.store.inHospital(key, inHospitalStages)).find((p) => p.pathwayId !== pathwayId);
    if (other) {
      throw new AppError(
        'conflict',
        'patient_in_hospital',
        `This NHS number already has a pathway in hospital: ${other.pathwayId} (stage ${other.stage}). Carry on with that one; if it was started in error, cancel it first; a stay after its discharge is linked with readmission`,
      );
    }
  }

  /**
   * The pathway as this actor may see it: in full, or an agency's minimised view; 404 if not at
   * all. The live workflow while it exists; the read model once Temporal has forgotten it.
   */
  async read(actor: Actor, pathwayId: string): Promise<PathwayRead> {
    authorize(actor, 'pathway:read');
    checkPathwayId(pathwayId);
    let live: PathwayView;
    try {
      live = await this.store.view(pathwayId);
    } catch (error) {
      if (error instanceof AppError && error.kind === 'not_found' && this.readModel)
        return this.readStored(actor, pathwayId);
      throw error;
    }
    const seen = seenBy(actor, pathwayId, live.state.site, agenciesOf(live));
    if (seen.kind === 'agency') return { view: 'agency', ...agencyPathwayView(pathwayId, live.timeline, seen.agency) };
    return { view: 'full', ...live };
  }

  private async readStored(actor: Actor, pathwayId: string): Promise<PathwayRead> {
    const { timeline, seen, fresh } = await this.stored(actor, pathwayId);
    if (seen.kind === 'agency') return { view: 'agency', ...agencyPathwayView(pathwayId, timeline, seen.agency) };
    const { state } = foldTimeline(timeline);
    const today = new Date().toISOString().slice(0, 10);
    return {
      view: 'full',
      pathwayId,
      stage: state.stage,
      state,
      delay: delaySummary(state, delayDay(state, today)),
      awaitingAgencies: awaitingAgencies(state),
      timeline,
      source: 'read-model',
      freshness: fresh,
    };
  }

  /** The permanent timeline, from the read model (with actors for the trust's staff; an agency gets its own events). */
  async timeline(
    actor: Actor,
    pathwayId: string,
  ): Promise<({ pathwayId: string; timeline: RecordedPathwayEvent[] } | AgencyPathwayView) & { freshness: Freshness }> {
    authorize(actor, 'pathway:read');
    checkPathwayId(pathwayId);
    const { timeline, seen, fresh } = await this.stored(actor, pathwayId);
    if (seen.kind === 'agency') return { ...agencyPathwayView(pathwayId, timeline, seen.agency), freshness: fresh };
    return { pathwayId, timeline, freshness: fresh };
  }

  /** A stored pathway the actor may see, its timeline opened; one it may not see is "not found" before anything is opened. */
  private async stored(actor: Actor, pathwayId: string) {
    if (!this.readModel)
      throw new AppError(
        'unavailable',
        'no_read_model',
        'The read model is not configured in this process (DATABASE_URL)',
      );
    const [stored, fresh] = await Promise.all([
      storedPathway(this.readModel.db, pathwayId),
      freshness(this.readModel.db),
    ]);
    if (!stored) throw notFound(pathwayId);
    const seen = seenBy(actor, pathwayId, stored.state.site, [...stored.referralAgencies, ...stored.informedAgencies]);
    return { timeline: opened(stored, this.readModel.cipher), seen, fresh };
  }

  /**
   * Runs a pathway command for the actor. An agency answers only its own referrals, records
   * delay reasons only as itself, and writes back only for its own referrals and episode. A
   * readmission is the readmission use case (the new stay's pathway starts too).
   */
  async command(
    actor: Actor,
    pathwayId: string,
    name: string,
    body: unknown,
  ): Promise<CommandOutcome & { linkedPathwayId?: string }> {
    if (name === 'readmission') {
      const { outcome, linked } = await this.readmit(actor, pathwayId, body);
      return linked ? { ...outcome, linkedPathwayId: linked.pathwayId } : outcome;
    }
    return (await this.run(actor, pathwayId, name, body)).outcome;
  }

  /**
   * Readmission, for HTTP and the ADT feed alike: the stay in its 30-day watch is reopened (the rules
   * say when), and the new stay's pathway starts, linked to it: from the new admission as the feed
   * gave it, or else with the readmitted stay's patient, admitted on the day the readmission names.
   */
  async readmit(
    actor: Actor,
    pathwayId: string,
    body: unknown,
    newStay?: NewStay,
  ): Promise<{ outcome: CommandOutcome; linked?: { pathwayId: string; created: boolean } }> {
    const { outcome, payload, seen } = await this.run(actor, pathwayId, 'readmission', body);
    if (outcome.stage !== 'readmitted' || !seen) return { outcome };
    const { newAdmissionId, admittedOn } = payload as Omit<CommandOf<'readmission'>, 'type' | 'at'>;
    const { state } = seen.view;
    const stay = newStay ?? {
      patient: state.patient,
      site: state.site,
      localAuthority: state.localAuthority,
      ...(state.ward ? { ward: state.ward } : {}),
      region: state.region,
      admittedAt: startOfDay(admittedOn),
    };
    const linked = await this.start(actor, { ...stay, admissionId: newAdmissionId, previousPathwayId: pathwayId });
    return { outcome, linked };
  }

  /**
   * A command from a feed (the ADT feed, an agency's topic): applied, a duplicate when its effect is
   * already recorded (the message came again), or refused. `requestId`, the sender's id for the
   * message, makes a command that records no such fact (a review: two alike are two reviews)
   * recorded once however often it comes (PathwayWorkflows.command). An error reaching Temporal is thrown:
   * the message is to be retried, not lost.
   */
  async record(actor: Actor, pathwayId: string, name: string, body: unknown, requestId?: string): Promise<Recorded> {
    try {
      const { outcome } = await this.run(actor, pathwayId, name, body, requestId);
      return { kind: 'applied', detail: `${pathwayId} ${name} → ${outcome.stage}` };
    } catch (error) {
      if (!(error instanceof AppError) || error.kind === 'unavailable') throw error;
      if (
        error.kind === 'conflict' &&
        (await this.recordedBefore(pathwayId, { ...(body as object), type: name } as SentCommand, error))
      ) {
        return { kind: 'duplicate', detail: `${pathwayId} ${name}` };
      }
      return { kind: 'refused', reason: `${error.code}: ${error.message}` };
    }
  }

  /** Whether a refused command's effect is recorded already: the rules said duplicate, or the pathway shows it. */
  private async recordedBefore(pathwayId: string, command: SentCommand, refusal: AppError): Promise<boolean> {
    if (refusal.code === 'duplicate') return true;
    const shown = effectShownBy(command);
    return shown !== undefined && shown((await this.store.view(pathwayId)).state);
  }

  /** The command as the actor may give it, given; with the payload as parsed, and the pathway as the actor sees it when it was read. */
  private async run(actor: Actor, pathwayId: string, name: string, body: unknown, requestId?: string) {
    if (!isCommand(name)) {
      throw new AppError(
        'not_found',
        'unknown_command',
        `Unknown pathway command "${name}"; known: ${Object.keys(commandSchemas).join(', ')}`,
      );
    }
    authorize(actor, `command:${name}`);
    checkPathwayId(pathwayId);
    // Unrestricted staff may act on any pathway: spare them the extra query, unless it is needed
    // anyway (a readmission starts the new stay with its patient). Everyone else learns nothing,
    // not even whether the body is valid, about a pathway they may not see.
    const restricted = actor.role === 'agency' || actor.sites !== undefined;
    const seen = restricted || name === 'readmission' ? await this.visible(actor, pathwayId) : undefined;
    const parsed = requestSchemas[name].safeParse(body ?? {});
    if (!parsed.success) throw invalid(parsed.error);
    const payload = this.asPayload(name, parsed.data);
    if (actor.role === 'agency' && 'agency' in payload && payload.agency !== actor.agency) {
      throw forbidden(
        `command:${name}`,
        `an agency acts only as itself (${actor.agency}), not as ${String(payload.agency)}`,
      );
    }
    const outcome = await this.store.command(pathwayId, name, payload, actor, requestId).catch((error: unknown) => {
      throw actor.role === 'agency' ? asAnAgencyIsTold(error, payload) : error;
    });
    return { outcome, payload, seen };
  }

  /** A carer is named by their NHS number's keyed hash: the number never reaches the pathway. */
  private asPayload(name: CommandName, request: Record<string, unknown>): Record<string, unknown> {
    if (name !== 'carer-access') return request;
    const { nhsNumber, ...rest } = request as { nhsNumber: string };
    return { ...rest, carerKey: patientKey(nhsNumber, this.settings.patientKeySecret) };
  }

  /** The pathway and how much of it the actor may see; a pathway it may not see is "not found". */
  private async visible(
    actor: Actor,
    pathwayId: string,
  ): Promise<{ view: PathwayView; seen: Exclude<Visibility, { kind: 'none' }> }> {
    const view = await this.store.view(pathwayId);
    return { view, seen: seenBy(actor, pathwayId, view.state.site, agenciesOf(view)) };
  }
}

/**
 * An agency that names a referral which is not its own is told exactly what it would be told of one
 * that does not exist (the same code, the same words): probing ref-1, ref-2 … reveals neither which
 * other agencies a pathway it shares is referred to nor how many referrals it has. The discharge
 * team, the trust's own staff answering on agencies' behalf, are told the precise reason.
 */
function asAnAgencyIsTold(error: unknown, payload: Record<string, unknown>): unknown {
  const notItsOwn =
    error instanceof AppError &&
    error.kind === 'conflict' &&
    ['wrong_agency', 'unknown_referral', 'unknown_episode'].includes(error.code);
  if (!notItsOwn) return error;
  // An episode is named by the pathway, a referral by its id: each is answered as if it did not exist.
  return 'referralId' in payload
    ? new AppError(
        'conflict',
        'unknown_referral',
        `referralId: no referral ${String(payload.referralId)} of yours on this pathway`,
      )
    : new AppError('conflict', 'unknown_episode', 'no intermediate-care episode of yours is under way on this pathway');
}

/** A stored timeline whole; personal data this process has no key for is a clear 503 naming the key id, not a crash. */
function opened(stored: StoredPathway, cipher: PersonalDataCipher): RecordedPathwayEvent[] {
  try {
    return stored.timeline(cipher);
  } catch (error) {
    if (error instanceof SealedDataError) throw new AppError('unavailable', 'personal_data_sealed', error.message);
    throw error;
  }
}

/** How much of a pathway the actor may see; a pathway it may not see at all is "not found". */
function seenBy(
  actor: Actor,
  pathwayId: string,
  site: string | undefined,
  agencies: Agency[],
): Exclude<Visibility, { kind: 'none' }> {
  const seen = visibility(actor, { site: site ?? '', agencies });
  if (seen.kind === 'none') throw notFound(pathwayId);
  return seen;
}
