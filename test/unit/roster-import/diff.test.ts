import { randomUUID } from 'node:crypto';
import {
  generateRoster,
  withEnrollment,
  withGuardianLink,
  withoutEnrollment,
  withoutGuardianLink,
  withoutUser,
  withUserChanges,
  writeDeltaZip,
  writeRosterZip,
  type RosterModel,
} from '../../../libs/domain/roster/generator';
import {
  checkAgainstDatabase,
  diffGuardianLinks,
  diffMemberships,
  diffUsers,
  planRemovals,
} from '../../../libs/roster-import/diff';
import { parseBulk, parseDelta } from '../roster/roster-test-helpers';
import { applyAllPhases, emptyRoster, type InMemoryRoster, rosterView } from './in-memory-roster';

const before = generateRoster({
  seed: 5,
  schools: 2,
  sections: 8,
  students: 40,
  linkDeclaration: 'both',
}).model;

function imported(model: RosterModel): InMemoryRoster {
  const state = emptyRoster();
  applyAllPhases(state, parseBulk(writeRosterZip(model)));
  return state;
}

function idOf(state: InMemoryRoster, sourcedId: string): string {
  const row = [...state.users, ...state.sections, ...state.schools].find((r) => r.sourcedId === sourcedId);
  if (!row) throw new Error(`no row ${sourcedId}`);
  return row.id;
}

const firstStudentEnrollment = before.enrollments.find((e) => e.role === 'student')!;
const aStudent = firstStudentEnrollment.userSourcedId;
const aGuardianLink = before.guardianLinks[0]!;

