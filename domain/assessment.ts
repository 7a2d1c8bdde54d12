import type { z } from 'zod';
import type { CommandOf, ConsentGiver, Representative } from '../schemas/commands';
import { reject } from './rejection';
import { lacksCapacityFor, patientAtTheCentre, safeForThePatient, type PathwayState } from './state';

const SOCIAL_CARE = new Set(['social_worker', 'care_manager']);
const HEALTH = new Set(['nurse', 'doctor', 'occupational_therapist', 'physiotherapist']);
const PROFESSIONALS = new Set([...SOCIAL_CARE, ...HEALTH]);

const invalid = (message: string): never => reject('invalid', message);

type Giver = Exclude<z.infer<typeof ConsentGiver>, 'carer'>;

/** Who decides for a patient who lacks capacity: their attorney or deputy; otherwise a best-interests decision (with an advocate, or none). */
const giverFor = (representative: z.infer<typeof Representative> | undefined): Giver =>
  !representative || representative.role === 'advocate' ? 'best_interests' : representative.role;

/**
 * Who takes part in a joint assessment. A professional always. Rules 2 (the documents): the
 * patient takes part or the reason is recorded; a patient who lacks capacity has a best-interests
 * decision with their attorney, deputy or advocate named; for P1–P3 a social care professional
 * (who leads on assessing need and funding) and a health professional; the agreement with the plan
 * recorded. Rules 1 asked for the patient or their carer.
 */
export function checkParticipation(command: CommandOf<'assessment'>, state: PathwayState): void {
  const roles = command.participants.map((p) => p.role);
  if (!roles.some((role) => PROFESSIONALS.has(role)))
    invalid('participants: a joint assessment needs at least one professional');
  if (!patientAtTheCentre(state)) {
    if (!roles.includes('patient') && !roles.includes('carer'))
      invalid('participants: the patient or their carer must take part');
    return;
  }
  if (command.pathway !== 'P0') {
    if (!roles.some((role) => SOCIAL_CARE.has(role)))
      invalid(
        `participants: pathway ${command.pathway} needs a social care professional (social_worker or care_manager)`,
      );
    if (!roles.some((role) => HEALTH.has(role)))
      invalid(
        `participants: pathway ${command.pathway} needs a health professional (nurse, doctor, occupational_therapist or physiotherapist)`,
      );
  }
  const takesPart = roles.includes('patient');
  if (takesPart && command.patientAbsent) invalid('patientAbsent: the patient is among the participants');
  if (!takesPart && !command.patientAbsent)
    invalid(
      'patientAbsent: the patient takes part, or the reason they do not is recorded (lacks_capacity, too_unwell, declined)',
    );
  if (command.patientAbsent === 'lacks_capacity' && !command.bestInterests) {
    invalid(
      'bestInterests: a patient who lacks capacity needs a best-interests decision naming their attorney, deputy or advocate',
    );
  }
  const decision = command.bestInterests;
  if (decision && !safeForThePatient(state) && !decision.representative)
    invalid('bestInterests.representative: name the attorney, deputy or advocate');
  if (decision && safeForThePatient(state)) {
    // Rules 4 (MCA 2005 s.4): who decided, and who was consulted, each as what they are to the patient.
    if (!decision.decidedBy)
      invalid('bestInterests.decidedBy: record who made the best-interests decision (their role)');
    if (!decision.consulted)
      invalid(
        'bestInterests.consulted: record who was consulted (family members as family, a carer as carer, an advocate as advocate)',
      );
  }
  const canSay = takesPart || command.bestInterests !== undefined;
  if (canSay && !command.agreement?.patient)
    invalid(
      'agreement.patient: record whether the patient (or their representative) agrees with the plan and destination',
    );
  if (command.consents.length > 0 && !canSay) {
    invalid(
      "consents: the patient did not take part, and a carer cannot consent for an adult with capacity; record the patient's consent when they give it",
    );
  }
}

/** Who gave the consents recorded at the assessment: the patient, or whoever decides for a patient who lacks capacity. */
export const assessmentConsentGiver = (command: CommandOf<'assessment'>): Giver =>
  command.bestInterests ? giverFor(command.bestInterests.representative) : 'patient';

/**
 * Rules 2: consent comes from the patient while they have capacity, and only then; for a patient
 * assessed as lacking capacity, from their attorney or deputy, or a best-interests decision.
 * A carer never consents for an adult. Returns who gave it.
 */
export function checkConsentGiver(command: Pick<CommandOf<'consent'>, 'givenBy'>, state: PathwayState): Giver {
  const givenBy = command.givenBy ?? 'patient';
  if (givenBy === 'carer') {
    return invalid(
      'givenBy: a carer cannot consent for an adult; for a patient who lacks capacity, consent comes from their attorney or deputy, or a best-interests decision',
    );
  }
  const representative = state.assessment?.representative;
  if (safeForThePatient(state)) return giverByCapacity(givenBy, state);
  if (!representative) {
    if (givenBy !== 'patient')
      invalid(
        `givenBy: ${givenBy} only for a patient assessed as lacking capacity (bestInterests at the joint assessment)`,
      );
    return givenBy;
  }
  const expected = giverFor(representative);
  if (givenBy !== expected) {
    invalid(
      `givenBy: the patient was assessed as lacking capacity and is represented by their ${representative.role}: consent is given by ${expected}`,
    );
  }
  return givenBy;
}

/**
 * Rules 4: who consents follows the patient's capacity for sharing information, as last assessed
 * (at the joint assessment, or again since with `capacity`): the patient while they have it;
 * otherwise their attorney or deputy, or a best-interests decision.
 */
function giverByCapacity(givenBy: Giver, state: PathwayState): Giver {
  if (!lacksCapacityFor(state, 'sharing_information')) {
    if (givenBy !== 'patient')
      invalid(
        `givenBy: the patient has capacity to decide on sharing their information: consent is theirs (${givenBy} only while they lack it)`,
      );
    return givenBy;
  }
  const expected = giverFor(state.assessment?.representative);
  if (givenBy !== expected)
    invalid(
      `givenBy: the patient lacks capacity to decide on sharing their information: consent is given by ${expected}`,
    );
  return givenBy;
}
