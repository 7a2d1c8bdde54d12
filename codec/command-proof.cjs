// The proof that a pathway command (a start or an Update) was sent by Homeward's application layer
// and not by whoever can reach Temporal's port. Plain CommonJS, as failure-converter.cjs: the SDK
// loads the payload converter by path into the worker, every client and the workflow bundle, and
// Node's own require reads it everywhere (tests included) without a TypeScript loader.
//
// The application passes commandProofRequest(...) as the command's last argument. On its way out,
// CommandSigningCodec (Node side, codec/command-signing-codec.ts) signs it with the first
// HOMEWARD_COMMAND_KEYS key over the command's other payloads. On its way into a worker, the same
// codec checks the signature and replaces the proof with a *checked* proof. The workflow trusts
// only checked proofs; their brand is a symbol, which no JSON a caller sends can carry, so a caller
// cannot pass a proof off as checked.
'use strict';
const {
  BinaryPayloadConverter,
  CompositePayloadConverter,
  JsonPayloadConverter,
  UndefinedPayloadConverter,
  METADATA_ENCODING_KEY,
} = require('@temporalio/common');

const encodings = {
  /** A proof as the application sends it: JSON of { command, pathwayId, at } (+ keyId, mac once signed). */
  request: 'json/homeward-command-proof',
  /** Only the worker's codec writes it, after checking: JSON of the verdict. */
  checked: 'homeward/command-proof-checked',
};

const requestBrand = Symbol.for('homeward.command-proof.request');
const checkedBrand = Symbol.for('homeward.command-proof.checked');

const utf8 = (text) => new TextEncoder().encode(text);
const fromUtf8 = (bytes) => new TextDecoder().decode(bytes);
const encodingOf = (payload) =>
  payload.metadata && payload.metadata[METADATA_ENCODING_KEY]
    ? fromUtf8(payload.metadata[METADATA_ENCODING_KEY])
    : undefined;

/** What the application passes as a command's last argument; the codec signs it on the way out. */
function commandProofRequest(command, pathwayId, at) {
  return { [requestBrand]: true, command, pathwayId, at };
}

/** The checked proof a workflow received, or undefined for anything else (no proof, a plain object). */
function checkedProof(value) {
  return value !== null && typeof value === 'object' && value[checkedBrand] === true ? value : undefined;
}

class ProofRequestConverter {
  encodingType = encodings.request;
  toPayload(value) {
    if (value === null || typeof value !== 'object' || value[requestBrand] !== true) return undefined;
    const { command, pathwayId, at } = value;
    return {
      metadata: { [METADATA_ENCODING_KEY]: utf8(encodings.request) },
      data: utf8(JSON.stringify({ command, pathwayId, at })),
    };
  }
  /** Reaching a workflow unchecked means no codec with command keys decoded it. */
  fromPayload() {
    return {
      [checkedBrand]: true,
      verdict: 'refused',
      reason: 'its proof was not checked (the worker has no command keys)',
    };
  }
}

class CheckedProofConverter {
  encodingType = encodings.checked;
  toPayload() {
    return undefined;
  }
  fromPayload(payload) {
    let verdict;
    try {
      verdict = JSON.parse(fromUtf8(payload.data));
    } catch {
      verdict = { verdict: 'refused', reason: 'its proof is unreadable' };
    }
    return { ...verdict, [checkedBrand]: true };
  }
}

const payloadConverter = new CompositePayloadConverter(
  new UndefinedPayloadConverter(),
  new BinaryPayloadConverter(),
  new ProofRequestConverter(),
  new CheckedProofConverter(),
  new JsonPayloadConverter(),
);

module.exports = { encodings, encodingOf, commandProofRequest, checkedProof, payloadConverter };
