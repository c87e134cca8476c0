import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { type Pool } from 'pg';
import { Database } from '../../libs/db/database';
import {
  canAccessConversation,
  type ConversationRef,
  type Role,
  type RosterFacts,
} from '../../libs/domain/policy';
import { testApiConfig } from '../support/config';
import { createTestPool, testDatabaseUrl } from '../support/database';
import { request, type RunningApi, startApi } from '../support/http';
import { createDistrict, createSchool, signInAs } from '../support/roster-factory';

/**
 * Sending and reading in a conversation is decided on a roster slice that one SQL statement loads
 * (ConversationRepository.findAccessContext, the hot path). On random rosters: that slice equals the
 * reference slice (RosterFactsRepository.sliceForUsers), read through a transaction it is the same as
 * read straight from the pool (libs/db/prisma.ts runPrepared), and the API answers each participant
 * exactly as libs/policy decides on the reference slice.
 */

interface RandomCase {
  users: { role: Role; active: boolean }[];
  sections: { active: boolean; otherSchool: boolean }[];
  memberships: { user: number; section: number; mismatch: boolean }[];
  links: { guardian: number; student: number }[];
  pair: [number, number];
  origin: { section: number; author: number } | null;
}

const weighted = <T>(common: T, rare: T, odds = 5) =>
  fc.oneof({ weight: odds, arbitrary: fc.constant(common) }, { weight: 1, arbitrary: fc.constant(rare) });

const caseArbitrary: fc.Arbitrary<RandomCase> = fc
  .record({
    users: fc.array(
      fc.record({
        role: fc.constantFrom<Role>(
          'student',
          'student',
          'guardian',
          'guardian',
          'teacher',
          'teacher',
          'school_admin',
        ),
        active: weighted(true, false),
      }),
      { minLength: 2, maxLength: 8 },
    ),
    sections: fc.array(fc.record({ active: weighted(true, false), otherSchool: weighted(false, true, 3) }), {
      minLength: 1,
      maxLength: 3,
    }),
  })
  .chain(({ users, sections }) => {
    const user = fc.nat(users.length - 1);
    const section = fc.nat(sections.length - 1);
    return fc.record({
      users: fc.constant(users),
      sections: fc.constant(sections),
      memberships: fc.uniqueArray(fc.record({ user, section, mismatch: weighted(false, true, 6) }), {
        maxLength: users.length * 2,
        selector: (m) => `${m.user}:${m.section}`,
      }),
      links: fc.uniqueArray(fc.record({ guardian: user, student: user }), {
        maxLength: users.length,
        selector: (l) => `${l.guardian}:${l.student}`,
      }),
      pair: fc.tuple(user, user).filter(([a, b]) => a !== b) as fc.Arbitrary<[number, number]>,
      origin: fc.option(fc.record({ section, author: user }), { freq: 2 }),
    });
  });

function normalized(facts: RosterFacts) {
  const key = (row: object) => JSON.stringify(Object.entries(row).sort());
  return {
    users: facts.users.map((u) => key({ ...u, schoolId: u.schoolId ?? null })).sort(),
    sections: facts.sections.map(key).sort(),
    memberships: facts.memberships
      .map((m) =>
        key({ sectionId: m.sectionId, userId: m.userId, role: m.role, primary: m.primary ?? false }),
      )
      .sort(),
    guardianLinks: facts.guardianLinks.map(key).sort(),
  };
}

