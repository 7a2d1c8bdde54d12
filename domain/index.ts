export { CommandRejected, decide, type RejectionCode } from './decide';
export { evolve } from './evolve';
export { initialState, isClosed, awaitingAgencies, overdueSince, type PathwayState, type Referral } from './state';
export { nextDeadline } from './deadlines';
export { activeDelayReasonCodes, activeReasons, delayBand, delaySummary, type DelayBand, type DelaySummary } from './delay';
export { defaultPolicy, resolvePolicy, PolicyOverrides, type Policy } from './policy';
export { addDays, daysBetween, dateOf } from './dates';
