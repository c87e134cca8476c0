import fc from 'fast-check';
import {
  announcementRecipients,
  canAccessConversation,
  canListAnnouncementRecipients,
  canMessage,
  canPostAnnouncement,
  canReadAnnouncement,
  canReplyToAnnouncement,
  canReviewConversation,
  indexRoster,
  sliceForPair,
  sliceForSection,
  sliceForUsers,
  type AnnouncementRef,
  type ConversationRef,
  type PolicyOptions,
  type Role,
  type RosterFacts,
  type RosterIndex,
} from '../../../libs/domain/policy';

const DISTRICTS = ['d0', 'd1'] as const;
const SCHOOLS = [
  { id: 'north', districtId: 'd0' },
  { id: 'south', districtId: 'd0' },
  { id: 'east', districtId: 'd1' },
  { id: 'west', districtId: 'd1' },
] as const;
const ROLES: readonly Role[] = ['student', 'teacher', 'guardian', 'school_admin', 'district_admin'];
/** Admins are rare in a real roster and only matter to review, so they are drawn less often. */
const WEIGHTED_ROLES: readonly Role[] = [...ROLES, 'student', 'student', 'teacher', 'teacher', 'guardian'];
const GHOST = 'ghost';
const OPTION_SETTINGS: readonly PolicyOptions[] = [
  { teacherToTeacherWithinSchool: false },
  { teacherToTeacherWithinSchool: true },
];

/** An index into some pool, reduced modulo the pool's size, so every draw builds a valid scenario. */
const choice = fc.nat();
const oneIn = (n: number) => fc.nat(n - 1).map((k) => k === 0);

/**
 * Raw draws. Three users in four live in the first district and a "tame" membership or link follows
 * roles and districts, so allowed paths are common; a "wild" one ignores both, and a "stray" section
 * carries a school id of the other district, so the consistency rules get exercised too.
 */
