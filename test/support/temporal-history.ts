import { type temporal } from '@temporalio/proto';

export type Payload = temporal.api.common.v1.IPayload;

/** Every Payload message anywhere in a workflow history, however deeply nested. */
export function collectPayloads(value: unknown, found: Payload[] = []): Payload[] {
  if (Array.isArray(value)) value.forEach((v) => collectPayloads(v, found));
  else if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const candidate = value as Payload;
    if (candidate.metadata && candidate.data instanceof Uint8Array) found.push(candidate);
    else Object.values(value).forEach((v) => collectPayloads(v, found));
  }
  return found;
}

/** The history as text with every byte string spelled out, so nothing hides in a binary field. */
export function historyText(history: unknown): string {
  return JSON.stringify(history, (_key, v: unknown) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
  );
}
