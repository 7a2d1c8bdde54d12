import { describe, expect, it } from 'vitest';
import { splitPersonal } from '../schemas/personal-fields';
import type { PathwayEvent } from '../schemas/events';
import { admission } from '../test/support/fixtures';
import { ageBandOn, initialsOf, patientSummary } from './patient-summary';

describe('the patient as the staff’s pages show them', () => {
  it('initials: the first letter of the first and the last name, whatever the case, spacing or punctuation', () => {
    expect(initialsOf('Mary Ann O’Neill')).toBe('MO');
    expect(initialsOf('  winifred   dumpcheck ')).toBe('WD');
    expect(initialsOf('Smith, John')).toBe('SJ');
    expect(initialsOf('Zoë Ängström-Lee')).toBe('ZÄ');
    expect(initialsOf('Cher')).toBe('C');
    expect(initialsOf("'Bob' Jones")).toBe('BJ');
  });

  it('age bands: whole years on the day, turning at the birthday', () => {
    expect(ageBandOn('1961-03-10', '2026-03-09')).toBe('18-64');
    expect(ageBandOn('1961-03-10', '2026-03-10')).toBe('65-74');
    expect(ageBandOn('1941-12-31', '2026-12-30')).toBe('75-84');
    expect(ageBandOn('1941-12-31', '2026-12-31')).toBe('85+');
    expect(ageBandOn('2009-01-01', '2026-12-31')).toBe('0-17');
    expect(ageBandOn('2008-06-01', '2026-06-01')).toBe('18-64');
  });

  it('comes from a whole start only, aged at admission; the start as the read model stores it (sealed apart) gives none', () => {
    const { patient } = admission({
      patient: { ...admission().patient, name: 'Test Patient', dateOfBirth: '1950-06-15' },
    });
    const started = {
      type: 'pathway.started',
      at: '2026-06-20T10:00:00.000Z',
      pathwayId: 'pathway-A',
      admissionId: 'A',
      patient,
      site: 'S',
      localAuthority: 'L',
      region: 'england',
      admittedAt: '2025-06-14T10:00:00.000Z',
      consents: [],
    } as unknown as PathwayEvent;
    expect(patientSummary(started)).toEqual({ initials: 'TP', ageBand: '65-74' });
    expect(patientSummary(splitPersonal(started).rest)).toBeUndefined();
    expect(patientSummary({ type: 'edd.set', at: '2026-06-20T10:00:00.000Z', date: '2026-06-25' })).toBeUndefined();
  });
});
