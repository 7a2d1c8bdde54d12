import { z } from 'zod';
import type { Actor } from '../schemas/actor';
import type { Database } from '../readmodel/database';
import { delayReport } from '../readmodel/delay-report';
import { freshness, projectorStatus, type Freshness } from '../readmodel/freshness';
import {
  listAgencyPathways,
  listPathways,
  type AgencyPathwaySummary,
  type Cursor,
  type PathwaySummary,
} from '../readmodel/pathways/list';
import { sitrep, type SitrepCounts } from '../readmodel/sitrep';
import { delayTrend, type TrendDay } from '../readmodel/trend';
import { worklistRows } from '../readmodel/worklist';
import { worklistItem, type WorklistItem } from './worklist';
import {
  AgencyListFilters,
  ListFilters,
  ReportFilters,
  SitrepQuery,
  TrendQuery,
  WorklistQuery,
  type PathwayFilters,
} from './filters';
import { AppError, forbidden, invalid } from './errors';
import { authorize, mayActOnSite } from './permissions';

export { ListFilters, ReportFilters } from './filters';

const CursorShape = z.object({ sort: z.string(), value: z.string(), pathwayId: z.string() });
const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
const invalidCursor = (message: string) =>
  new AppError('invalid', 'invalid', `cursor: ${message}`, [{ path: 'cursor', message }]);

function decodeCursor(text: string, sort: string): Cursor {
  const bad = invalidCursor;
  let parsed: z.ZodSafeParseResult<Cursor>;
  try {
    parsed = CursorShape.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw bad('not a cursor this API gave');
  }
  if (!parsed.success) throw bad('not a cursor this API gave');
  if (parsed.data.sort !== sort) throw bad(`the cursor belongs to sort=${parsed.data.sort}, not sort=${sort}`);
  // The value goes to PostgreSQL as the sort key's type: only a value of that type gets that far.
  const numeric = /(daysDelayed|bedDaysLost)$/.test(sort);
  const valid = numeric
    ? /^-?\d{1,9}$/.test(parsed.data.value)
    : /^-?infinity$/.test(parsed.data.value) || /^\d{4}-\d{2}-\d{2}/.test(parsed.data.value);
  if (!valid) throw bad('not a cursor this API gave');
  return parsed.data;
}

/** A forged cursor whose value PostgreSQL cannot read as the sort key's type (SQLSTATE class 22) is the caller's error. */
const cursorRejected =
  (after: Cursor | undefined) =>
  (error: unknown): never => {
    if (after && /^22/.test(String((error as { code?: string }).code)))
      throw invalidCursor('not a cursor this API gave');
    throw error;
  };

/** A site-limited actor sees only its own sites; asking for another site is refused, not silently emptied. */
function sitesOf(
  actor: Actor,
  requested: string | undefined,
  permission: 'pathways:list' | 'reports:read',
): string[] | undefined {
  if (requested !== undefined && !mayActOnSite(actor, requested))
    throw forbidden(permission, `site ${requested} is not one of this user's sites`);
  return actor.sites;
}

function parse<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(query ?? {});
  if (!parsed.success) throw invalid(parsed.error, 'query');
  return parsed.data;
}

/** Today as the domain counts days: the UTC calendar day. */
const utcToday = () => new Date().toISOString().slice(0, 10);

export interface Fresh {
  /** The last event the read model applied, and how many it has still to read. */
  freshness: Freshness;
}

/**
 * Managers' questions (which pathways are stuck or delayed, where, why and for how long), from
 * the read model the projector keeps. The figures are the domain's: the projector computed them.
 */
export class ManagerQueries {
  constructor(
    private readonly db: Database | undefined,
    private readonly settings: { stuckForDays: number },
  ) {}

  private get database(): Database {
    if (!this.db)
      throw new AppError(
        'unavailable',
        'no_read_model',
        'The read model is not configured in this process (DATABASE_URL)',
      );
    return this.db;
  }

