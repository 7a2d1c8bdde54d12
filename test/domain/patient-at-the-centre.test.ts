import { describe, expect, it } from 'vitest';
import { activeReasons, delaySummary, evolve, initialState, resolvePolicy } from '../../domain';
import type { PathwayCommand } from '../../schemas/commands';
import type { PathwayEvent } from '../../schemas/events';
import { started } from './events';
import { date, day, given, history, professionalAndPatient } from './spec';

// The joint assessment and consent as the documents describe them (rules 2).
/** Admitted with no consents yet, the discharge ready date the 2nd: written out, never decided. */
const admitted = (): PathwayEvent[] => [
  started({ consents: [] }),
  { type: 'discharge_ready.recorded', at: day(2), date: date(2) },
];
/** The admitted pathway, then what the commands under test decide from there. */
const after = (...commands: PathwayCommand[]) => [
  ...admitted(),
  ...history(commands, resolvePolicy('england'), admitted().reduce(evolve, initialState)),
];
const assess = (fields: Record<string, unknown>): PathwayCommand =>
  ({
    type: 'assessment',
    at: day(3),
    participants: professionalAndPatient,
    pathway: 'P1',
    needs: ['domiciliary-care'],
    consents: [],
    agreement: { patient: 'agrees' },
    ...fields,
  }) as PathwayCommand;
const consent = (fields: Record<string, unknown>): PathwayCommand =>
  ({ type: 'consent', at: day(4), agency: 'social-care', given: true, ...fields }) as PathwayCommand;
const lacksCapacity = (role: 'attorney' | 'deputy' | 'advocate') => ({
  participants: [{ role: 'nurse' }, { role: 'social_worker' }, { role: 'carer' }],
  patientAbsent: 'lacks_capacity',
  bestInterests: { representative: { role, name: 'Representative Name' } },
});

describe('who takes part in the joint assessment', () => {
  it('P1–P3 need a social care professional, who leads on need and funding, and a health professional', () => {
    given(...admitted())
      .when(assess({ participants: [{ role: 'nurse' }, { role: 'occupational_therapist' }, { role: 'patient' }] }))
      .thenRejects('invalid', /social care professional/);
    given(...admitted())
      .when(assess({ participants: [{ role: 'care_manager' }, { role: 'patient' }] }))
      .thenRejects('invalid', /health professional/);
    given(...admitted())
      .when(assess({ participants: [{ role: 'care_manager' }, { role: 'physiotherapist' }, { role: 'patient' }] }))
      .then({ type: 'assessment.completed' }, { type: 'referral.requested' });
    // P0 (home, no new support): one professional is enough.
    given(...admitted())
      .when(assess({ participants: [{ role: 'nurse' }, { role: 'patient' }], pathway: 'P0', needs: [] }))
      .then({ type: 'assessment.completed' }, { type: 'pathway.ready_for_discharge' });
  });

  it("records the assessment's summary once, for every agency", () => {
    const summary = { functionalNeeds: ['help to dress'], goals: ['make a hot drink'] };
    given(...admitted())
      .when(assess({ summary }))
      .then({ type: 'assessment.completed', summary }, {});
    expect(given(...after(assess({ summary }))).state().assessment?.summary).toEqual(summary);
  });

  it('the patient takes part, or the reason they do not is recorded', () => {
    const withoutPatient = { participants: [{ role: 'nurse' }, { role: 'social_worker' }, { role: 'carer' }] };
    given(...admitted())
      .when(assess(withoutPatient))
      .thenRejects('invalid', /patientAbsent: the patient takes part, or the reason/);
    given(...admitted())
      .when(assess({ ...withoutPatient, patientAbsent: 'too_unwell', agreement: undefined }))
      .then({ type: 'assessment.completed', patientAbsent: 'too_unwell' }, {});
    given(...admitted())
      .when(assess({ patientAbsent: 'declined' }))
      .thenRejects('invalid', /patientAbsent: the patient is among the participants/);
  });

  it("the patient's agreement with the plan and destination is recorded; a disagreement shows as a delay on the patient or family", () => {
    given(...admitted())
      .when(assess({ agreement: undefined }))
      .thenRejects('invalid', /agreement\.patient/);
    const disagreed = after(assess({ agreement: { patient: 'disagrees', family: 'disagrees' } }));
    expect(activeReasons(given(...disagreed).state()).filter((r) => r.code === 'family_not_in_agreement')).toEqual([
      { code: 'family_not_in_agreement', agency: 'acute-trust', waitingOn: 'patient', since: day(3), derived: true },
      { code: 'family_not_in_agreement', agency: 'acute-trust', waitingOn: 'family', since: day(3), derived: true },
    ]);
    // A new assessment that records agreement clears it.
    const agreed = after(assess({ agreement: { patient: 'disagrees' } }), assess({ agreement: { patient: 'agrees' } }));
    expect(activeReasons(given(...agreed).state()).map((r) => r.code)).not.toContain('family_not_in_agreement');
  });

  it('a patient who lacks capacity has a best-interests decision naming their attorney, deputy or advocate', () => {
    given(...admitted())
      .when(assess({ ...lacksCapacity('advocate'), bestInterests: undefined }))
      .thenRejects('invalid', /bestInterests: a patient who lacks capacity/);
    given(...admitted())
      .when(assess(lacksCapacity('advocate')))
      .then(
        {
          type: 'assessment.completed',
          patientAbsent: 'lacks_capacity',
          bestInterests: { representative: { role: 'advocate', name: 'Representative Name' } },
        },
        { type: 'referral.requested' },
      );
  });

  it('the carer cannot consent at the assessment for an adult who has capacity but did not take part', () => {
    const absent = {
      participants: [{ role: 'nurse' }, { role: 'social_worker' }, { role: 'carer' }],
      patientAbsent: 'too_unwell',
      agreement: undefined,
    };
    given(...admitted())
      .when(assess({ ...absent, consents: ['social-care'] }))
      .thenRejects('invalid', /a carer cannot consent for an adult with capacity/);
  });

  it('consent at the assessment records who gave it: the patient, or whoever decides for a patient who lacks capacity', () => {
    given(...admitted())
      .when(assess({ consents: ['social-care'] }))
      .then(
        { type: 'assessment.completed' },
        { type: 'consent.recorded', agency: 'social-care', givenBy: 'patient' },
        {},
      );
    given(...admitted())
      .when(assess({ ...lacksCapacity('attorney'), consents: ['social-care'] }))
      .then({}, { type: 'consent.recorded', givenBy: 'attorney' }, {});
    given(...admitted())
      .when(assess({ ...lacksCapacity('advocate'), consents: ['social-care'] }))
      .then({}, { type: 'consent.recorded', givenBy: 'best_interests' }, {});
  });
});

