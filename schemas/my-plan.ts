import { z } from 'zod';
import { Agency, IsoDate } from './common';

/** A sentence for the person, in plain English (NHS content style): no codes, no clinical detail. */
const Sentence = z.string().min(1).max(400);
const Dated = z.strictObject({ date: IsoDate, text: Sentence });

/**
 * The plan as the patient or their carer sees it (`GET /me`, the `/my-plan` page): the allow-list.
 * Every field a person may be shown is named here and nothing else passes (strict objects all the
 * way down): no other agency's notes, no delay reasons, no staff member, no clinical detail, no
 * codes in the sentences. The few codes it carries (`agency`, `accessId`) are what the page sends
 * back to withdraw a consent or end a carer's access, never shown.
 */
export const MyPlan = z.strictObject({
  /** Who is reading: the patient, or a carer with the patient's consent. */
  viewer: z.enum(['patient', 'carer']),
  /** The patient's name as the hospital recorded it (the carer needs to know whose plan this is). */
  name: z.string().min(1).max(200),
  /** Where they are in the pathway. */
  whereYouAre: Sentence,
  dischargeReady: Dated.optional(),
  expectedDischarge: Dated.optional(),
  discharged: Dated.optional(),
  /** Each service arranged: who provides it, when it starts, how to contact them. */
  services: z.array(
    z.strictObject({
      service: Sentence,
      provider: Sentence,
      text: Sentence,
      startsOn: IsoDate.optional(),
      contact: Sentence.optional(),
    }),
  ),
  welfareCheck: Sentence.optional(),
  /** What they agreed to share, and with whom; the patient may withdraw each. */
  consents: z.array(z.strictObject({ agency: Agency, text: Sentence, given: z.boolean(), canWithdraw: z.boolean() })),
  /** Who pays for what, and from when. */
  payments: z.array(Sentence),
  /** The lead professional (a role and a team, never a person) and the number to call. */
  contact: Sentence,
  phone: z.string().max(20).optional(),
  nextReview: Dated.optional(),
  ifReadmitted: Sentence,
  /** The patient's view only: the carers who may see this plan, each of which they may stop. */
  carers: z.array(z.strictObject({ accessId: z.string().max(40), text: Sentence })).optional(),
});
export type MyPlan = z.infer<typeof MyPlan>;
