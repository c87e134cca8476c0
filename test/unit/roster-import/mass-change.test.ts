import {
  generateRoster,
  withEnrollment,
  withoutUser,
  withUserChanges,
  writeDeltaZip,
  writeRosterZip,
  type RosterModel,
} from '../../../libs/domain/roster/generator';
import { emptyCounts, type RosterImportCounts } from '../../../libs/domain/roster-import/counts';
import {
  bulkRemovals,
  exceedsConfirmed,
  massChangeReasons,
  previewRosterChanges,
} from '../../../libs/roster-import/mass-change';
import { type RosterSnapshot } from '../../../libs/domain/roster';
import { parseBulk, parseDelta } from '../roster/roster-test-helpers';
import { applyAllPhases, emptyRoster, type InMemoryRoster, rosterView } from './in-memory-roster';

const before = generateRoster({ seed: 11, schools: 3, sections: 10, students: 60 }).model;

function imported(model: RosterModel): InMemoryRoster {
  const state = emptyRoster();
  applyAllPhases(state, parseBulk(writeRosterZip(model)));
  return state;
}

/** The preview folded into the oracle's per-phase sizes (applyAllPhases), which it must equal. */
function perPhase(counts: RosterImportCounts): Record<string, number> {
  return {
    schools: counts.schoolsCreated + counts.schoolsUpdated,
    sections: counts.sectionsCreated + counts.sectionsUpdated,
    users: counts.usersCreated + counts.usersUpdated,
    memberships: counts.enrollmentsAdded + counts.enrollmentsUpdated + counts.enrollmentsRemoved,
    guardianLinks: counts.guardianLinksAdded + counts.guardianLinksRemoved,
    removals: counts.usersRemoved + counts.sectionsRemoved + counts.schoolsRemoved,
  };
}

function previewThenApply(state: InMemoryRoster, snapshot: RosterSnapshot) {
  const view = rosterView(state);
  const preview = previewRosterChanges(snapshot, state);
  expect(rosterView(state)).toEqual(view);
  return { preview, applied: applyAllPhases(state, snapshot) };
}

