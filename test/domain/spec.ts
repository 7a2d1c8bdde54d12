import { expect } from 'vitest';
import {
  CommandRejected,
  decide,
  evolve,
  initialState,
  resolvePolicy,
  type PathwayState,
  type Policy,
} from '../../domain';
import type { PathwayCommand, StartPayload } from '../../schemas/commands';
import type { PathwayEvent } from '../../schemas/events';
import { admission } from '../support/fixtures';

/** A pathway started before the documents' pathway (rules 1): running pathways carry on under it. */
export const rules1: PathwayState = { ...initialState, rules: 1 };

/** A pathway started before a patient meeting the criteria to reside again stopped being ready for discharge (rules 2). */
export const rules2: PathwayState = { ...initialState, rules: 2 };

/** A pathway started before the rules that keep the patient safe (rules 3, before issue 23's rules 4). */
export const rules3: PathwayState = { ...initialState, rules: 3 };

/** Emmett-style specs: given events, when a command, then events (or a rejection). Under the current rules unless `from` says otherwise. */
export function given(...events: PathwayEvent[]) {
  return givenFrom(initialState, ...events);
}

/** The same, for a pathway under rules 1. */
export const givenRules1 = (...events: PathwayEvent[]) => givenFrom(rules1, ...events);

/** The same, from the state a pathway under older rules starts from. */
export function givenFrom(initial: PathwayState, ...events: PathwayEvent[]) {
  return {
    state: (): PathwayState => events.reduce(evolve, initial),
    when(command: PathwayCommand, policy: Policy = resolvePolicy('england')) {
      const state = events.reduce(evolve, initial);
      const run = () => decide(command, state, policy);
      return {
        events: run,
        then(...expected: Partial<PathwayEvent>[]) {
          const actual = run();
          expect(actual).toHaveLength(expected.length);
          expected.forEach((e, i) => expect(actual[i]).toMatchObject(e));
          return actual;
        },
        thenRejects(code: string, message?: RegExp) {
          let caught: unknown;
          try {
            run();
          } catch (error) {
            caught = error;
          }
          expect(caught, 'expected the command to be rejected').toBeInstanceOf(CommandRejected);
          expect((caught as CommandRejected).code).toBe(code);
          if (message) expect((caught as CommandRejected).message).toMatch(message);
          return caught as CommandRejected;
        },
      };
    },
  };
}

/** Runs commands one after another from the start, returning every event: a pathway's history. */
export function history(
  commands: PathwayCommand[],
  policy: Policy = resolvePolicy('england'),
  initial: PathwayState = initialState,
): PathwayEvent[] {
  let state = initial;
  const all: PathwayEvent[] = [];
  for (const command of commands) {
    const events = decide(command, state, policy);
    state = events.reduce(evolve, state);
    all.push(...events);
  }
  return all;
}

export const day = (n: number, time = '10:00:00') => `2026-03-${String(n).padStart(2, '0')}T${time}.000Z`;
export const date = (n: number) => `2026-03-${String(n).padStart(2, '0')}`;

export function start(overrides: Partial<StartPayload> = {}, at = day(1)): PathwayCommand {
  return { ...admission({ admissionId: 'A1', admittedAt: at, ...overrides }), type: 'start', at };
}

/** A health and a social care professional with the patient, who agrees with the plan. */
export const professionalAndPatient = [
  { role: 'nurse' as const },
  { role: 'social_worker' as const },
  { role: 'patient' as const },
];
export const patientAgrees = { agreement: { patient: 'agrees' as const } };

/** A joint assessment by `professionalAndPatient`, which the patient agrees with; no consents added. */
export const assessment = (pathway: string, needs: string[], at: string): PathwayCommand =>
  ({
    type: 'assessment',
    at,
    participants: professionalAndPatient,
    pathway,
    needs,
    consents: [],
    ...patientAgrees,
  }) as PathwayCommand;
