export type RejectionCode =
  | 'not_started'
  | 'closed'
  | 'not_allowed_in_stage'
  | 'invalid'
  | 'unknown_referral'
  | 'unknown_episode'
  | 'wrong_agency'
  | 'duplicate'
  | 'support_gap';

/** A command the pathway refuses, with a reason a person can act on. Never carries personal data. */
export class CommandRejected extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
    this.name = 'CommandRejected';
  }

  /** The human-readable reason (the message): names stages, fields, referral ids, never personal data. */
  get reason(): string {
    return this.message;
  }
}

export const reject = (code: RejectionCode, message: string): never => {
  throw new CommandRejected(code, message);
};
