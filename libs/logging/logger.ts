import pino, { type Logger, type LoggerOptions } from 'pino';
import { isUuid } from '../domain/ids/uuid';

export type { Logger } from 'pino';

/**
 * Keys whose values never reach a log line, wherever they appear in a logged object: message text,
 * credentials and contact details (DESIGN.md, invariant 4). Matching is by key name at any of the
 * first levels, so a new field called `body` or `email` is covered without touching this list.
 */
export const REDACTED_KEYS = [
  'body',
  'text',
  'reason',
  'password',
  'passwordHash',
  'token',
  'accessToken',
  'invitationToken',
  'deviceToken',
  'totp',
  'code',
  'secret',
  'authorization',
  'cookie',
  'email',
  'phone',
  'sms',
  'givenName',
  'familyName',
  'username',
  'filename',
  'originalFilename',
] as const;

const CENSOR = '[REDACTED]';

function redactionPaths(): string[] {
  const paths: string[] = [];
  for (const key of REDACTED_KEYS) {
    paths.push(key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`);
  }
  return paths;
}

export function createLogger(options: { name: string; level?: LoggerOptions['level'] }): Logger {
  return pino({
    name: options.name,
    level: options.level ?? 'info',
    base: { service: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactionPaths(), censor: CENSOR },
    formatters: { level: (label) => ({ level: label }) },
  });
}

/** Strips query strings and masks bearer-like path segments (download links carry a token in the path). */
export function safeUrlForLog(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path
    .split('/')
    .map((segment) =>
      segment.length >= 32 && /^[A-Za-z0-9_-]+$/.test(segment) && !isUuid(segment) ? CENSOR : segment,
    )
    .join('/');
}
