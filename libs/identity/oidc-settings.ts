import { type HomeroomEnvironment, OIDC_SECRET_PREFIX } from '../config/config';
import { type OidcUserField, type UserRole } from '../db/types';
import { type OidcProviderSettings } from '../db/repositories/oidc.repository';
import { isAdminRole } from './admin-roles';

/** Roles that may sign in through the school's identity provider; admins keep password and TOTP. */
export const OIDC_ROLES: readonly UserRole[] = ['student', 'guardian', 'teacher'];

const CLAIM = /^[A-Za-z0-9_.:/-]{1,100}$/;
const SECRET_REF = /^OIDC_CLIENT_SECRET_[A-Z0-9_]{1,64}$/;
const CLIENT_ID = /^[\x21-\x7e]{1,255}$/;
const FIELDS: Record<string, OidcUserField> = {
  email: 'email',
  username: 'username',
  sourcedId: 'sourced_id',
};
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface OidcSettingsInput {
  issuer: string;
  clientId: string;
  secretRef: string;
  claim: string;
  field: string;
  redirectUris: string[];
  passwordSignInDisabledRoles: string[];
}

/** What is wrong with the settings, one sentence each; empty when they can be stored. */
export function oidcSettingsProblems(input: OidcSettingsInput, environment: HomeroomEnvironment): string[] {
  const problems: string[] = [];
  const issuerProblem = urlProblem(input.issuer, environment, { allowQuery: false });
  if (issuerProblem) problems.push(`--issuer ${issuerProblem}`);
  if (!CLIENT_ID.test(input.clientId)) problems.push('--client-id must be 1 to 255 printable characters.');
  if (!SECRET_REF.test(input.secretRef)) {
    problems.push(
      `--secret-ref must name an environment variable ${OIDC_SECRET_PREFIX}<NAME> (A-Z, 0-9, _), not hold the secret.`,
    );
  }
  if (!CLAIM.test(input.claim)) problems.push('--claim must be 1 to 100 of A-Z a-z 0-9 _ . : / -.');
  if (!(input.field in FIELDS)) problems.push('--field must be email, username or sourcedId.');
  if (input.redirectUris.length === 0 || input.redirectUris.length > 20) {
    problems.push('--redirect-uri must be given 1 to 20 times.');
  }
  for (const uri of input.redirectUris) {
    const problem = urlProblem(uri, environment, { allowQuery: true });
    if (problem) problems.push(`--redirect-uri ${uri}: ${problem}`);
  }
  for (const role of input.passwordSignInDisabledRoles) {
    if (!OIDC_ROLES.includes(role as UserRole)) {
      problems.push(
        isAdminRole(role as UserRole)
          ? `--roles ${role}: admins always sign in with a password and TOTP.`
          : `--roles ${role}: must be student, guardian or teacher.`,
      );
    }
  }
  return problems;
}

export function toOidcProviderSettings(input: OidcSettingsInput): OidcProviderSettings {
  return {
    issuer: input.issuer,
    clientId: input.clientId,
    clientSecretRef: input.secretRef,
    claim: input.claim,
    userField: FIELDS[input.field]!,
    redirectUris: [...new Set(input.redirectUris)],
    passwordSignInDisabledRoles: [...new Set(input.passwordSignInDisabledRoles)] as UserRole[],
  };
}

/**
 * https everywhere; plain http only to a loopback host in the local and test environments (an identity
 * provider or an app on this machine). No credentials, no fragment.
 */
export function urlProblem(
  value: string,
  environment: HomeroomEnvironment,
  options: { allowQuery: boolean },
): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute https URL.';
  }
  const localHttp =
    url.protocol === 'http:' &&
    environment !== 'production' &&
    LOOPBACK_HOSTS.has(url.hostname.toLowerCase());
  if (url.protocol !== 'https:' && !localHttp) {
    return environment === 'production'
      ? 'must be an https URL.'
      : 'must be an https URL (http only to 127.0.0.1, localhost or [::1] outside production).';
  }
  if (url.username !== '' || url.password !== '') return 'must not carry credentials.';
  if (url.hash !== '' || value.includes('#')) return 'must not have a fragment.';
  if (!options.allowQuery && url.search !== '') return 'must not have a query.';
  return undefined;
}
