import { patientKey } from '../config/patient-key';
import { resolvePolicy, type Policy } from '../domain';
import type { Actor } from '../schemas/actor';
import { StartPayload, commandSchemas, type CommandName } from '../schemas/commands';
import { Region, type Agency } from '../schemas/common';
import { pathwayWorkflowId, type CommandOutcome, type PathwayInput, type PathwayView, type RecordedPathwayEvent } from '../workflows/definitions';
import { agencyPathwayView, type AgencyPathwayView } from './agency-view';
import { AppError, forbidden, invalid, notFound } from './errors';
import type { PathwayStore } from './pathway-store';
import { authorize, mayActOnSite, visibility, type Visibility } from './permissions';

export interface PathwaySettings {
  region: Region;
  policyOverrides: unknown;
  patientKeySecret: string;
}

export type PathwayRead = ({ view: 'full' } & PathwayView) | ({ view: 'agency' } & AgencyPathwayView);

const isCommand = (name: string): name is CommandName => Object.hasOwn(commandSchemas, name);

/**
 * The use cases on pathways: start, read, command. Every transport (HTTP, CLI through HTTP, the
 * Kafka bridges) comes through here with an actor, and the rules in permissions.ts apply to all.
 */
export class Pathways {
  /** Resolved once: loadConfig has validated the overrides, so this cannot fail per request. */
  private readonly policies: Record<Region, Policy>;

  constructor(
    private readonly store: PathwayStore,
    private readonly settings: PathwaySettings,
  ) {
    this.policies = Object.fromEntries(Region.options.map((r) => [r, resolvePolicy(r, settings.policyOverrides)])) as Record<Region, Policy>;
  }

  async start(actor: Actor, body: unknown): Promise<{ pathwayId: string; created: boolean }> {
    authorize(actor, 'pathway:start');
    const parsed = StartPayload.safeParse(body);
    if (!parsed.success) throw invalid(parsed.error);
    const payload = parsed.data;
    if (!mayActOnSite(actor, payload.site)) throw forbidden('pathway:start', `site ${payload.site} is not one of this user's sites`);
    const pathwayId = pathwayWorkflowId(payload.admissionId);
    const input: PathwayInput = {
      start: { ...payload, type: 'start', at: new Date().toISOString() },
      policy: this.policies[payload.region ?? this.settings.region],
      patientKey: patientKey(payload.patient.nhsNumber, this.settings.patientKeySecret),
      actor,
    };
    // Idempotent per admission: starting the same admission again answers with the same pathway.
    return { pathwayId, created: await this.store.start(pathwayId, input) };
  }

  /** The pathway as this actor may see it: in full, or an agency's minimised view; 404 if not at all. */
  async read(actor: Actor, pathwayId: string): Promise<PathwayRead> {
    authorize(actor, 'pathway:read');
    const { view, seen } = await this.visible(actor, pathwayId);
    if (seen.kind === 'agency') return { view: 'agency', ...agencyPathwayView(pathwayId, view.timeline, seen.agency) };
    return { view: 'full', ...view };
  }

  /** The timeline alone (with actors for the trust's staff; an agency gets its own events). */
  async timeline(actor: Actor, pathwayId: string): Promise<{ pathwayId: string; timeline: RecordedPathwayEvent[] } | AgencyPathwayView> {
    const read = await this.read(actor, pathwayId);
    if (read.view === 'agency') {
      const { view: _view, ...agencyView } = read;
      return agencyView;
    }
    return { pathwayId, timeline: read.timeline };
  }

  /**
   * Runs a pathway command for the actor. An agency answers only its own referrals and records
   * delay reasons only as itself. An accepted readmission also starts the new stay's pathway,
   * linked to this one, with the same patient (the ADT bridge starts it itself, from the PAS's data).
   */
  async command(
    actor: Actor,
    pathwayId: string,
    name: string,
    body: unknown,
    options: { startLinkedPathway?: boolean } = {},
  ): Promise<CommandOutcome & { linkedPathwayId?: string }> {
    if (!isCommand(name)) {
      throw new AppError('not_found', 'unknown_command', `Unknown pathway command "${name}"; known: ${Object.keys(commandSchemas).join(', ')}`);
    }
    authorize(actor, `command:${name}`);
    // Unrestricted staff may act on any pathway: spare them the extra query, unless it is needed
    // anyway. Everyone else learns nothing, not even whether the body is valid, about a pathway
    // they may not see.
    const restricted = actor.role === 'agency' || actor.sites !== undefined;
    const linking = name === 'readmission' && (options.startLinkedPathway ?? true);
    const seen = restricted || linking ? await this.visible(actor, pathwayId) : undefined;
    const parsed = commandSchemas[name].safeParse(body ?? {});
    if (!parsed.success) throw invalid(parsed.error);
    const payload = parsed.data as Record<string, unknown>;
    if (actor.role === 'agency' && 'agency' in payload && payload.agency !== actor.agency) {
      throw forbidden(`command:${name}`, `an agency acts only as itself (${actor.agency}), not as ${String(payload.agency)}`);
    }
    const outcome = await this.store.command(pathwayId, name, payload, actor);
    if (linking && seen && outcome.stage === 'readmitted') {
      const readmission = payload as { newAdmissionId: string; admittedOn: string };
      const { state } = seen.view;
      const started = await this.start(actor, {
        admissionId: readmission.newAdmissionId,
        patient: state.patient,
        site: state.site,
        localAuthority: state.localAuthority,
        region: state.region,
        admittedAt: `${readmission.admittedOn}T00:00:00.000Z`,
        previousPathwayId: pathwayId,
      });
      return { ...outcome, linkedPathwayId: started.pathwayId };
    }
    return outcome;
  }

  /** The pathway and how much of it the actor may see; a pathway it may not see is "not found". */
  private async visible(actor: Actor, pathwayId: string): Promise<{ view: PathwayView; seen: Exclude<Visibility, { kind: 'none' }> }> {
    if (pathwayId.length === 0) throw notFound(pathwayId);
    const view = await this.store.view(pathwayId);
    const referralAgencies = [...new Set(view.state.referrals.map((r) => r.agency))] as Agency[];
    const seen = visibility(actor, { site: view.state.site ?? '', referralAgencies });
    if (seen.kind === 'none') throw notFound(pathwayId);
    return { view, seen };
  }
}