const rawScenarioArbitrary = fc.record({
  users: fc.array(
    fc.record({
      role: fc.constantFrom(...WEIGHTED_ROLES),
      secondDistrict: oneIn(4),
      inactive: oneIn(6),
      school: fc.option(choice, { nil: undefined }),
    }),
    { minLength: 2, maxLength: 12, size: 'medium' },
  ),
  sections: fc.array(fc.record({ school: choice, inactive: oneIn(7), strayDistrict: oneIn(8) }), {
    minLength: 1,
    maxLength: 4,
  }),
  memberships: fc.array(fc.record({ user: choice, section: choice, wild: oneIn(6) }), {
    minLength: 2,
    maxLength: 24,
    size: 'medium',
  }),
  links: fc.array(fc.record({ guardian: choice, student: choice, wild: oneIn(6) }), {
    maxLength: 8,
    size: 'medium',
  }),
  undelivered: fc.array(choice, { maxLength: 4 }),
  announcements: fc.array(
    fc.record({
      author: choice,
      anyAuthor: oneIn(4),
      section: choice,
      ghostSection: oneIn(10),
      foreignDistrict: oneIn(5),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  directs: fc.array(fc.record({ first: choice, second: choice, foreignDistrict: oneIn(5) }), {
    maxLength: 6,
  }),
  replies: fc.array(fc.record({ announcement: choice, replier: choice }), { maxLength: 8 }),
  /** What a later roster import changes: the same scenario is decided again after each kind. */
  changes: fc.record({
    removedTeachings: fc.array(choice, { minLength: 1, maxLength: 3 }),
    childrenLeaving: fc.array(choice, { minLength: 1, maxLength: 3 }),
    deactivatedUsers: fc.array(choice, { minLength: 1, maxLength: 2 }),
    deactivatedSchools: fc.array(choice, { maxLength: 1 }),
  }),
});

type RawScenario = typeof rawScenarioArbitrary extends fc.Arbitrary<infer T> ? T : never;

interface Scenario {
  facts: RosterFacts;
  deliveries: ReadonlySet<string>;
  announcements: AnnouncementRef[];
  conversations: ConversationRef[];
}

type ChangeKind = 'teacherRemoved' | 'childLeft' | 'deactivated';

/** The scenario's roster after each kind of change a roster import makes, and after all of them. */
interface Changed {
  byKind: Record<ChangeKind, RosterFacts>;
  all: RosterFacts;
}

function pick<T>(pool: readonly T[], n: number): T {
  return pool[n % pool.length];
}

function pickPreferring<T>(preferred: readonly T[], fallback: readonly T[], n: number): T {
  return pick(preferred.length > 0 ? preferred : fallback, n);
}

function materialize(raw: RawScenario): Scenario {
  const users = raw.users.map((u, i) => {
    const districtId = DISTRICTS[u.secondDistrict ? 1 : 0];
    const schools = SCHOOLS.filter((school) => school.districtId === districtId);
    return {
      id: `u${i}`,
      role: u.role,
      districtId,
      active: !u.inactive,
      schoolId: u.school === undefined ? undefined : pick(schools, u.school).id,
    };
  });
  const sections = raw.sections.map((s, i) => {
    const school = pick(SCHOOLS, s.school);
    const districtId = s.strayDistrict ? DISTRICTS.find((d) => d !== school.districtId) : school.districtId;
    return {
      id: `s${i}`,
      schoolId: school.id,
      districtId: districtId ?? school.districtId,
      active: !s.inactive,
    };
  });
  const ofRole = (role: Role) => users.filter((u) => u.role === role);
  const memberships = raw.memberships.map((m) => {
    const user = pick(users, m.user);
    const localSections = sections.filter((s) => s.districtId === user.districtId);
    const section = m.wild ? pick(sections, m.section) : pickPreferring(localSections, sections, m.section);
    const tameRole = user.role === 'teacher' ? 'teacher' : 'student';
    const role = m.wild ? pick(['teacher', 'student'] as const, m.section) : tameRole;
    return { userId: user.id, sectionId: section.id, role, primary: m.user % 2 === 0 };
  });
  const guardianLinks = raw.links.map((l) => {
    if (l.wild) return { guardianId: pick(users, l.guardian).id, studentId: pick(users, l.student).id };
    const guardian = pickPreferring(ofRole('guardian'), users, l.guardian);
    const localStudents = ofRole('student').filter((s) => s.districtId === guardian.districtId);
    return { guardianId: guardian.id, studentId: pickPreferring(localStudents, users, l.student).id };
  });

  const ids = [...users.map((u) => u.id), GHOST];
  const undelivered = new Set(raw.undelivered.map((n) => pick(ids, n)));
  const deliveries = new Set(ids.filter((id) => !undelivered.has(id)));
  const teacherIds = ofRole('teacher').map((u) => u.id);
  const announcements = raw.announcements.map((a) => {
    const section = pick(sections, a.section);
    return {
      districtId: a.foreignDistrict ? pick(DISTRICTS, a.section + 1) : section.districtId,
      sectionId: a.ghostSection ? 'ghost-section' : section.id,
      authorId: a.anyAuthor ? pick(ids, a.author) : pickPreferring(teacherIds, ids, a.author),
    };
  });
  const directs = raw.directs.map((d): ConversationRef => {
    const first = pick(ids, d.first);
    const homeDistrict = users.find((u) => u.id === first)?.districtId ?? 'd0';
    return {
      districtId: d.foreignDistrict ? pick(DISTRICTS, d.second) : homeDistrict,
      participantIds: [first, pick(ids, d.second)],
    };
  });
  // The threads replies to the announcements would open: author and a member or guardian of the section.
  const replies = raw.replies.map((r): ConversationRef => {
    const announcement = pick(announcements, r.announcement);
    const sectionMembers = memberships
      .filter((m) => m.sectionId === announcement.sectionId)
      .map((m) => m.userId);
    const theirGuardians = guardianLinks
      .filter((l) => sectionMembers.includes(l.studentId))
      .map((l) => l.guardianId);
    const replierId = pickPreferring([...sectionMembers, ...theirGuardians], ids, r.replier);
    return { districtId: announcement.districtId, participantIds: [replierId, announcement.authorId] };
  });
  return {
    facts: { users, sections, memberships, guardianLinks },
    deliveries,
    announcements,
    conversations: [...directs, ...replies],
  };
}

/**
 * Applies what a roster import does, as plain row edits: a teacher's enrolment deleted, a child with a
 * guardian leaving a section (the enrolment deleted), users deactivated, and a school deactivated,
 * which deactivates its sections (libs/roster-import removals).
 */
function applyChanges(facts: RosterFacts, changes: RawScenario['changes']): Changed {
  const teachings = facts.memberships.filter((m) => m.role === 'teacher');
  const guarded = new Set(facts.guardianLinks.map((l) => l.studentId));
  const childEnrolments = facts.memberships.filter((m) => m.role === 'student' && guarded.has(m.userId));
  const removed = (pool: readonly RosterFacts['memberships'][number][], picks: number[]) =>
    new Set(pool.length === 0 ? [] : picks.map((n) => pick(pool, n)));
  const teacherRemoved = withoutMemberships(facts, removed(teachings, changes.removedTeachings));
  const childLeft = withoutMemberships(facts, removed(childEnrolments, changes.childrenLeaving));
  const goneUsers = new Set(changes.deactivatedUsers.map((n) => pick(facts.users, n).id));
  const goneSchools = new Set<string>(changes.deactivatedSchools.map((n) => pick(SCHOOLS, n).id));
  const deactivate = (f: RosterFacts): RosterFacts => ({
    ...f,
    users: f.users.map((u) => (goneUsers.has(u.id) ? { ...u, active: false } : u)),
    sections: f.sections.map((sec) => (goneSchools.has(sec.schoolId) ? { ...sec, active: false } : sec)),
  });
  const deactivated = deactivate(facts);
  const all = deactivate({
    ...facts,
    memberships: facts.memberships.filter(
      (m) => teacherRemoved.memberships.includes(m) && childLeft.memberships.includes(m),
    ),
  });
  return { byKind: { teacherRemoved, childLeft, deactivated }, all };
}

function withoutMemberships(
  facts: RosterFacts,
  gone: ReadonlySet<RosterFacts['memberships'][number]>,
): RosterFacts {
  return { ...facts, memberships: facts.memberships.filter((m) => !gone.has(m)) };
}

/**
 * The rules restated as relations over the raw arrays, without the module's index or helpers:
 * "current" facts are filtered rows, and each permission is a set of allowed id pairs.
 */
function buildOracle(facts: RosterFacts) {
  const userRow = (id: string) => facts.users.find((u) => u.id === id);
  const sectionRow = (id: string) => facts.sections.find((s) => s.id === id);
  const live = new Set(facts.users.filter((u) => u.active).map((u) => u.id));
  const sameDistrict = (a: string, b: string) =>
    userRow(a) !== undefined && userRow(a)?.districtId === userRow(b)?.districtId;

  const enrolment = (role: 'teacher' | 'student') =>
    facts.memberships
      .filter((m) => m.role === role)
      .filter((m) => userRow(m.userId)?.role === role && live.has(m.userId))
      .filter((m) => sectionRow(m.sectionId)?.active === true)
      .filter((m) => sectionRow(m.sectionId)?.districtId === userRow(m.userId)?.districtId)
      .map((m) => [m.userId, m.sectionId] as const);
  const teaching = enrolment('teacher');
  const attending = enrolment('student');
  const parenting = facts.guardianLinks
    .filter((l) => userRow(l.guardianId)?.role === 'guardian' && userRow(l.studentId)?.role === 'student')
    .filter((l) => live.has(l.guardianId) && live.has(l.studentId) && sameDistrict(l.guardianId, l.studentId))
    .map((l) => [l.guardianId, l.studentId] as const);

  const key = (a: string, b: string) => `${a}→${b}`;
  const symmetric = (pairs: (readonly [string, string])[]) =>
    new Set(pairs.flatMap(([a, b]) => [key(a, b), key(b, a)]));

  const teacherStudent = teaching.flatMap(([t, sec]) =>
    attending.filter(([, sec2]) => sec2 === sec).map(([s]) => [t, s] as const),
  );
  const teacherGuardian = teaching.flatMap(([t, sec]) =>
    attending
      .filter(([, sec2]) => sec2 === sec)
      .flatMap(([s]) => parenting.filter(([, child]) => child === s).map(([g]) => [t, g] as const)),
  );
  const schoolOf = (sectionId: string) => sectionRow(sectionId)?.schoolId;
  const colleagues = teaching.flatMap(([t1, sec1]) =>
    teaching
      .filter(([t2, sec2]) => t1 !== t2 && schoolOf(sec1) === schoolOf(sec2))
      .map(([t2]) => [t1, t2] as const),
  );
  const baseline = symmetric([...teacherStudent, ...teacherGuardian]);
  const withColleagues = new Set([...baseline, ...symmetric(colleagues)]);

  const message = (a: string, b: string, options: PolicyOptions) =>
    a !== b &&
    live.has(a) &&
    live.has(b) &&
    sameDistrict(a, b) &&
    (options.teacherToTeacherWithinSchool ? withColleagues : baseline).has(key(a, b));

  const teachesSection = (userId: string, sectionId: string) =>
    teaching.some(([t, sec]) => t === userId && sec === sectionId);
  const reachedBySection = (sectionId: string) =>
    new Set([
      ...attending.filter(([, sec]) => sec === sectionId).map(([s]) => s),
      ...parenting
        .filter(([, child]) => attending.some(([s, sec]) => s === child && sec === sectionId))
        .map(([g]) => g),
    ]);

  const read = (readerId: string, a: AnnouncementRef, delivered: boolean) =>
    live.has(readerId) &&
    userRow(readerId)?.districtId === a.districtId &&
    (readerId === a.authorId ||
      teachesSection(readerId, a.sectionId) ||
      (delivered && reachedBySection(a.sectionId).has(readerId)));

  // A reply opens a one-to-one thread with the author, so it needs the pair allowed now.
  const reply = (actorId: string, a: AnnouncementRef, delivered: boolean, options: PolicyOptions) =>
    actorId !== a.authorId &&
    read(actorId, a, delivered) &&
    userRow(a.authorId)?.role === 'teacher' &&
    message(actorId, a.authorId, options);

  // Whatever opened a conversation, it is open only to a participant of a pair allowed now.
  const access = (actorId: string, c: ConversationRef, options: PolicyOptions) => {
    const [p, q] = c.participantIds;
    if (actorId !== p && actorId !== q) return false;
    const other = actorId === p ? q : p;
    return userRow(actorId)?.districtId === c.districtId && message(actorId, other, options);
  };

  const review = (reviewerId: string, c: ConversationRef) => {
    const reviewer = userRow(reviewerId);
    if (!reviewer || !reviewer.active || reviewer.districtId !== c.districtId) return false;
    if (reviewer.role === 'district_admin') return true;
    if (reviewer.role !== 'school_admin' || !reviewer.schoolId) return false;
    // A student of the school is in the conversation: a student participant enrolled in one of its
    // active sections, or a guardian's child whom the other participant teaches in one of them.
    const inSchool = (sectionId: string) => {
      const section = sectionRow(sectionId);
      return (
        section?.active === true &&
        section.schoolId === reviewer.schoolId &&
        section.districtId === reviewer.districtId
      );
    };
    const studentHere = (id: string) =>
      userRow(id)?.role === 'student' && userRow(id)?.districtId === reviewer.districtId;
    const enrolledHere = (studentId: string) =>
      facts.memberships.filter(
        (m) => m.userId === studentId && m.role === 'student' && inSchool(m.sectionId),
      );
    const viaStudent = (id: string) => studentHere(id) && enrolledHere(id).length > 0;
    const viaChild = (guardianId: string, teacherId: string) =>
      userRow(guardianId)?.role === 'guardian' &&
      userRow(guardianId)?.districtId === reviewer.districtId &&
      facts.guardianLinks.some(
        (link) =>
          link.guardianId === guardianId &&
          studentHere(link.studentId) &&
          enrolledHere(link.studentId).some((m) =>
            facts.memberships.some(
              (n) => n.userId === teacherId && n.role === 'teacher' && n.sectionId === m.sectionId,
            ),
          ),
      );
    const [p, q] = c.participantIds;
    return viaStudent(p) || viaStudent(q) || viaChild(p, q) || viaChild(q, p);
  };

  const recipients = (sectionId: string, authorId: string) =>
    [...reachedBySection(sectionId)].filter((id) => id !== authorId).sort();

  return {
    message,
    post: teachesSection,
    read,
    reply,
    access,
    review,
    recipients,
    count: { teacherGuardian: teacherGuardian.length, colleagues: colleagues.length },
  };
}

const coverage = {
  messageAllowed: 0,
  teacherGuardianPaths: 0,
  colleaguePaths: 0,
  postAllowed: 0,
  recipientReads: 0,
  replyAllowed: 0,
  closedByTeacherRemoved: 0,
  closedByChildLeft: 0,
  closedByDeactivated: 0,
  schoolAdminReviews: 0,
  recipients: 0,
};

/** A cheap equality check: a million jest matchers would blow the time budget. */
function agree<T>(what: string, actual: T, expected: T, context: object): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(
      `${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)} for ${JSON.stringify(context)}`,
    );
  }
}

function checkScenario(scenario: Scenario): void {
  const { facts, deliveries, announcements, conversations } = scenario;
  const index: RosterIndex = indexRoster(facts);
  const oracle = buildOracle(facts);
  const ids = [...facts.users.map((u) => u.id), GHOST];
  coverage.teacherGuardianPaths += oracle.count.teacherGuardian;
  coverage.colleaguePaths += oracle.count.colleagues;

  for (const a of ids) {
    for (const b of ids) {
      const slice = sliceForPair(facts, a, b);
      for (const options of OPTION_SETTINGS) {
        const decision = canMessage(a, b, index, options);
        const context = { a, b, options };
        agree('canMessage', decision.allowed, oracle.message(a, b, options), context);
        agree('canMessage on the pair slice', canMessage(a, b, slice, options), decision, context);
        if (decision.allowed) coverage.messageAllowed += 1;
      }
    }
  }

  for (const section of [...facts.sections.map((s) => s.id), 'ghost-section']) {
    const sectionSlice = sliceForSection(facts, section);
    for (const actor of ids) {
      const context = { actor, section };
      const allowed = oracle.post(actor, section);
      agree('canPostAnnouncement', canPostAnnouncement(actor, section, index).allowed, allowed, context);
      agree(
        'canListAnnouncementRecipients',
        canListAnnouncementRecipients(actor, section, index).allowed,
        allowed,
        context,
      );
      agree(
        'canPostAnnouncement on the actor slice',
        canPostAnnouncement(actor, section, sliceForUsers(facts, [actor])).allowed,
        allowed,
        context,
      );
      if (allowed) coverage.postAllowed += 1;
      const recipients = announcementRecipients(section, actor, index);
      agree('announcementRecipients', recipients, oracle.recipients(section, actor), context);
      agree(
        'announcementRecipients on the section slice',
        announcementRecipients(section, actor, sectionSlice),
        recipients,
        context,
      );
      coverage.recipients += recipients.length;
    }
  }

  for (const announcement of announcements) {
    for (const reader of ids) {
      const delivery = { delivered: deliveries.has(reader) };
      const context = { reader, announcement, delivery };
      const read = canReadAnnouncement(reader, announcement, index, delivery).allowed;
      agree('canReadAnnouncement', read, oracle.read(reader, announcement, delivery.delivered), context);
      agree(
        'canReadAnnouncement on the reader slice',
        canReadAnnouncement(reader, announcement, sliceForUsers(facts, [reader]), delivery).allowed,
        read,
        context,
      );
      if (read && reader !== announcement.authorId && delivery.delivered) coverage.recipientReads += 1;

      const pairSlice = sliceForUsers(facts, [reader, announcement.authorId]);
      for (const options of OPTION_SETTINGS) {
        const replyContext = { ...context, options };
        const reply = canReplyToAnnouncement(reader, announcement, index, delivery, options).allowed;
        agree(
          'canReplyToAnnouncement',
          reply,
          oracle.reply(reader, announcement, delivery.delivered, options),
          replyContext,
        );
        agree(
          'canReplyToAnnouncement on the pair slice',
          canReplyToAnnouncement(reader, announcement, pairSlice, delivery, options).allowed,
          reply,
          replyContext,
        );
        if (reply) {
          coverage.replyAllowed += 1;
          const thread: ConversationRef = {
            districtId: announcement.districtId,
            participantIds: [reader, announcement.authorId],
          };
          for (const participant of thread.participantIds) {
            agree(
              'the reply thread is usable',
              canAccessConversation(participant, thread, index, options).allowed,
              true,
              {
                participant,
                thread,
                options,
              },
            );
          }
        }
      }
    }
  }

  for (const conversation of conversations) {
    const participantSlice = sliceForUsers(facts, [...conversation.participantIds]);
    for (const actor of ids) {
      for (const options of OPTION_SETTINGS) {
        const context = { actor, conversation, options };
        const access = canAccessConversation(actor, conversation, index, options).allowed;
        agree('canAccessConversation', access, oracle.access(actor, conversation, options), context);
        agree(
          'canAccessConversation on the participants slice',
          canAccessConversation(actor, conversation, participantSlice, options).allowed,
          access,
          context,
        );
      }
      const context = { actor, conversation };
      const review = canReviewConversation(actor, conversation, index).allowed;
      agree('canReviewConversation', review, oracle.review(actor, conversation), context);
      const reviewSlice = sliceForUsers(facts, [actor, ...conversation.participantIds]);
      agree(
        'canReviewConversation on the review slice',
        canReviewConversation(actor, conversation, reviewSlice).allowed,
        review,
        context,
      );
      if (review && index.usersById.get(actor)?.role === 'school_admin') coverage.schoolAdminReviews += 1;
    }
  }
}

const CLOSED_BY: Record<ChangeKind, keyof typeof coverage> = {
  teacherRemoved: 'closedByTeacherRemoved',
  childLeft: 'closedByChildLeft',
  deactivated: 'closedByDeactivated',
};

/**
 * After each kind of roster change, every conversation is decided on the changed roster alone: the
 * oracle built from the changed rows must agree, and a conversation the change closed is counted, so
 * the test proves removals and deactivations were exercised rather than assuming it.
 */
function checkChanges(scenario: Scenario, changed: Changed): void {
  const before = indexRoster(scenario.facts);
  for (const [kind, facts] of Object.entries(changed.byKind) as [ChangeKind, RosterFacts][]) {
    const after = indexRoster(facts);
    const oracle = buildOracle(facts);
    for (const conversation of scenario.conversations) {
      for (const actor of conversation.participantIds) {
        for (const options of OPTION_SETTINGS) {
          const access = canAccessConversation(actor, conversation, after, options).allowed;
          agree(`canAccessConversation after ${kind}`, access, oracle.access(actor, conversation, options), {
            actor,
            conversation,
            options,
          });
          if (!access && canAccessConversation(actor, conversation, before, options).allowed) {
            coverage[CLOSED_BY[kind]] += 1;
          }
        }
      }
    }
  }
  checkScenario({ ...scenario, facts: changed.all });
}

const MIN_COVERAGE = 20;

describe('messaging policy against an independent oracle', () => {
  it('when 1,000 random two-district rosters are decided, before and after teachers are removed, children leave and users or schools are deactivated, then every decision matches the oracle and every slice', () => {
    const seed = process.env.POLICY_PROPERTY_SEED;
    fc.assert(
      fc.property(rawScenarioArbitrary, (raw) => {
        const scenario = materialize(raw);
        checkScenario(scenario);
        checkChanges(scenario, applyChanges(scenario.facts, raw.changes));
      }),
      { numRuns: 1000, seed: seed === undefined ? undefined : Number(seed) },
    );

    // Each branch must be reached many times, not merely once; 20 means "exercised", not "lucky".
    for (const [what, count] of Object.entries(coverage)) {
      expect({ what, exercised: count >= MIN_COVERAGE }).toEqual({ what, exercised: true });
    }
  });
});