describe('roster diff', () => {
  it('when a fresh district imports a bulk export, then every row is created and a second pass finds nothing to do', () => {
    const state = emptyRoster();
    const snapshot = parseBulk(writeRosterZip(before));
    const first = applyAllPhases(state, snapshot);
    expect(first.users).toBe(snapshot.users.length);
    expect(first.memberships).toBe(snapshot.memberships.length);
    expect(first.guardianLinks).toBe(snapshot.guardianLinks.length);
    expect(first.removals).toBe(0);

    const view = rosterView(state);
    expect(applyAllPhases(state, snapshot)).toEqual({
      schools: 0,
      sections: 0,
      users: 0,
      memberships: 0,
      guardianLinks: 0,
      removals: 0,
    });
    expect(rosterView(state)).toEqual(view);
  });

  it('when a bulk export lacks a user, then their memberships and links end and the user alone is deactivated', () => {
    const state = imported(before);
    const after = parseBulk(writeRosterZip(withoutUser(before, aStudent)));
    const studentId = idOf(state, aStudent);

    const memberships = diffMemberships(after, state);
    expect(memberships.add).toEqual([]);
    expect(memberships.remove.sort()).toEqual(
      state.memberships
        .filter((m) => m.userId === studentId)
        .map((m) => m.id)
        .sort(),
    );
    const links = diffGuardianLinks(after, state);
    expect(links.remove.sort()).toEqual(
      state.guardianLinks
        .filter((l) => l.studentId === studentId)
        .map((l) => l.id)
        .sort(),
    );
    expect(planRemovals(after, state)).toEqual({ users: [studentId], sections: [], schools: [] });
  });

  it('when a bulk export lacks one enrollment and one guardian link, then exactly those rows are removed', () => {
    const state = imported(before);
    const model = withoutGuardianLink(
      withoutEnrollment(before, aStudent, firstStudentEnrollment.sectionSourcedId),
      aGuardianLink.guardianSourcedId,
      aGuardianLink.studentSourcedId,
    );
    const after = parseBulk(writeRosterZip(model));
    const sectionId = idOf(state, firstStudentEnrollment.sectionSourcedId);
    const studentId = idOf(state, aStudent);
    expect(diffMemberships(after, state)).toEqual({
      add: [],
      update: [],
      remove: [state.memberships.find((m) => m.sectionId === sectionId && m.userId === studentId)!.id],
    });
    const guardianId = idOf(state, aGuardianLink.guardianSourcedId);
    const linkedStudentId = idOf(state, aGuardianLink.studentSourcedId);
    expect(diffGuardianLinks(after, state)).toEqual({
      add: [],
      remove: [
        state.guardianLinks.find((l) => l.guardianId === guardianId && l.studentId === linkedStudentId)!.id,
      ],
    });
  });

  it('when a bulk export lacks a section, then its memberships end and the section alone is deactivated', () => {
    const state = imported(before);
    const gone = before.sections[0]!.sourcedId;
    const withoutSection: RosterModel = {
      ...before,
      sections: before.sections.filter((section) => section.sourcedId !== gone),
      enrollments: before.enrollments.filter((enrollment) => enrollment.sectionSourcedId !== gone),
    };
    const after = parseBulk(writeRosterZip(withoutSection));
    const sectionId = idOf(state, gone);
    const memberships = diffMemberships(after, state);
    expect(memberships.add).toEqual([]);
    expect(memberships.remove.sort()).toEqual(
      state.memberships
        .filter((m) => m.sectionId === sectionId)
        .map((m) => m.id)
        .sort(),
    );
    expect(planRemovals(after, state)).toEqual({ users: [], sections: [sectionId], schools: [] });
  });

  it('when a delta deletes a school, then the school and every active section of it are deactivated', () => {
    const state = imported(before);
    const school = state.schools[0]!;
    const club = {
      id: randomUUID(),
      sourcedId: null,
      schoolId: school.id,
      title: 'Chess club',
      active: true,
    };
    state.sections.push(club);
    const delta = parseDelta(
      writeDeltaZip(before, {
        ...before,
        orgs: before.orgs.filter((org) => org.sourcedId !== school.sourcedId),
      }),
    );
    expect(delta.kind === 'delta' && delta.deletions.sections).toEqual([]);

    const plan = planRemovals(delta, state);

    const ofSchool = state.sections.filter((section) => section.schoolId === school.id).map((s) => s.id);
    expect(ofSchool.length).toBeGreaterThan(1);
    expect(plan.schools).toEqual([school.id]);
    expect(plan.sections.sort()).toEqual(ofSchool.sort());
    expect(plan.users).toEqual([]);
  });

  it('when a section is active in a school that has already left, then the next import deactivates it', () => {
    const state = imported(before);
    const school = state.schools[0]!;
    school.active = false;
    const stranded = state.sections.filter((section) => section.schoolId === school.id);
    expect(stranded.length).toBeGreaterThan(0);

    const plan = planRemovals(parseBulk(writeRosterZip(before)), state);

    expect(plan.sections.sort()).toEqual(stranded.map((section) => section.id).sort());
    expect(plan.schools).toEqual([]);
  });

  it('when hand-made accounts, sections and memberships exist, then a bulk import leaves them alone', () => {
    const state = imported(before);
    const admin = {
      ...state.users[0]!,
      id: randomUUID(),
      sourcedId: 'usr-admin',
      role: 'district_admin' as const,
      username: 'admin',
    };
    const teacher = {
      ...state.users[0]!,
      id: randomUUID(),
      sourcedId: null,
      role: 'teacher' as const,
      username: 'by-hand',
    };
    const club = {
      id: randomUUID(),
      sourcedId: null,
      schoolId: state.schools[0]!.id,
      title: 'Chess club',
      active: true,
    };
    state.users.push(admin, teacher);
    state.sections.push(club);
    state.memberships.push({
      id: randomUUID(),
      sectionId: club.id,
      userId: idOf(state, aStudent),
      role: 'student',
      isPrimary: false,
      sourcedId: null,
    });
    state.memberships.push({
      id: randomUUID(),
      sectionId: idOf(state, firstStudentEnrollment.sectionSourcedId),
      userId: teacher.id,
      role: 'teacher',
      isPrimary: false,
      sourcedId: null,
    });

    const snapshot = parseBulk(writeRosterZip(before));
    expect(diffMemberships(snapshot, state).remove).toEqual([]);
    expect(planRemovals(snapshot, state)).toEqual({ users: [], sections: [], schools: [] });
  });

  it('when a user changes their language in the app and the export leaves it blank, then the import keeps it', () => {
    const quiet = before.users.find((user) => user.role === 'student')!;
    expect(quiet.preferredLanguage).toBeNull();
    const state = imported(before);
    const row = state.users.find((user) => user.sourcedId === quiet.sourcedId)!;
    row.preferredLanguage = 'vi';
    expect(diffUsers(parseBulk(writeRosterZip(before)), state)).toEqual({
      create: [],
      update: [],
      renames: [],
    });
  });

  it('when the export disables an active user, then the update ends their access', () => {
    const state = imported(before);
    const plan = diffUsers(
      parseBulk(writeRosterZip(withUserChanges(before, aStudent, { enabled: false }))),
      state,
    );
    expect(plan.update).toEqual([
      expect.objectContaining({ id: idOf(state, aStudent), active: false, endsAccess: true }),
    ]);
  });

  it('when two users swap usernames, then both renames are applied together and the result is the swap', () => {
    const [first, second] = before.users.filter((user) => user.role === 'teacher');
    const state = imported(before);
    const swapped = withUserChanges(
      withUserChanges(before, first!.sourcedId, { username: second!.username }),
      second!.sourcedId,
      {
        username: first!.username,
      },
    );
    const snapshot = parseBulk(writeRosterZip(swapped));
    expect(checkAgainstDatabase(snapshot, state)).toEqual([]);
    const plan = diffUsers(snapshot, state);
    expect(plan.update).toEqual([]);
    expect(plan.renames.map((user) => user.sourcedId).sort()).toEqual(
      [first!.sourcedId, second!.sourcedId].sort(),
    );

    applyAllPhases(state, snapshot);
    expect(state.users.find((u) => u.sourcedId === first!.sourcedId)!.username).toBe(second!.username);
    expect(rosterView(state)).toEqual(rosterView(imported(swapped)));
  });

  const mutations: [string, (model: RosterModel) => RosterModel][] = [
    [
      'a student leaves a section',
      (m) => withoutEnrollment(m, aStudent, firstStudentEnrollment.sectionSourcedId),
    ],
    ['a student leaves the district', (m) => withoutUser(m, aStudent)],
    [
      'a guardian link ends',
      (m) => withoutGuardianLink(m, aGuardianLink.guardianSourcedId, aGuardianLink.studentSourcedId),
    ],
    [
      'a student is renamed and disabled',
      (m) => withUserChanges(m, aStudent, { familyName: 'Renamed', enabled: false }),
    ],
    [
      'a student joins another section and gains a guardian',
      (m) => {
        const section = m.sections.find(
          (s) =>
            s.schoolSourcedId === firstStudentEnrollment.schoolSourcedId &&
            !m.enrollments.some((e) => e.userSourcedId === aStudent && e.sectionSourcedId === s.sourcedId),
        )!;
        const guardian = m.users.find(
          (u) =>
            u.role === 'parent' &&
            !m.guardianLinks.some(
              (l) => l.guardianSourcedId === u.sourcedId && l.studentSourcedId === aStudent,
            ),
        )!;
        return withGuardianLink(
          withEnrollment(m, {
            userSourcedId: aStudent,
            sectionSourcedId: section.sourcedId,
            role: 'student',
          }),
          {
            guardianSourcedId: guardian.sourcedId,
            studentSourcedId: aStudent,
          },
        );
      },
    ],
  ];

  it.each(mutations)(
    'when %s, then the delta and the bulk export of the change lead to the same roster',
    (_name, mutate) => {
      const after = mutate(before);
      const viaBulk = imported(before);
      applyAllPhases(viaBulk, parseBulk(writeRosterZip(after)));
      const viaDelta = imported(before);
      const delta = parseDelta(writeDeltaZip(before, after));
      expect(checkAgainstDatabase(delta, viaDelta)).toEqual([]);
      applyAllPhases(viaDelta, delta);

      expect(rosterView(viaDelta)).toEqual(rosterView(viaBulk));
      const settled = rosterView(viaDelta);
      expect(Object.values(applyAllPhases(viaDelta, delta)).every((size) => size === 0)).toBe(true);
      expect(rosterView(viaDelta)).toEqual(settled);
    },
  );
});

