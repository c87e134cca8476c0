import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { findTextProblem } from '../../domain/text/untrusted-text';

/**
 * A district's OneRoster REST source as stored (table roster_api_sources). The client secret is never
 * stored: `secretRef` names where the worker finds it, `env:ROSTER_API_SECRET_<NAME>` (an environment
 * variable of the worker) or `file:<name>` (an entry of the JSON object in ROSTER_API_SECRETS_FILE).
 */
export interface OneRosterSourceSettings {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  secretRef: string;
  schedule: string;
}

export type DeploymentEnvironment = 'local' | 'test' | 'production';

/**
 * Only variables with this prefix can be named: a reference to DATABASE_URL or a master key would
 * otherwise send that value to whatever token URL the district configured.
 */
export const SECRET_ENV_PREFIX = 'ROSTER_API_SECRET_';
const SECRET_REF = /^(?:env:ROSTER_API_SECRET_[A-Z0-9_]{1,64}|file:[A-Za-z0-9._-]{1,64})$/;
const CRON = /^\s*\S+(\s+\S+){4}\s*$/;
export const DEFAULT_ROSTER_API_SCHEDULE = '0 2 * * *';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

function endpointUrl(environment: DeploymentEnvironment) {
  return z
    .string()
    .max(2_048)
    .superRefine((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be an absolute URL' });
        return;
      }
      if (url.username || url.password) {
        ctx.addIssue({ code: 'custom', message: 'must not carry credentials' });
      }
      if (url.search || url.hash) {
        ctx.addIssue({ code: 'custom', message: 'must have no query or fragment' });
      }
      if (url.protocol === 'https:') return;
      const local =
        environment !== 'production' && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
      if (!local) {
        ctx.addIssue({
          code: 'custom',
          message:
            environment === 'production'
              ? 'must use https'
              : 'must use https (plain http only to a loopback address, outside production)',
        });
      }
    });
}

export function oneRosterSourceSchema(environment: DeploymentEnvironment) {
  return z.object({
    baseUrl: endpointUrl(environment),
    tokenUrl: endpointUrl(environment),
    clientId: z
      .string()
      .min(1)
      .max(256)
      .refine((id) => findTextProblem(id, false) === undefined, 'must not hold control characters'),
    secretRef: z
      .string()
      .regex(
        SECRET_REF,
        `must be env:${SECRET_ENV_PREFIX}<NAME> or file:<name> (the secret itself is never stored)`,
      ),
    schedule: z.string().max(100).regex(CRON, 'must be a cron expression of five fields, e.g. "0 2 * * *"'),
  });
}

export class OneRosterSourceInvalidError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid OneRoster source: ${problems.join('; ')}`);
    this.name = 'OneRosterSourceInvalidError';
  }
}

/** Validates settings to store; throws with every problem named by field. */
export function validateOneRosterSource(
  input: unknown,
  environment: DeploymentEnvironment,
): OneRosterSourceSettings {
  const parsed = oneRosterSourceSchema(environment).safeParse(input);
  if (parsed.success) return parsed.data;
  throw new OneRosterSourceInvalidError(
    parsed.error.issues.map((issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`),
  );
}

/** The secret a reference names is missing: an operator must provide it; retrying will not help. */
export class OneRosterSecretMissingError extends Error {
  constructor(secretRef: string) {
    super(`the client secret ${secretRef} is not set on the worker`);
    this.name = 'OneRosterSecretMissingError';
  }
}

/** Looks a secret reference up in the worker's environment or secrets file. */
export function resolveSecret(
  secretRef: string,
  sources: { env: NodeJS.ProcessEnv; secretsFile: string | undefined },
): string {
  if (!SECRET_REF.test(secretRef)) throw new OneRosterSecretMissingError(secretRef);
  const [kind, name] = [
    secretRef.slice(0, secretRef.indexOf(':')),
    secretRef.slice(secretRef.indexOf(':') + 1),
  ];
  let value: unknown;
  if (kind === 'env') value = sources.env[name];
  else if (sources.secretsFile) {
    let entries: unknown;
    try {
      entries = JSON.parse(readFileSync(sources.secretsFile, 'utf8'));
    } catch {
      throw new OneRosterSecretMissingError(secretRef);
    }
    if (typeof entries === 'object' && entries !== null && Object.hasOwn(entries, name)) {
      value = (entries as Record<string, unknown>)[name];
    }
  }
  if (typeof value !== 'string' || value.length === 0) throw new OneRosterSecretMissingError(secretRef);
  return value;
}
