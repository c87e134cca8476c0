import { type UserRole } from '../db/types';

/** Roles that administer others: they get a TOTP secret at acceptance and need a code at every sign-in. */
export const ADMIN_ROLES: readonly UserRole[] = ['district_admin', 'school_admin'];

export function isAdminRole(role: UserRole): boolean {
  return ADMIN_ROLES.includes(role);
}
