/**
 * Every denial names its reason so logs, audit events and tests can say why a request was refused.
 * The API maps any denial to 403 FORBIDDEN (or 404 where the object must not be revealed); the reason
 * stays server-side.
 */
export const DENY_REASONS = [
  'self',
  'unknown_user',
  'actor_inactive',
  'target_inactive',
  'cross_district',
  'role_pair_not_allowed',
  'no_shared_section',
  'no_linked_student_in_section',
  'teacher_to_teacher_disabled',
  'no_shared_school',
  'unknown_section',
  'section_inactive',
  'not_a_teacher_of_section',
  'not_a_recipient',
  'no_current_path_to_section',
  'is_author',
  'not_a_participant',
  'not_an_admin',
  'no_school_assigned',
  'no_participant_in_school',
] as const;

export type DenyReason = (typeof DENY_REASONS)[number];

export type Allowed = { readonly allowed: true };
export type Denied = { readonly allowed: false; readonly reason: DenyReason };
export type Decision = Allowed | Denied;

export const ALLOW: Allowed = Object.freeze({ allowed: true });

export function deny(reason: DenyReason): Denied {
  return { allowed: false, reason };
}

export function isAllowed(decision: Decision): decision is Allowed {
  return decision.allowed;
}
