import { type TenantRepositories } from '../../../../libs/db/database';
import { type Principal } from './request-context';

/**
 * What an administrator oversees: a district admin the whole district, a school admin their own school
 * (a school admin without a school oversees nothing).
 */
export type AdminScope = { kind: 'district' } | { kind: 'school'; schoolId: string | null };

export async function adminScopeOf(principal: Principal, tenant: TenantRepositories): Promise<AdminScope> {
  if (principal.role === 'district_admin') return { kind: 'district' };
  const admin = await tenant.users.findProfile(principal.userId);
  return { kind: 'school', schoolId: admin?.schoolId ?? null };
}