describe('conversation access on random rosters', () => {
  let api: RunningApi;
  let pool: Pool;
  let db: Database;

  beforeAll(async () => {
    pool = createTestPool();
    db = Database.open(testDatabaseUrl(), { poolSize: 2 });
    api = await startApi(testApiConfig());
  });
  afterAll(async () => {
    await api?.close();
    await db?.disconnect();
    await pool?.end();
  });

  async function store(c: RandomCase) {
    const { districtId, schoolId } = await createDistrict(pool);
    const otherSchoolId = await createSchool(pool, districtId, 'B');
    const userIds = c.users.map(() => randomUUID());
    for (const [i, u] of c.users.entries()) {
      await pool.query(
        `INSERT INTO users (id, district_id, role, given_name, family_name, active, school_id)
         VALUES ($1, $2, $3, 'G', 'F', $4, $5)`,
        [userIds[i], districtId, u.role, u.active, u.role === 'school_admin' ? schoolId : null],
      );
    }
    const sectionIds = c.sections.map(() => randomUUID());
    for (const [i, s] of c.sections.entries()) {
      await pool.query(
        'INSERT INTO sections (id, district_id, school_id, title, active) VALUES ($1, $2, $3, $4, $5)',
        [sectionIds[i], districtId, s.otherSchool ? otherSchoolId : schoolId, 'S', s.active],
      );
    }
    for (const m of c.memberships) {
      const own = c.users[m.user]!.role === 'teacher' ? 'teacher' : 'student';
      const role = m.mismatch ? (own === 'teacher' ? 'student' : 'teacher') : own;
      await pool.query(
        'INSERT INTO section_memberships (district_id, section_id, user_id, role) VALUES ($1, $2, $3, $4)',
        [districtId, sectionIds[m.section], userIds[m.user], role],
      );
    }
    for (const l of c.links.filter((link) => link.guardian !== link.student)) {
      await pool.query(
        'INSERT INTO guardian_links (district_id, guardian_id, student_id) VALUES ($1, $2, $3)',
        [districtId, userIds[l.guardian], userIds[l.student]],
      );
    }
    let originId: string | null = null;
    if (c.origin) {
      originId = randomUUID();
      const key = await pool.query<{ id: string }>(
        `INSERT INTO data_keys (district_id, master_key_id, wrapped_key) VALUES ($1, 'unused', $2) RETURNING id`,
        [districtId, randomBytes(60)],
      );
      await pool.query(
        `INSERT INTO announcements (id, district_id, section_id, author_id, body_ciphertext, data_key_id, source_language)
         VALUES ($1, $2, $3, $4, $5, $6, 'en')`,
        [
          originId,
          districtId,
          sectionIds[c.origin.section],
          userIds[c.origin.author],
          randomBytes(40),
          key.rows[0]!.id,
        ],
      );
    }
    const [a, b] = [userIds[c.pair[0]]!, userIds[c.pair[1]]!];
    const [low, high] = a < b ? [a, b] : [b, a];
    const conversationId = randomUUID();
    await pool.query(
      `INSERT INTO conversations (id, district_id, participant_low_id, participant_high_id, origin_announcement_id)
       VALUES ($1, $2, $3, $4, $5)`,
      [conversationId, districtId, low, high, originId],
    );
    // A stored origin announcement must change nothing: the API decides by the current roster alone.
    const ref: ConversationRef = { districtId, participantIds: [low, high] };
    return { districtId, conversationId, participants: [low, high] as const, ref, userIds };
  }

  it('when rosters are random, then the one-statement slice equals the reference (also inside a transaction) and the API answers as the policy decides', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (c) => {
        const stored = await store(c);
        const tenant = db.forDistrict(stored.districtId);
        const reference = await tenant.rosterFacts.sliceForUsers([...stored.participants]);
        const context = await tenant.conversations.findAccessContext(stored.conversationId);
        const inTransaction = await db.transaction(stored.districtId, (tx) =>
          tx.conversations.findAccessContext(stored.conversationId),
        );

        expect(normalized(context!.facts)).toEqual(normalized(reference));
        // The statement does not order its rows; the facts are compared as sets.
        expect({ ...inTransaction!, facts: normalized(inTransaction!.facts) }).toEqual({
          ...context!,
          facts: normalized(context!.facts),
        });
        for (const participant of stored.participants) {
          const active = c.users[stored.userIds.indexOf(participant)]!.active;
          const allowed = canAccessConversation(participant, stored.ref, reference).allowed;
          const token = await signInAs(pool, stored.districtId, participant);
          const res = await request(
            api.baseUrl,
            'GET',
            `/v1/conversations/${stored.conversationId}/messages`,
            {
              token,
            },
          );
          expect(res.status).toBe(!active ? 401 : allowed ? 200 : 403);
        }
      }),
      { numRuns: 60 },
    );
  });
});
