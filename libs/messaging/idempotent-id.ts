import { createHash } from 'node:crypto';

/**
 * A UUID derived from a client's idempotency key, scoped to the district and the caller: the same
 * retried request names the same row (and so the same workflow id), while two callers' keys never
 * collide. Shaped as a version-8 (custom) UUID so it cannot be mistaken for a random one.
 */
export function idempotentId(
  scope: 'announcement' | 'message',
  districtId: string,
  actorId: string,
  key: string,
): string {
  const bytes = createHash('sha256')
    .update(`${scope}\n${districtId}\n${actorId}\n${key}`)
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
