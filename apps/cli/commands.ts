import { type Database } from '../../libs/db/database';
import { type UserRole } from '../../libs/db/types';
import { ValidationFailedError, NotFoundError } from '../../libs/domain/errors/domain-errors';
import { canonicalUsername } from '../../libs/domain/identity/canonical-identifiers';
import { issueInvitation } from '../../libs/identity/invitations';
import { type ParsedArgs, requireFlag, requireUuidFlag } from './args';
import { type Command } from './command';
import { attachmentsRescanCommand } from './attachments-rescan.command';
import { districtSettingsCommand } from './district-settings.command';
import { keysRotate } from './keys-rotate.command';
import { oidcSetCommand, oidcShowCommand } from './oidc.command';
import { rosterImportCommand } from './roster-import.command';
import { rosterSourceCommand } from './roster-source.command';

const ADMIN_ROLES: readonly UserRole[] = ['district_admin', 'school_admin'];
const USERNAME = /^[A-Za-z0-9._@-]{3,100}$/;

async function requireDistrict(db: Database, args: ParsedArgs): Promise<string> {
  const districtId = requireUuidFlag(args, 'district');
  if (!(await db.districts.exists(districtId))) throw new NotFoundError('The district');
  return districtId;
}

const districtCreate: Command = async ({ db, args }) => {
  const name = requireFlag(args, 'name').trim();
  if (name.length < 2 || name.length > 200)
    throw new ValidationFailedError('--name must be 2 to 200 characters.');
  const district = await db.districts.create(name);
  return { districtId: district.id };
};

const adminCreate: Command = async ({ db, args, config }) => {
  const username = canonicalUsername(requireFlag(args, 'username'));
  if (!USERNAME.test(username)) {
    throw new ValidationFailedError('--username must be 3 to 100 letters, digits or . _ @ -.');
  }
  const role = (args.flags.role ?? 'district_admin') as UserRole;
  if (!ADMIN_ROLES.includes(role))
    throw new ValidationFailedError('--role must be district_admin or school_admin.');
  const districtId = await requireDistrict(db, args);
  const tenant = db.forDistrict(districtId);
  const user = await tenant.users.create({
    role,
    username,
    givenName: args.flags['given-name'] ?? username,
    familyName: args.flags['family-name'] ?? '',
  });
  await tenant.audit.append({
    action: 'admin.created',
    targetType: 'user',
    targetId: user.id,
    details: { role },
  });
  const invitation = await issueInvitation(db, districtId, {
    userId: user.id,
    issuedById: null,
    ttlHours: config.INVITATION_TTL_HOURS,
  });
  return {
    userId: user.id,
    invitationToken: invitation.token,
    expiresAt: invitation.expiresAt.toISOString(),
  };
};

const auditVerify: Command = async ({ db, args }) => {
  const districtId = await requireDistrict(db, args);
  const verdict = await db.forDistrict(districtId).audit.verify();
  return { ...verdict };
};

/** `<noun> <verb>` → handler. Commands added by later features register here. */
export const COMMANDS: Record<string, Command> = {
  'district create': districtCreate,
  'district settings': districtSettingsCommand,
  'admin create': adminCreate,
  'audit verify': auditVerify,
  'keys rotate': keysRotate,
  'roster import': rosterImportCommand,
  'roster source': rosterSourceCommand,
  'attachments rescan': attachmentsRescanCommand,
  'oidc set': oidcSetCommand,
  'oidc show': oidcShowCommand,
};
