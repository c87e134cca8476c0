import { asIndex, type Roster, type RosterIndex, type RosterSection, type SectionRole } from './roster-facts';

/**
 * Which schools a conversation concerns, for their admins: where the conversation's students are
 * taught. A student participant brings the schools of the active sections they are enrolled in; a
 * guardian participant brings the schools of the active sections in which the other participant
 * teaches one of the guardian's children. A teacher's other schools do not count: a teacher who also
 * teaches elsewhere does not open their conversations to that school's admin. Flags on the people
 * themselves do not matter (a deactivated student's conversations stay with their school). On a slice
 * for the participants (`sliceForUsers`) the answer is the same as on the whole roster.
 */
export function conversationSchoolIds(
  districtId: string,
  participantIds: readonly [string, string],
  roster: Roster,
): string[] {
  const index = asIndex(roster);
  const schools = new Set<string>();
  participantIds.forEach((participantId, position) => {
    const participant = index.usersById.get(participantId);
    if (participant?.districtId !== districtId) return;
    if (participant.role === 'student') {
      for (const section of sectionsOf(index, districtId, participantId, 'student')) {
        schools.add(section.schoolId);
      }
    }
    if (participant.role === 'guardian') {
      const otherId = participantIds[1 - position]!;
      const children = (index.studentIdsByGuardian.get(participantId) ?? []).filter((childId) => {
        const child = index.usersById.get(childId);
        return child?.role === 'student' && child.districtId === districtId;
      });
      for (const section of sectionsOf(index, districtId, otherId, 'teacher')) {
        const taught = (index.membershipsBySection.get(section.id) ?? []).some(
          (m) => m.role === 'student' && children.includes(m.userId),
        );
        if (taught) schools.add(section.schoolId);
      }
    }
  });
  return [...schools].sort();
}

/**
 * Which schools an account concerns, for their admins: the school the account belongs to, the schools
 * of the active sections it is a member of and, for a guardian, those of their children.
 */
export function userSchoolIds(districtId: string, userId: string, roster: Roster): string[] {
  const index = asIndex(roster);
  const user = index.usersById.get(userId);
  if (user?.districtId !== districtId) return [];
  const people = new Set([userId]);
  if (user.role === 'guardian') {
    for (const childId of index.studentIdsByGuardian.get(userId) ?? []) people.add(childId);
  }
  const schools = new Set<string>();
  if (user.schoolId) schools.add(user.schoolId);
  for (const personId of people) {
    for (const section of sectionsOf(index, districtId, personId, null)) schools.add(section.schoolId);
  }
  return [...schools].sort();
}

/** The active sections of the district in which the user holds a membership (of the given role). */
function sectionsOf(
  index: RosterIndex,
  districtId: string,
  userId: string,
  role: SectionRole | null,
): RosterSection[] {
  const sections: RosterSection[] = [];
  for (const membership of index.membershipsByUser.get(userId) ?? []) {
    if (role !== null && membership.role !== role) continue;
    const section = index.sectionsById.get(membership.sectionId);
    if (section?.active && section.districtId === districtId) sections.push(section);
  }
  return sections;
}
