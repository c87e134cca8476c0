import { isIPv4, isIPv6 } from 'node:net';
import { sha256Hex } from '../crypto/hashing';

/**
 * Keys of the sign-in rate limits; their fixed windows are the shared ones of libs/limits.
 */
export { type FixedWindow, fixedWindow, retryAfterSeconds } from '../domain/limits/fixed-window';

/**
 * One counter per (district, username) whether or not the account exists, so the limit says nothing
 * about existence. The username is hashed: people type passwords into the username field, and the
 * counter table should not collect them.
 */
export function accountThrottleKey(districtId: string, username: string): string {
  return `login:user:${districtId}:${sha256Hex(username)}`;
}

/**
 * One counter per device token (its random nonce): the attempts of a browser or app that signed in to
 * the account before, counted apart from everybody else's (see device-tokens.ts).
 */
export function deviceThrottleKey(nonce: string): string {
  return `login:device:${sha256Hex(nonce)}`;
}

/**
 * The attempts one address made on one account: when that account then signs in from that address,
 * they are taken off the address's count (a pupil's typo is not held against the whole school).
 */
export function addressAccountThrottleKey(ip: string, districtId: string, username: string): string {
  return `login:addr-user:${normalizeAddress(ip)}:${districtId}:${sha256Hex(username)}`;
}

/** One counter per client address; IPv6 clients per /64, the block one subscriber usually holds. */
export function addressThrottleKey(ip: string): string {
  return `login:addr:${normalizeAddress(ip)}`;
}

export function normalizeAddress(ip: string): string {
  const address = ip.split('%')[0] ?? ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] && isIPv4(mapped[1])) return mapped[1];
  if (isIPv6(address)) return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
  return address;
}

/** The eight 16-bit groups of an IPv6 address, `::` expanded, without leading zeros. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const split = (part: string) =>
    part === '' ? [] : part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group]));
  const left = split(head);
  const right = tail === undefined ? [] : split(tail);
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.map((group) => parseInt(group, 16).toString(16));
}