describe('mass-change preview and decision', () => {
  it('when an export adds, changes and removes rows, then the preview counts what applying it does, and writes nothing', () => {
    const state = imported(before);
    const [leaving, renamed] = before.users.filter((user) => user.role === 'student');
    const teacher = before.users.find((user) => user.role === 'teacher')!;
    const section = before.sections.find(
      (s) =>
        !before.enrollments.some(
          (e) => e.sectionSourcedId === s.sourcedId && e.userSourcedId === teacher.sourcedId,
        ),
    )!;
    let next = withoutUser(before, leaving!.sourcedId);
    next = withUserChanges(next, renamed!.sourcedId, { familyName: 'Renamed' });
    next = withEnrollment(next, {
      userSourcedId: teacher.sourcedId,
      sectionSourcedId: section.sourcedId,
      role: 'teacher',
    });
    const snapshot = parseBulk(writeRosterZip(next));

    const { preview, applied } = previewThenApply(state, snapshot);
    expect(perPhase(preview)).toEqual(applied);
    expect(preview).toMatchObject({ usersRemoved: 1, usersUpdated: 1, enrollmentsAdded: 1 });
    expect(preview.enrollmentsRemoved).toBeGreaterThan(0);
  });

  it('when a bulk export drops enrollments, users and a section, then the quick removal count equals the preview', () => {
    const state = imported(before);
    const student = before.users.find((user) => user.role === 'student')!;
    const section = before.sections.at(-1)!;
    const next: RosterModel = {
      ...withoutUser(before, student.sourcedId),
      sections: before.sections.filter((s) => s.sourcedId !== section.sourcedId),
    };
    next.enrollments = next.enrollments.filter(
      (e, index) => e.sectionSourcedId !== section.sourcedId && index % 4 !== 0,
    );
    const snapshot = parseBulk(writeRosterZip(next));
    const preview = previewRosterChanges(snapshot, state);
    expect(bulkRemovals(snapshot, state, state.memberships)).toEqual({
      usersRemoved: preview.usersRemoved,
      enrollmentsRemoved: preview.enrollmentsRemoved,
      sectionsRemoved: preview.sectionsRemoved,
      schoolsRemoved: preview.schoolsRemoved,
    });
    expect(preview).toMatchObject({ usersRemoved: 1, sectionsRemoved: 1 });
    expect(preview.enrollmentsRemoved).toBeGreaterThan(before.enrollments.length / 5);
    expect(perPhase(preview)).toEqual(applyAllPhases(state, snapshot));
  });

  it('when a delta deletes a user, then the preview counts the same as applying it', () => {
    const state = imported(before);
    const student = before.users.find((user) => user.role === 'student')!;
    const after = withoutUser(before, student.sourcedId);
    const { preview, applied } = previewThenApply(state, parseDelta(writeDeltaZip(before, after)));
    expect(perPhase(preview)).toEqual(applied);
    expect(preview.usersRemoved).toBe(1);
  });

  it('when removals reach the threshold exactly, then it is no mass change; one more is', () => {
    const users = Array.from({ length: 20 }, (_, index) => ({
      id: `u${index}`,
      sourcedId: `s${index}`,
      role: 'student' as const,
      username: `u${index}`,
      givenName: 'G',
      familyName: 'F',
      email: null,
      preferredLanguage: 'en',
      active: true,
      schoolId: null,
    }));
    const current = { users, membershipCount: 100 };
    const pending = (changes: Partial<RosterImportCounts>) => ({ ...emptyCounts(), ...changes });

    expect(massChangeReasons(pending({ enrollmentsRemoved: 10 }), current, 10)).toEqual([]);
    expect(massChangeReasons(pending({ enrollmentsRemoved: 11 }), current, 10)).toEqual([
      'enrollmentsRemoved',
    ]);
    expect(massChangeReasons(pending({ usersRemoved: 2 }), current, 10)).toEqual([]);
    expect(massChangeReasons(pending({ usersRemoved: 3 }), current, 10)).toEqual(['usersRemoved']);
    expect(massChangeReasons(pending({ usersRemoved: 3, enrollmentsRemoved: 15 }), current, 15)).toEqual([]);
    expect(massChangeReasons(pending({ schoolsRemoved: 1 }), current, 100)).toEqual(['schoolsRemoved']);
    // Inactive users and hand-made accounts are not part of the share.
    const fewerActive = {
      users: users.map((user, index) => ({ ...user, active: index < 10 })),
      membershipCount: 100,
    };
    expect(massChangeReasons(pending({ usersRemoved: 2 }), fewerActive, 10)).toEqual(['usersRemoved']);
    expect(
      massChangeReasons(pending({ enrollmentsRemoved: 1 }), { users: [], membershipCount: 0 }, 10),
    ).toEqual(['enrollmentsRemoved']);
  });

  it('when a confirmed import is diffed again, then only removing more than was confirmed holds it again', () => {
    const confirmed = { ...emptyCounts(), enrollmentsRemoved: 30, usersRemoved: 2, usersCreated: 1 };
    expect(exceedsConfirmed({ ...confirmed }, confirmed)).toBe(false);
    expect(exceedsConfirmed({ ...confirmed, enrollmentsRemoved: 25, usersCreated: 9 }, confirmed)).toBe(
      false,
    );
    expect(exceedsConfirmed({ ...confirmed, enrollmentsRemoved: 31 }, confirmed)).toBe(true);
    expect(exceedsConfirmed({ ...confirmed, schoolsRemoved: 1 }, confirmed)).toBe(true);
    expect(exceedsConfirmed({ ...confirmed, guardianLinksRemoved: 1 }, confirmed)).toBe(true);
  });
});
