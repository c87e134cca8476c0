import { type Response } from 'express';

/** Browsers carry the device token in this cookie; apps send the login answer's `deviceToken` back. */
export const DEVICE_COOKIE = 'homeroom_device';

/**
 * The first value of the named cookie in a Cookie header. Parsed as text by hand: our cookie values are
 * base64url (and a dot), so no decoding is needed, and anything else simply fails a check later.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

export function readDeviceCookie(header: string | undefined): string | undefined {
  return readCookie(header, DEVICE_COOKIE);
}

/**
 * HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), only to the sign-in
 * routes, and Secure everywhere but the local and test stacks, which serve plain HTTP on loopback.
 */
export function setDeviceCookie(res: Response, token: string, expiresAt: Date, secure: boolean): void {
  res.cookie(DEVICE_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/v1/auth',
    expires: expiresAt,
    encode: (value) => value,
  });
}
