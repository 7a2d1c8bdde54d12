export { CommandRejected, decide, type RejectionCode } from './decide';
export { evolve } from './evolve';
export {
  initialState,
  isClosed,
  beforeDischarge,
  awaitingAgencies,
  overdueSince,
  delayCountsFrom,
  uncoveredNeeds,
  type DrdEpisode,
  type PathwayState,
  type Referral,
  type ReferralStatus,
} from './state';
export { nextDeadline, reviewOverdueSince } from './deadlines';
export {
  activeDelayReasonCodes,
  activeReasons,
  delayBand,
  delayDaysUntil,
  delaySummary,
  priorDelayDays,
  type ActiveReason,
  type DelayBand,
  type DelaySummary,
} from './delay';
export { defaultPolicy, resolvePolicy, PolicyOverrides, type AgencySla, type Policy } from './policy';
export { addDays, daysBetween, dateOf, earliest } from './dates';
