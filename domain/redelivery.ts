import type { CommandName, CommandOf } from '../schemas/commands';
import type { PathwayState } from './state';

/** A command as its sender sent it: not yet stamped with the time it is decided at. */
export type SentCommand = { [K in CommandName]: Omit<CommandOf<K>, 'at'> }[CommandName];

/** The statuses a referral has once an answer is recorded: accepted, then ready, is still the acceptance. */
const answered: Record<CommandOf<'referral-response'>['response'], readonly string[]> = {
  accepted: ['accepted', 'ready'],
  declined: ['declined'],
  ready: ['ready'],
};

/**
 * Whether a command the pathway refuses had already had its effect: the same message delivered
 * again (a feed delivers at least once), to be ignored, not dead-lettered. The rules themselves
 * refuse a fact already recorded as `duplicate`; these are the commands refused for another reason
 * once their effect is there, and how the state shows it. Undefined: nothing more to look at.
 */
export function effectShownBy(command: SentCommand): ((state: PathwayState) => boolean) | undefined {
  switch (command.type) {
    case 'referral-response':
      return (state) => {
        const referral = state.referrals.find((r) => r.referralId === command.referralId);
        // Another agency's referral is no answer of this agency's, recorded or not.
        return referral?.agency === command.agency && answered[command.response].includes(referral.status);
      };
    case 'discharge':
      return (state) => state.discharge?.date === command.date;
    case 'cancel':
      return (state) => state.stage === 'cancelled';
    default:
      return undefined;
  }
}
