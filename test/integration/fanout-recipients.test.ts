import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { type Pool } from 'pg';
import { Database } from '../../libs/db/database';
import { studentIdRange } from '../../libs/domain/messaging/fan-out-plan';
import { announcementRecipients, type Role, type RosterFacts } from '../../libs/domain/policy';
import { createTestPool, testDatabaseUrl } from '../support/database';
import { createDistrict } from '../support/roster-factory';

/**
 * The fan-out resolves recipients in SQL; the policy library says who they must be. On random rosters
 * with every kind of inconsistency (inactive people and sections, memberships whose role disagrees with
 * the user's, guardian links to non-students or from non-guardians, people of another district), both
 * must name the same people — and the batch ranges together must cover exactly them.
 */

interface RandomRoster {
  users: { role: Role; active: boolean; foreign: boolean }[];
  sectionActive: boolean;
  memberships: { user: number; otherSection: boolean; roleMismatch: boolean }[];
  links: { guardian: number; student: number }[];
  author: number;
}

/** Mostly consistent facts with a share of every inconsistency, so both sides of each rule are hit. */
const weighted = <T>(common: T, rare: T, odds = 5) =>
  fc.oneof({ weight: odds, arbitrary: fc.constant(common) }, { weight: 1, arbitrary: fc.constant(rare) });

const userArbitrary = fc.record({
  role: fc.oneof(
    { weight: 4, arbitrary: fc.constant<Role>('student') },
    { weight: 4, arbitrary: fc.constant<Role>('guardian') },
    { weight: 2, arbitrary: fc.constant<Role>('teacher') },
    { weight: 1, arbitrary: fc.constantFrom<Role>('school_admin', 'district_admin') },
  ),
  active: weighted(true, false, 3),
  foreign: weighted(false, true, 6),
});

const rosterArbitrary: fc.Arbitrary<RandomRoster> = fc
  .array(userArbitrary, { minLength: 2, maxLength: 16 })
  .chain((users) => {
    const indexes = users.map((_, i) => i);
    const ofRole = (role: Role) => indexes.filter((i) => users[i]!.role === role);
    // Mostly guardian-to-student links, some between any two people.
    const pick = (preferred: number[]) =>
      preferred.length > 0
        ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...preferred) }, fc.constantFrom(...indexes))
        : fc.constantFrom(...indexes);
    return fc.record({
      users: fc.constant(users),
      sectionActive: weighted(true, false, 8),
      memberships: fc.uniqueArray(
        fc.record({
          user: fc.constantFrom(...indexes),
          otherSection: weighted(false, true, 3),
          roleMismatch: weighted(false, true),
        }),
        { maxLength: users.length * 2, selector: (m) => `${m.user}:${m.otherSection}` },
      ),
      links: fc.uniqueArray(
        fc.record({ guardian: pick(ofRole('guardian')), student: pick(ofRole('student')) }),
        {
          maxLength: users.length * 2,
          selector: (l) => `${l.guardian}:${l.student}`,
        },
      ),
      author: fc.constantFrom(...indexes),
    });
  });

/** A student's or teacher's own membership role, or (for others, or when mismatched) a wrong one. */
function membershipRole(role: Role, mismatch: boolean): 'teacher' | 'student' {
  const own = role === 'teacher' ? 'teacher' : 'student';
  return mismatch ? (own === 'teacher' ? 'student' : 'teacher') : own;
}

describe('fan-out recipients in SQL and in the policy', () => {
  let pool: Pool;
  let db: Database;

  beforeAll(() => {
    pool = createTestPool();
    db = Database.open(testDatabaseUrl(), { poolSize: 2 });
  });
  afterAll(async () => {
    await db?.disconnect();
    await pool?.end();
  });

  /** Stores the random roster and returns the same facts as the policy sees them. */
  async function store(roster: RandomRoster) {
    const home = await createDistrict(pool);
    const foreign = await createDistrict(pool);
    const userIds = roster.users.map(() => randomUUID());
    for (const [i, user] of roster.users.entries()) {
      await pool.query(
        `INSERT INTO users (id, district_id, role, given_name, family_name, active) VALUES ($1, $2, $3, 'G', 'F', $4)`,
        [userIds[i], user.foreign ? foreign.districtId : home.districtId, user.role, user.active],
      );
    }
    const sectionId = randomUUID();
    const otherSectionId = randomUUID();
    for (const [id, active] of [
      [sectionId, roster.sectionActive],
      [otherSectionId, true],
    ] as const) {
      await pool.query(
        'INSERT INTO sections (id, district_id, school_id, title, active) VALUES ($1, $2, $3, $4, $5)',
        [id, home.districtId, home.schoolId, 'S', active],
      );
    }
    for (const m of roster.memberships) {
      await pool.query(
        'INSERT INTO section_memberships (district_id, section_id, user_id, role) VALUES ($1, $2, $3, $4)',
        [
          home.districtId,
          m.otherSection ? otherSectionId : sectionId,
          userIds[m.user],
          membershipRole(roster.users[m.user]!.role, m.roleMismatch),
        ],
      );
    }
    for (const l of roster.links.filter((link) => link.guardian !== link.student)) {
      await pool.query(
        'INSERT INTO guardian_links (district_id, guardian_id, student_id) VALUES ($1, $2, $3)',
        [home.districtId, userIds[l.guardian], userIds[l.student]],
      );
    }
    const facts: RosterFacts = {
      users: roster.users.map((u, i) => ({
        id: userIds[i]!,
        districtId: u.foreign ? foreign.districtId : home.districtId,
        role: u.role,
        active: u.active,
      })),
      sections: [
        { id: sectionId, districtId: home.districtId, schoolId: home.schoolId, active: roster.sectionActive },
        { id: otherSectionId, districtId: home.districtId, schoolId: home.schoolId, active: true },
      ],
      memberships: roster.memberships.map((m) => ({
        sectionId: m.otherSection ? otherSectionId : sectionId,
        userId: userIds[m.user]!,
        role: membershipRole(roster.users[m.user]!.role, m.roleMismatch),
      })),
      guardianLinks: roster.links
        .filter((link) => link.guardian !== link.student)
        .map((l) => ({ guardianId: userIds[l.guardian]!, studentId: userIds[l.student]! })),
    };
    return { districtId: home.districtId, sectionId, authorId: userIds[roster.author]!, facts };
  }

  it('when rosters are random, then SQL and policy name the same recipients, and the batches cover exactly them', async () => {
    await fc.assert(
      fc.asyncProperty(rosterArbitrary, fc.integer({ min: 1, max: 5 }), async (roster, batchCount) => {
        const { districtId, sectionId, authorId, facts } = await store(roster);
        const { deliveries } = db.forDistrict(districtId);
        const scope = { sectionId, authorId };

        const expected = announcementRecipients(sectionId, authorId, facts);
        const all = await deliveries.listRecipients(scope);
        const batched: string[] = [];
        for (let batch = 0; batch < batchCount; batch++) {
          batched.push(...(await deliveries.listRecipients(scope, studentIdRange(batch, batchCount))));
        }

        expect(all).toEqual(expected);
        expect(await deliveries.countRecipients(scope)).toBe(expected.length);
        expect([...new Set(batched)].sort()).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});
