import { type Response } from 'express';

/** Browsers carry the device token in this cookie; apps send the login answer's `deviceToken` back. */
export const DEVICE_COOKIE = 'homeroom_device';

/**
 * The first `homeroom_device` value of a Cookie header. Parsed as text by hand: the token is base64url
 * and a dot, so no decoding is needed, and anything else simply fails the signature check later.
 */
export function readDeviceCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === DEVICE_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
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
