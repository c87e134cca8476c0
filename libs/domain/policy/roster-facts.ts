export type Role = 'student' | 'teacher' | 'guardian' | 'school_admin' | 'district_admin';

export type SectionRole = 'teacher' | 'student';

export interface RosterUser {
  readonly id: string;
  readonly districtId: string;
  readonly role: Role;
  /** False once a roster import deactivated the user: an inactive user can neither act nor be reached. */
  readonly active: boolean;
  /** Only read for school admins: the school whose conversations they may review. */
  readonly schoolId?: string | null;
}

export interface RosterSection {
  readonly id: string;
  readonly districtId: string;
  readonly schoolId: string;
  /** False once the section left the roster: nobody has access through it any more. */
  readonly active: boolean;
}

export interface SectionMembership {
  readonly sectionId: string;
  readonly userId: string;
  readonly role: SectionRole;
  /** OneRoster's lead-teacher flag; the policy treats primary and co-teachers alike. */
  readonly primary?: boolean;
}

export interface GuardianLink {
  readonly guardianId: string;
  readonly studentId: string;
}

/**
 * The roster as plain rows, exactly as the database holds them now.
 *
 * Slice contract: the policy functions need not see the whole district. A decision about some users
 * is correct on any subset of the roster that contains every fact touching them, which is exactly
 * what {@link sliceForUsers} (and {@link sliceForPair}) returns: the users' rows, the students they are
 * guardians of, all memberships of those users, the sections of those memberships and every guardian
 * link naming one of the users. Which users to slice for:
 * - canMessage: actor and target (sliceForPair);
 * - canPostAnnouncement, canListAnnouncementRecipients, canReadAnnouncement: the actor;
 * - canReplyToAnnouncement: the actor and the announcement's author;
 * - canAccessConversation: both participants; canReviewConversation: reviewer and participants;
 * - announcementRecipients: the section's roster instead, {@link sliceForSection}.
 * On such a slice every function gives the same allow/deny answer as on the whole roster (canMessage
 * the very same decision); a denial's reason may be less specific when the slice lacks the row it
 * would name (`unknown_section` rather than `section_inactive`). Rows a slice lacks are treated as
 * absent, so a short slice denies rather than allows.
 *
 * A fact only grants access when it is consistent: a membership counts when its section is active,
 * its user is active, both are in the same district and the membership role matches the user's role
 * (a teacher membership for a teacher, a student membership for a student); a guardian link counts
 * when it joins an active guardian to an active student of the same district.
 */
export interface RosterFacts {
  readonly users: readonly RosterUser[];
  readonly sections: readonly RosterSection[];
  readonly memberships: readonly SectionMembership[];
  readonly guardianLinks: readonly GuardianLink[];
}

/** Lookup maps over one {@link RosterFacts}, built once so many decisions can share them. */
export interface RosterIndex {
  readonly usersById: ReadonlyMap<string, RosterUser>;
  readonly sectionsById: ReadonlyMap<string, RosterSection>;
  readonly membershipsByUser: ReadonlyMap<string, readonly SectionMembership[]>;
  readonly membershipsBySection: ReadonlyMap<string, readonly SectionMembership[]>;
  readonly studentIdsByGuardian: ReadonlyMap<string, readonly string[]>;
  readonly guardianIdsByStudent: ReadonlyMap<string, readonly string[]>;
}

/** Every policy function accepts raw facts (indexed on the fly) or a prebuilt index. */
export type Roster = RosterFacts | RosterIndex;

export function indexRoster(facts: RosterFacts): RosterIndex {
  return {
    usersById: new Map(facts.users.map((user) => [user.id, user])),
    sectionsById: new Map(facts.sections.map((section) => [section.id, section])),
    membershipsByUser: groupBy(
      facts.memberships,
      (m) => m.userId,
      (m) => m,
    ),
    membershipsBySection: groupBy(
      facts.memberships,
      (m) => m.sectionId,
      (m) => m,
    ),
    studentIdsByGuardian: groupBy(
      facts.guardianLinks,
      (l) => l.guardianId,
      (l) => l.studentId,
    ),
    guardianIdsByStudent: groupBy(
      facts.guardianLinks,
      (l) => l.studentId,
      (l) => l.guardianId,
    ),
  };
}

export function asIndex(roster: Roster): RosterIndex {
  return 'usersById' in roster ? roster : indexRoster(roster);
}

/** The facts touching the given users; see the slice contract on {@link RosterFacts}. */
export function sliceForUsers(facts: RosterFacts, userIds: readonly string[]): RosterFacts {
  const parties = new Set(userIds);
  const guardianLinks = facts.guardianLinks.filter(
    (link) => parties.has(link.guardianId) || parties.has(link.studentId),
  );
  const involved = new Set(parties);
  for (const link of guardianLinks) {
    if (parties.has(link.guardianId)) involved.add(link.studentId);
  }
  const memberships = facts.memberships.filter((m) => involved.has(m.userId));
  const sectionIds = new Set(memberships.map((m) => m.sectionId));
  return {
    users: facts.users.filter((user) => involved.has(user.id)),
    sections: facts.sections.filter((section) => sectionIds.has(section.id)),
    memberships,
    guardianLinks,
  };
}

export function sliceForPair(facts: RosterFacts, a: string, b: string): RosterFacts {
  return sliceForUsers(facts, [a, b]);
}

/**
 * The facts that decide who receives an announcement in a section: the section, its memberships,
 * its members, their guardian links and those guardians.
 */
export function sliceForSection(facts: RosterFacts, sectionId: string): RosterFacts {
  const memberships = facts.memberships.filter((m) => m.sectionId === sectionId);
  const memberIds = new Set(memberships.map((m) => m.userId));
  const guardianLinks = facts.guardianLinks.filter((link) => memberIds.has(link.studentId));
  const userIds = new Set([...memberIds, ...guardianLinks.map((link) => link.guardianId)]);
  return {
    users: facts.users.filter((user) => userIds.has(user.id)),
    sections: facts.sections.filter((section) => section.id === sectionId),
    memberships,
    guardianLinks,
  };
}

function groupBy<T, V>(
  rows: readonly T[],
  keyOf: (row: T) => string,
  valueOf: (row: T) => V,
): Map<string, readonly V[]> {
  const groups = new Map<string, V[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(valueOf(row));
    else groups.set(key, [valueOf(row)]);
  }
  return groups;
}