describe('consent records who gave it and on what basis', () => {
  const assessed = (fields: Record<string, unknown> = {}) => after(assess(fields));

  it('the patient unless said otherwise; a carer never consents for an adult', () => {
    given(...assessed())
      .when(consent({}))
      .then({ type: 'consent.recorded', givenBy: 'patient' });
    given(...assessed())
      .when(consent({ givenBy: 'carer' }))
      .thenRejects('invalid', /a carer cannot consent for an adult/);
    given(...assessed(lacksCapacity('advocate')))
      .when(consent({ givenBy: 'carer' }))
      .thenRejects('invalid', /a carer cannot consent/);
  });

  it('an attorney, deputy or best-interests decision only for a patient assessed as lacking capacity', () => {
    given(...assessed())
      .when(consent({ givenBy: 'attorney' }))
      .thenRejects('invalid', /only for a patient assessed as lacking capacity/);
    given(...assessed(lacksCapacity('attorney')))
      .when(consent({}))
      .thenRejects('invalid', /lacking capacity and is represented by their attorney: consent is given by attorney/);
    given(...assessed(lacksCapacity('attorney')))
      .when(consent({ givenBy: 'best_interests' }))
      .thenRejects('invalid', /given by attorney/);
    given(...assessed(lacksCapacity('deputy')))
      .when(consent({ givenBy: 'deputy' }))
      .then({ type: 'consent.recorded', givenBy: 'deputy' });
  });

  it('a patient who lacks capacity is no longer blocked on consent for ever: a best-interests decision unblocks the pathway', () => {
    const events = after(assess(lacksCapacity('advocate')), {
      type: 'referral-response',
      at: day(4),
      referralId: 'ref-1',
      agency: 'social-care',
      response: 'ready',
    });
    expect(activeReasons(given(...events).state())).toMatchObject([{ code: 'consent_required', waitingOn: 'patient' }]);
    given(...events)
      .when(consent({ givenBy: 'best_interests', at: day(5) }))
      .then({ type: 'consent.recorded', givenBy: 'best_interests' }, { type: 'pathway.ready_for_discharge' });
  });
});

describe('the carer as a person', () => {
  const carer = {
    name: 'Carer Name',
    relationship: 'daughter',
    phone: '0113 496 0000',
    willingAndAble: false,
    carersAssessment: 'accepted' as const,
  };

  it("is recorded with whether they are willing and able; an accepted carer's assessment goes to social care, once", () => {
    const events = given(...admitted())
      .when(assess({ carer }))
      .then(
        { type: 'assessment.completed', carer },
        { type: 'carers_assessment.requested', willingAndAble: false },
        { type: 'referral.requested' },
      );
    expect(given(...admitted(), ...events).state().carer).toEqual(carer);
    given(...admitted(), ...events)
      .when({ ...assess({ carer }), at: day(4) } as PathwayCommand)
      .then({ type: 'assessment.completed', replan: true });
  });

  it('a carer who declined or was not offered an assessment is recorded, nothing more', () => {
    given(...admitted())
      .when(assess({ carer: { ...carer, carersAssessment: 'declined', willingAndAble: true } }))
      .then({ type: 'assessment.completed' }, { type: 'referral.requested' });
  });
});