describe('delta guardian links', () => {
  const declaredByStudents = generateRoster({
    seed: 9,
    students: 12,
    sections: 3,
    linkDeclaration: 'student',
  }).model;

  it('when a delta deletes a student whose links only their own row declared, then those links end too', () => {
    const link = declaredByStudents.guardianLinks[0]!;
    const state = imported(declaredByStudents);
    const delta = parseDelta(
      writeDeltaZip(declaredByStudents, withoutUser(declaredByStudents, link.studentSourcedId)),
    );
    expect(delta.upserts.users).toEqual([]);
    const studentId = idOf(state, link.studentSourcedId);
    expect(diffGuardianLinks(delta, state).remove.sort()).toEqual(
      state.guardianLinks
        .filter((l) => l.studentId === studentId)
        .map((l) => l.id)
        .sort(),
    );
  });

  it('when a delta restates a guardian without the student, then that link ends while others stay', () => {
    const state = imported(before);
    const after = withoutGuardianLink(
      before,
      aGuardianLink.guardianSourcedId,
      aGuardianLink.studentSourcedId,
    );
    const plan = diffGuardianLinks(parseDelta(writeDeltaZip(before, after)), state);
    const guardianId = idOf(state, aGuardianLink.guardianSourcedId);
    const studentId = idOf(state, aGuardianLink.studentSourcedId);
    expect(plan).toEqual({
      add: [],
      remove: [state.guardianLinks.find((l) => l.guardianId === guardianId && l.studentId === studentId)!.id],
    });
  });
});

