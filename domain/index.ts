export { CommandRejected, decide, type RejectionCode } from './decide';
export { reopensPathway, watchStages } from './commands/after-discharge';
export { admissionIdOf, pathwayIdOf } from './pathway-id';
export { effectShownBy, type SentCommand } from './redelivery';
export { arrangedEpisode, handoverCompleteOn } from './intermediate-care';
export { evolve } from './evolve';
export {
  initialState,
  isClosed,
  isLive,
  rulesOf,
  handoverUnderway,
  beforeDischarge,
  inHospitalStages,
  awaitingAgencies,
  overdueSince,
  delayCountsFrom,
  uncoveredHandover,
  uncoveredNeeds,
  mayShareWith,
  sharing,
  type DrdEpisode,
  type HandoverReason,
  type IntermediateCare,
  type PathwayState,
  type Referral,
  type ReferralStatus,
} from './state';
export { nextDeadline, reviewOverdueSince } from './deadlines';
export {
  activeDelayReasonCodes,
  activeReasons,
  delayBand,
  delayBands,
  delayDay,
  delayDaysUntil,
  delayOnDay,
  delaySummary,
  drdDays,
  isDelayedNow,
  priorDelayDays,
  reasonAgencies,
  stuckSince,
  type ActiveReason,
  type DelayBand,
  type DelaySummary,
  type WaitingOn,
} from './delay';
export {
  defaultPolicy,
  intermediateCareDaysFor,
  resolvePolicy,
  PolicyOverrides,
  type AgencySla,
  type Policy,
} from './policy';
export { addDays, daysBetween, dateOf, earliest, startOfDay } from './dates';
