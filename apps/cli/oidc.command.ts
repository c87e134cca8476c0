import { loadCliConfig } from '../../libs/config/config';
import { type OidcProviderSettings } from '../../libs/db/repositories/oidc.repository';
import { NotFoundError, ValidationFailedError } from '../../libs/domain/errors/domain-errors';
import { oidcSettingsProblems, toOidcProviderSettings } from '../../libs/identity/oidc-settings';
import { type ParsedArgs, requireFlag, requireUuidFlag } from './args';
import { type Command } from './command';

/**
 * `homeroom oidc set --district <id> --issuer <url> --client-id <id> --secret-ref OIDC_CLIENT_SECRET_<NAME>
 *   --claim <claim> --field email|username|sourcedId --redirect-uri <url> [--redirect-uri <url>…]
 *   [--password-signin off --roles student,guardian | --password-signin on]`
 * stores a district's school sign-in (audited). Without --password-signin the roles already turned off
 * stay off.
 */
export const oidcSetCommand: Command = async ({ db, args, env }) => {
  const districtId = requireUuidFlag(args, 'district');
  if (!(await db.districts.exists(districtId))) throw new NotFoundError('The district');
  const tenant = db.forDistrict(districtId);
  const existing = await tenant.oidcProvider.find();
  const input = {
    issuer: requireFlag(args, 'issuer'),
    clientId: requireFlag(args, 'client-id'),
    secretRef: requireFlag(args, 'secret-ref'),
    claim: requireFlag(args, 'claim'),
    field: requireFlag(args, 'field'),
    redirectUris: args.repeated['redirect-uri'] ?? [],
    passwordSignInDisabledRoles: disabledRoles(args, existing),
  };
  const problems = oidcSettingsProblems(input, loadCliConfig(env).HOMEROOM_ENV);
  if (problems.length > 0) throw new ValidationFailedError(problems.join(' '));
  const saved = await tenant.oidcProvider.save(toOidcProviderSettings(input));
  await tenant.audit.append({
    action: 'oidc.settings_changed',
    targetType: 'district',
    targetId: districtId,
    details: { ...saved },
  });
  return { districtId, ...saved };
};

/** `homeroom oidc show --district <id>`: the stored settings (the secret's variable name, never a secret). */
export const oidcShowCommand: Command = async ({ db, args }) => {
  const districtId = requireUuidFlag(args, 'district');
  const settings = await db.forDistrict(districtId).oidcProvider.find();
  if (!settings) throw new NotFoundError('School sign-in for the district');
  return { districtId, ...settings };
};

function disabledRoles(args: ParsedArgs, existing: OidcProviderSettings | null): string[] {
  const mode = args.flags['password-signin'];
  if (mode === undefined) {
    if (args.flags.roles !== undefined)
      throw new ValidationFailedError('--roles goes with --password-signin off.');
    return existing?.passwordSignInDisabledRoles ?? [];
  }
  if (mode === 'on') {
    if (args.flags.roles !== undefined)
      throw new ValidationFailedError('--password-signin on takes no --roles.');
    return [];
  }
  if (mode !== 'off') throw new ValidationFailedError('--password-signin must be on or off.');
  const roles = requireFlag(args, 'roles')
    .split(',')
    .map((role) => role.trim())
    .filter((role) => role !== '');
  if (roles.length === 0) throw new ValidationFailedError('--roles must name at least one role.');
  return roles;
}
