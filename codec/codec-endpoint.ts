import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';

/** Payloads in proto3 JSON, as the Temporal UI and `temporal --codec-endpoint` send them: bytes in base64. */
const JsonPayload = z.object({
  metadata: z.record(z.string(), z.base64()).optional(),
  data: z.base64().optional(),
});
export const CodecRequest = z.object({ payloads: z.array(JsonPayload).max(1000) });
export type JsonPayload = z.infer<typeof JsonPayload>;

/** A request the endpoint cannot read: answer 400 with this message (it names fields, not values). */
export class CodecRequestError extends Error {
  override name = 'CodecRequestError';
}

const fromJson = (json: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(json.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value, 'base64')]),
  ),
  data: Buffer.from(json.data ?? '', 'base64'),
});

const toJson = (payload: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value ?? []).toString('base64')]),
  ),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

/**
 * The remote codec protocol (`POST <endpoint>/encode`, `POST <endpoint>/decode`, body and answer
 * `{ "payloads": [...] }`), transport-free: the HTTP layer routes it behind authentication, since
 * whoever may call /decode reads every patient Temporal holds. A payload this process cannot
 * decrypt rejects with the codec's PayloadDecryptionError (naming the key id).
 */
export async function runCodec(
  codec: PayloadCodec,
  operation: 'encode' | 'decode',
  body: unknown,
): Promise<{ payloads: JsonPayload[] }> {
  const parsed = CodecRequest.safeParse(body);
  if (!parsed.success) {
    throw new CodecRequestError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; '),
    );
  }
  const payloads = parsed.data.payloads.map(fromJson);
  const result = operation === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
  return { payloads: result.map(toJson) };
}
