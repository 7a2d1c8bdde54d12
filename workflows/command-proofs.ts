import { checkedProof } from '../codec/command-proof.cjs';

/**
 * How far a command's signing time may be from the workflow's time when it is checked: a command
 * is checked within seconds of being signed, and a captured one sent again later is refused.
 */
export const proofWindowMs = 10 * 60_000;

/**
 * The pathway's side of the application's command signatures (codec/command-signing-codec.ts
 * checks the signature itself, outside the workflow sandbox, and hands over a checked proof).
 * Remembers the signatures of the commands applied within the window, so one captured from the
 * history (where it sits encrypted, beside its encrypted command) cannot be applied twice.
 */
export class CommandProofs {
  private readonly applied: Map<string, number>;

  constructor(
    private readonly pathwayId: string,
    carried: [mac: string, at: number][] = [],
  ) {
    this.applied = new Map(carried);
  }

  /** Why this proof does not let `command` through now, or undefined when it does. */
  problem(command: string, proof: unknown, now: number): string | undefined {
    const checked = checkedProof(proof);
    if (!checked)
      return 'it carries no proof that Homeward sent it (commands come through the API, the CLI or an agency bridge)';
    if (checked.verdict !== 'valid') return checked.reason ?? 'its proof was refused';
    if (checked.command !== command || checked.pathwayId !== this.pathwayId)
      return 'its proof was made for another command or pathway';
    const at = Date.parse(checked.at ?? '');
    if (!(Math.abs(now - at) <= proofWindowMs))
      return 'its proof is out of date (signed more than 10 minutes from now)';
    if (checked.mac && this.applied.has(checked.mac))
      return 'it was applied already (the same signed command sent again)';
    return undefined;
  }

  /** A command applied (on replay too, so a worker that restarts still knows it). */
  remember(proof: unknown, now: number): void {
    const mac = checkedProof(proof)?.mac;
    if (!mac) return;
    for (const [seen, at] of this.applied) if (now - at > proofWindowMs) this.applied.delete(seen);
    this.applied.set(mac, now);
  }

  /** What continue-as-new carries: the signatures still within the window. */
  carry(): [string, number][] {
    return [...this.applied];
  }
}