describe('checks against the database', () => {
  it('when a delta enrolls into a class the district does not have, then the error names the file and line', () => {
    const state = imported(before);
    const unknown = withEnrollment(
      { ...before, sections: [...before.sections, { ...before.sections[0]!, sourcedId: 'cls-new' }] },
      { userSourcedId: aStudent, sectionSourcedId: 'cls-new', role: 'student' },
    );
    const delta = parseDelta(
      writeDeltaZip(unknown, withoutEnrollment(unknown, aStudent, firstStudentEnrollment.sectionSourcedId)),
    );
    expect(checkAgainstDatabase(delta, state)).toEqual([]);
    const enrolling = parseDelta(writeDeltaZip({ ...unknown, enrollments: before.enrollments }, unknown));
    const errors = checkAgainstDatabase(enrolling, state);
    expect(errors).toEqual([
      {
        file: 'enrollments.csv',
        line: 2,
        message: "classSourcedId 'cls-new' is neither in this delta nor a class of the district",
      },
    ]);
  });

  it('when a delta links a guardian to someone who is a teacher in the database, then the export is refused', () => {
    const state = imported(before);
    state.users.find((user) => user.sourcedId === aStudent)!.role = 'teacher';
    const guardian = before.users.find(
      (u) =>
        u.role === 'parent' &&
        !before.guardianLinks.some(
          (l) => l.guardianSourcedId === u.sourcedId && l.studentSourcedId === aStudent,
        ),
    )!;
    const delta = parseDelta(
      writeDeltaZip(
        before,
        withGuardianLink(before, {
          guardianSourcedId: guardian.sourcedId,
          studentSourcedId: aStudent,
          declaredOn: 'guardian',
        }),
      ),
    );
    expect(checkAgainstDatabase(delta, state)).toEqual([
      expect.objectContaining({
        file: 'users.csv',
        message: `user '${aStudent}' is a teacher in the district's roster, not a student`,
      }),
    ]);
  });

  it('when an export claims an administrator or a username held outside it, then the export is refused', () => {
    const state = imported(before);
    state.users.push({
      ...state.users[0]!,
      id: randomUUID(),
      sourcedId: 'adm-1',
      role: 'district_admin',
      username: 'boss',
    });
    const teacher = before.users.find((user) => user.role === 'teacher')!;
    const claiming = withUserChanges(before, teacher.sourcedId, { username: 'boss' });
    expect(checkAgainstDatabase(parseBulk(writeRosterZip(claiming)), state)).toEqual([
      {
        file: 'users.csv',
        line: 0,
        message: `the username of user '${teacher.sourcedId}' is already used by another account of the district that this export does not rename`,
      },
    ]);
    const admin = {
      ...before.users.find((u) => u.sourcedId === teacher.sourcedId)!,
      sourcedId: 'adm-1',
      username: 'boss2',
    };
    const claimingAdmin = { ...before, users: [...before.users, admin] };
    expect(checkAgainstDatabase(parseBulk(writeRosterZip(claimingAdmin)), state)).toEqual([
      expect.objectContaining({
        file: 'users.csv',
        message: expect.stringContaining("sourcedId 'adm-1' belongs to an administrator"),
      }),
    ]);
  });
});
