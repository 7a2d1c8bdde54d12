import { describe, expect, it } from 'vitest';
import { decodeCloudEvent } from '../projections/recorded-event';
import { foldTimeline, pathwayRow } from '../readmodel/pathways/row';
import { seedPathway } from '../tools/bench/seed-pathways';

// The read-side benchmark seeds its read model with these pathways: they must be what the
// workflow would publish, and the mix a manager's screen really shows.
const now = Date.parse('2026-06-15T12:00:00.000Z');
const today = '2026-06-15';
const mix = Array.from({ length: 2_000 }, (_, i) => seedPathway('spec', i, now));

describe("the read-side benchmark's seeded pathways", () => {
  it("are published as the projector reads the workflow's events: key, id header and envelope", () => {
    for (const pathway of mix.slice(0, 200)) {
      expect(pathway.messages).toHaveLength(pathway.events.length);
      pathway.messages.forEach((message, i) => {
        expect(message.topic).toBe('homeward.pathway.events');
        expect(message.key).toBe(pathway.pathwayId);
        expect(message.headers?.ce_id).toBe(`${pathway.pathwayId}/${i + 1}`);
        expect(decodeCloudEvent(message.value)).toEqual({
          ok: true,
          event: { pathwayId: pathway.pathwayId, recorded: pathway.events[i] },
        });
      });
    }
  });

  it('end in every stage a stay goes through, open and closed, on every pathway P0–P3', () => {
    const stages = new Set(mix.map((p) => p.stage));
    for (const stage of [
      'admitted',
      'assessment',
      'arranging',
      'readmission_watch',
      'intermediate_care',
      'handed_back',
      'cancelled',
    ])
      expect(stages).toContain(stage);
    const pathways = new Set(
      mix.flatMap((p) =>
        p.events.flatMap(({ event }) => (event.type === 'assessment.completed' ? [event.pathway] : [])),
      ),
    );
    expect([...pathways].sort()).toEqual(['P0', 'P1', 'P2', 'P3']);
  });

  it('give the read model delayed stays with reasons, stuck ones, several sites and local authorities', () => {
    const rows = mix.map((p) => pathwayRow(p.pathwayId, foldTimeline(p.events), today)!);
    const delayed = rows.filter((r) => r.daysDelayed > 0 && r.inHospital);
    expect(delayed.length).toBeGreaterThan(100);
    expect(delayed.filter((r) => r.reasonCodes.length > 0).length).toBeGreaterThan(50);
    expect(new Set(delayed.flatMap((r) => r.reasonCodes))).toContain('awaiting_medical_decision');
    expect(rows.filter((r) => r.overdueSince !== null).length).toBeGreaterThan(20);
    expect(rows.filter((r) => r.status === 'closed').length).toBeGreaterThan(200);
    expect(new Set(rows.map((r) => r.site)).size).toBe(6);
    expect(new Set(rows.map((r) => r.localAuthority)).size).toBe(4);
  });

  it('never happen after now, and the same index gives the same pathway', () => {
    for (const pathway of mix)
      for (const { event } of pathway.events) expect(Date.parse(event.at)).toBeLessThanOrEqual(now);
    expect(seedPathway('spec', 7, now)).toEqual(mix[7]);
  });
});
