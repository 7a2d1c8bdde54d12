/** Types of codec/command-proof.cjs (plain JS, loaded by path by the SDK). */
import type { Payload, PayloadConverter } from '@temporalio/common';

export declare const encodings: {
  readonly request: 'json/homeward-command-proof';
  readonly checked: 'homeward/command-proof-checked';
};
export declare function encodingOf(payload: Payload): string | undefined;

/** What the application passes as a command's last argument. */
export interface CommandProofRequest {
  command: string;
  pathwayId: string;
  at: string;
}
export declare function commandProofRequest(command: string, pathwayId: string, at: string): CommandProofRequest;

/** The worker codec's verdict on a command's proof, as the workflow receives it. */
export interface CheckedCommandProof {
  verdict: 'valid' | 'refused';
  /** Why a refused proof was refused (names no key material and no payload content). */
  reason?: string;
  command?: string;
  pathwayId?: string;
  at?: string;
  /** The signature, once per command: a proof sent twice is a replay. */
  mac?: string;
}
export declare function checkedProof(value: unknown): CheckedCommandProof | undefined;

export declare const payloadConverter: PayloadConverter;
