import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The hazard log's evidence must exist: each test it names, in the file it names, by its title.
const root = path.join(__dirname, '..');
const log = fs.readFileSync(path.join(root, 'docs', 'clinical-safety', 'hazard-log.md'), 'utf8');
const hazards = log
  .split(/^### /m)
  .slice(1)
  .map((entry) => ({
    id: entry.slice(0, entry.indexOf(' ')),
    evidence: [...entry.matchAll(/^\s+- `([^`]+)`: "(.+)"$/gm)].map(([, file, title]) => ({ file, title })),
    text: entry,
  }));

/** Whether the file declares a test (`it(…`, `it.each(…)(…`) whose title is exactly this. */
function declares(file: string, title: string): boolean {
  const source = fs.readFileSync(path.join(root, file), 'utf8');
  const quoted = ["'", '"', '`'].map((quote) => `${quote}${title}${quote}`);
  return source
    .split('\n')
    .some((line) => /^\s*it(\.each\(.*\))?\(/.test(line) && quoted.some((q) => line.includes(q)));
}

describe('the hazard log (docs/clinical-safety/hazard-log.md)', () => {
  it('has DCB0129 entries, each with cause, effect, risk before and after, mitigation and evidence', () => {
    expect(hazards.length).toBeGreaterThanOrEqual(14);
    expect(new Set(hazards.map((h) => h.id)).size).toBe(hazards.length);
    for (const hazard of hazards) {
      for (const field of [
        '**Cause**',
        '**Effect**',
        '**Initial risk**',
        '**Mitigation**',
        '**Evidence**',
        '**Residual risk**',
      ])
        expect(hazard.text, `${hazard.id} ${field}`).toContain(field);
      expect(hazard.evidence.length, `${hazard.id} evidence`).toBeGreaterThan(0);
    }
  });

  it.each(hazards.flatMap((h) => h.evidence.map((e) => [h.id, e.file, e.title])))(
    '%s: %s declares "%s"',
    (_id, file, title) => {
      expect(fs.existsSync(path.join(root, file)), `${file} exists`).toBe(true);
      expect(declares(file, title), `${file} has a test titled "${title}"`).toBe(true);
    },
  );

  it('would notice a test that is not there', () => {
    expect(declares('test/domain/safe-for-the-patient.test.ts', 'a self-discharge cancels the pathway')).toBe(false);
  });
});
