export { checkAgainstDatabase } from './database-checks';
export { diffGuardianLinks, type GuardianLinkPlan } from './guardian-links';
export { diffMemberships, type MembershipPlan } from './memberships';
export { planRemovals, type RemovalPlan } from './removals';
export { type RosterDbState } from './roster-state';
export { diffSchools, type SchoolPlan } from './schools';
export { diffSections, type SectionPlan } from './sections';
export { DEFAULT_PREFERRED_LANGUAGE, diffUsers, type UserPlan, type UserUpdate } from './users';