  async list(
    actor: Actor,
    query: unknown,
  ): Promise<{ pathways: PathwaySummary[] | AgencyPathwaySummary[]; nextCursor?: string } & Fresh> {
    authorize(actor, 'pathways:list');
    if (actor.role === 'agency') return this.agencyList(actor, query);
    const filters = parse(ListFilters, query);
    const sites = sitesOf(actor, filters.site, 'pathways:list');
    const after = filters.cursor ? decodeCursor(filters.cursor, filters.sort) : undefined;
    const [page, fresh] = await Promise.all([
      listPathways(this.database, { filters, sites, stuckForDays: this.settings.stuckForDays, after }).catch(
        cursorRejected(after),
      ),
      freshness(this.database),
    ]);
    return { pathways: page.pathways, ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}), freshness: fresh };
  }

  /** An agency's list: only the pathways it has been referred on, minimised (no reasons, no other agencies). */
  private async agencyList(
    actor: Actor,
    query: unknown,
  ): Promise<{ pathways: AgencyPathwaySummary[]; nextCursor?: string } & Fresh> {
    if (!actor.agency) throw forbidden('pathways:list', 'an agency token must name its agency');
    const managersOnly = Object.keys(query ?? {}).filter(
      (key) => key in ListFilters.shape && !(key in AgencyListFilters.shape),
    );
    if (managersOnly.length > 0) {
      const issues = managersOnly.map((path) => ({ path, message: 'a managers’ filter, not available to an agency' }));
      throw new AppError('invalid', 'invalid', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
    }
    const filters = parse(AgencyListFilters, query);
    const after = filters.cursor ? decodeCursor(filters.cursor, filters.sort) : undefined;
    const [page, fresh] = await Promise.all([
      listAgencyPathways(this.database, { agency: actor.agency, filters, after }).catch(cursorRejected(after)),
      freshness(this.database),
    ]);
    return { pathways: page.pathways, ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}), freshness: fresh };
  }

  /** Counts and bed-days lost by band, reason, agency, site, local authority and pathway. */
  async delayReport(actor: Actor, query: unknown) {
    authorize(actor, 'reports:read');
    const { format, ...filters } = parse(ReportFilters, query);
    const sites = sitesOf(actor, filters.site, 'reports:read');
    const [report, fresh] = await Promise.all([
      delayReport(this.database, filters as PathwayFilters, sites, this.settings.stuckForDays),
      freshness(this.database),
    ]);
    const { band, reason, agency, site, localAuthority, pathway } = report.by;
    return {
      format: format ?? 'json',
      asOf: utcToday(),
      totals: report.totals,
      byBand: band,
      byReason: reason,
      byAgency: agency,
      bySite: site,
      byLocalAuthority: localAuthority,
      byPathway: pathway,
      freshness: fresh,
    };
  }

  /** One day's SitRep-style return (today's unless the query names a date), per site the actor may see. */
  async sitrep(
    actor: Actor,
    query: unknown,
  ): Promise<{ format: 'csv' | 'json'; date: string; sites: SitrepCounts[] } & Fresh> {
    authorize(actor, 'reports:read');
    const { date = utcToday(), format = 'csv' } = parse(SitrepQuery, query);
    const [sites, fresh] = await Promise.all([sitrep(this.database, date, actor.sites), freshness(this.database)]);
    return { format, date, sites, freshness: fresh };
  }

  /** Patients with a DRD, delayed, and bed-days lost, per day: the dashboard's trend. */
  async trend(actor: Actor, query: unknown): Promise<{ days: TrendDay[] } & Fresh> {
    authorize(actor, 'reports:read');
    const filters = parse(TrendQuery, query);
    const sites = sitesOf(actor, filters.site, 'reports:read');
    const [days, fresh] = await Promise.all([
      delayTrend(this.database, { ...filters, sites }),
      freshness(this.database),
    ]);
    return { days, freshness: fresh };
  }

  /** The discharge team's board: their site's stays in hospital, each with its next action (staff only: an agency sees only its own referrals). */
  async worklist(actor: Actor, query: unknown): Promise<{ pathways: WorklistItem[] } & Fresh> {
    authorize(actor, 'reports:read');
    const { site } = parse(WorklistQuery, query);
    const sites = sitesOf(actor, site, 'reports:read');
    const [rows, fresh] = await Promise.all([worklistRows(this.database, { site, sites }), freshness(this.database)]);
    return { pathways: rows.map(worklistItem), freshness: fresh };
  }

  /** For /health: how far behind the projector is (no token needed: no pathway data). */
  async projector(): Promise<{ status: string } & Partial<Freshness>> {
    try {
      const fresh = await freshness(this.database);
      return { status: projectorStatus(fresh), ...fresh };
    } catch {
      return { status: 'unavailable' };
    }
  }
}