describe('funding per service', () => {
  const fund = (fields: Record<string, unknown>): PathwayCommand =>
    ({
      type: 'funding',
      at: day(4),
      referralId: 'ref-1',
      payer: 'council',
      charging: 'means_tested',
      financialAssessment: 'complete',
      ...fields,
    }) as PathwayCommand;

  it('each referral says who pays as assumed from its service: home care means-tested by the council, district nursing and reablement free from the NHS', () => {
    const events = given(...admitted())
      .when(assess({ needs: ['domiciliary-care', 'district-nursing', 'reablement'] }))
      .events();
    expect(events.filter((e) => e.type === 'referral.requested').map((e) => [e.service, e.funding])).toEqual([
      ['domiciliary-care', { payer: 'council', charging: 'means_tested', financialAssessment: 'pending' }],
      ['district-nursing', { payer: 'nhs', charging: 'free', financialAssessment: 'not_needed' }],
      ['reablement', { payer: 'nhs', charging: 'free', financialAssessment: 'not_needed' }],
    ]);
  });

  it('funding agreed is recorded per referral, with the day charges start', () => {
    const assessed = after(assess({}));
    given(...assessed)
      .when(fund({ chargesFrom: date(20) }))
      .then({
        type: 'funding.recorded',
        referralId: 'ref-1',
        agency: 'social-care',
        service: 'domiciliary-care',
        payer: 'council',
        charging: 'means_tested',
        financialAssessment: 'complete',
        chargesFrom: date(20),
      });
    const funded = after(
      assess({}),
      fund({ payer: 'self_funded', charging: 'full_cost', financialAssessment: 'not_needed' }),
    );
    expect(given(...funded).state().referrals[0].funding).toEqual({
      payer: 'self_funded',
      charging: 'full_cost',
      financialAssessment: 'not_needed',
    });
  });

  it('refuses charges for a free service, a self-funder not paying in full, an unknown referral', () => {
    const assessed = after(assess({}));
    given(...assessed)
      .when(fund({ charging: 'free', chargesFrom: date(20) }))
      .thenRejects('invalid', /chargesFrom/);
    given(...assessed)
      .when(fund({ payer: 'self_funded' }))
      .thenRejects('invalid', /full cost/);
    given(...assessed)
      .when(fund({ referralId: 'ref-9' }))
      .thenRejects('unknown_referral');
  });
});

describe('housing beyond homelessness', () => {
  it('a home that needs a move is referred to housing for relocation; it awaits housing, not homelessness', () => {
    const events = given(...admitted())
      .when(assess({ home: { suitability: 'needs_move', tenure: 'private_rent' } }))
      .then(
        { type: 'assessment.completed', home: { suitability: 'needs_move', tenure: 'private_rent' } },
        { type: 'referral.requested', service: 'domiciliary-care' },
        { type: 'referral.requested', service: 'housing', agency: 'housing', reason: 'relocation' },
      );
    const state = given(...admitted(), ...events).state();
    expect(
      activeReasons(state)
        .filter((r) => r.agency === 'housing' && r.waitingOn === 'agency')
        .map((r) => r.code),
    ).toEqual(['awaiting_housing']);
  });

  it('a home that needs adapting needs an adaptations referral', () => {
    given(...admitted())
      .when(assess({ home: { suitability: 'needs_adaptation' } }))
      .thenRejects('invalid', /home needs adapting: include minor-adaptations or major-adaptations/);
    given(...admitted())
      .when(
        assess({
          home: { suitability: 'needs_adaptation', tenure: 'social_rent' },
          needs: ['domiciliary-care', 'major-adaptations'],
        }),
      )
      .then(
        { type: 'assessment.completed' },
        { service: 'domiciliary-care' },
        { service: 'major-adaptations', agency: 'housing' },
      );
  });

  it('a suitable home needs nothing more', () => {
    given(...admitted())
      .when(assess({ home: { suitability: 'suitable', tenure: 'owner_occupier' } }))
      .then({ type: 'assessment.completed' }, { service: 'domiciliary-care' });
  });
});

describe('figures for managers', () => {
  it('a discharged pathway is never delayed now: its delay is history', () => {
    const inHospital = after(assess({ pathway: 'P0', needs: [] }));
    expect(delaySummary(given(...inHospital).state(), date(5))).toMatchObject({ daysDelayed: 3, delayedNow: true });
    const discharged = [
      ...inHospital,
      ...given(...inHospital)
        .when({ type: 'discharge', at: day(5), date: date(5), destination: 'usual-residence' })
        .events(),
    ];
    expect(delaySummary(given(...discharged).state(), date(9))).toMatchObject({
      daysDelayed: 3,
      delayedNow: false,
      bedDaysLost: 3,
    });
  });
});
