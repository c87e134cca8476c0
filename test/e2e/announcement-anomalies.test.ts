import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { type Database } from '../../libs/db/database';
import { type AppStack, startAppStack } from '../support/api-stack';
import { homeroom } from '../support/cli';
import {
  createActiveUserWithPassword,
  createSchool,
  openTestDatabase,
  randomClientAddress,
  type TestDatabase,
  type TestUserWithPassword,
} from '../support/factories';
import { request, type RunningApi } from '../support/http';
import { waitFor } from '../support/processes';
import { createSection, createUsers, linkGuardians, signInAs } from '../support/roster-factory';

jest.setTimeout(120_000);

interface Alert {
  id: string;
  kind: string;
  details: Record<string, unknown>;
}

const RATE_MINIMUM = 4;

/**
 * The seeds' worst case is someone else inside a teacher's account reaching many children at once.
 * An announcement to many soon after a sign-in from a new device, or a burst far above the teacher's
 * own history, raises an alert for the admins of the section's school; the announcement still goes.
 */
describe('announcement anomaly alerts', () => {
  let database: TestDatabase;
  let db: Database;
  let pool: Pool;
  let stack: AppStack;
  let api: RunningApi;
  let districtId: string;
  let schoolId: string;
  let bigSection: string;
  let smallSection: string;
  let admins: { district: string; school: string; otherSchool: string };

  const login = async (user: TestUserWithPassword, deviceToken?: string) => {
    const res = await request<{ accessToken: string; deviceToken: string }>(
      api.baseUrl,
      'POST',
      '/v1/auth/login',
      {
        json: { districtId, username: user.username, password: user.password, deviceToken },
        headers: { 'x-forwarded-for': randomClientAddress() },
      },
    );
    expect(res.status).toBe(200);
    return res.body;
  };
  const post = async (token: string, sectionId: string) => {
    const res = await request<{ id: string }>(
      api.baseUrl,
      'POST',
      `/v1/sections/${sectionId}/announcements`,
      {
        token,
        json: { body: `Field trip ${randomUUID()}` },
      },
    );
    expect(res.status).toBe(202);
    return res.body.id;
  };
  const alertsOf = async (token: string, kind: string, announcementId: string) => {
    const res = await request<{ items: Alert[] }>(api.baseUrl, 'GET', '/v1/admin/alerts', { token });
    expect(res.status).toBe(200);
    return res.body.items.filter((a) => a.kind === kind && a.details.announcementId === announcementId);
  };
  const newTeacher = async () => {
    const teacher = await createActiveUserWithPassword(db, districtId, { role: 'teacher', schoolId });
    await pool.query(
      `INSERT INTO section_memberships (district_id, section_id, user_id, role, is_primary)
       VALUES ($1, $2, $3, 'teacher', true), ($1, $4, $3, 'teacher', true)`,
      [districtId, bigSection, teacher.id, smallSection],
    );
    return teacher;
  };

  beforeAll(async () => {
    database = openTestDatabase();
    db = database.db;
    const overrides = { ANOMALY_RATE_MINIMUM: String(RATE_MINIMUM) };
    stack = await startAppStack({ overrides: overrides });
    ({ api, pool } = stack);

    districtId = (await db.districts.create(`Anomalies ${randomUUID()}`)).id;
    // The district's own threshold (12 recipients are more); the configured default would be 500.
    const set = await homeroom([
      'district',
      'settings',
      '--district',
      districtId,
      '--anomaly-broadcast-recipients',
      '5',
    ]);
    expect(JSON.parse(set.stdout)).toEqual({
      districtId,
      announcementsPerTeacherPerHour: null,
      anomalyBroadcastRecipients: 5,
    });
    schoolId = await createSchool(db, districtId);
    const otherSchool = await createSchool(db, districtId);
    const students = await createUsers(pool, districtId, 'student', 6, schoolId);
    const guardians = await createUsers(pool, districtId, 'guardian', 6);
    await linkGuardians(
      pool,
      districtId,
      guardians.map((g, i) => ({ guardianId: g.id, studentId: students[i]!.id })),
    );
    bigSection = await createSection(pool, districtId, schoolId, { students });
    smallSection = await createSection(pool, districtId, schoolId, {
      students: await createUsers(pool, districtId, 'student', 2, schoolId),
    });
    const [districtAdmin] = await createUsers(pool, districtId, 'district_admin', 1);
    const [schoolAdmin] = await createUsers(pool, districtId, 'school_admin', 1, schoolId);
    const [otherAdmin] = await createUsers(pool, districtId, 'school_admin', 1, otherSchool);
    admins = {
      district: await signInAs(pool, districtId, districtAdmin!.id),
      school: await signInAs(pool, districtId, schoolAdmin!.id),
      otherSchool: await signInAs(pool, districtId, otherAdmin!.id),
    };
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await database?.close();
  });

  it('when a teacher signed in from a new device announces to more than the district threshold, then an alert is raised and the announcement still goes', async () => {
    const teacher = await newTeacher();
    const fresh = await login(teacher);

    const announcementId = await post(fresh.accessToken, bigSection);

    const [alert] = await alertsOf(admins.district, 'anomaly_new_device_broadcast', announcementId);
    expect(alert?.details).toMatchObject({ authorId: teacher.id, recipients: 12, threshold: 5 });
    expect(
      (await alertsOf(admins.school, 'anomaly_new_device_broadcast', announcementId)).map((a) => a.id),
    ).toEqual([alert!.id]);
    expect(await alertsOf(admins.otherSchool, 'anomaly_new_device_broadcast', announcementId)).toEqual([]);
    const delivered = await waitFor('the announcement to reach its 12 recipients', async () => {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM deliveries WHERE announcement_id = $1',
        [announcementId],
      );
      return rows[0]!.n === 12 ? rows[0]!.n : undefined;
    });
    expect(delivered).toBe(12);

    // From the same new device, a small section is no anomaly.
    const small = await post(fresh.accessToken, smallSection);
    expect(await alertsOf(admins.district, 'anomaly_new_device_broadcast', small)).toEqual([]);

    // Signing in again with the device token of the first sign-in: a known device.
    const known = await login(teacher, fresh.deviceToken);
    const fromKnownDevice = await post(known.accessToken, bigSection);
    expect(await alertsOf(admins.district, 'anomaly_new_device_broadcast', fromKnownDevice)).toEqual([]);
  });

  it('when a teacher without history posts the minimum within an hour, then one rate alert is raised, at the crossing', async () => {
    const teacher = await newTeacher();
    const token = await signInAs(pool, districtId, teacher.id);

    const ids: string[] = [];
    for (let i = 0; i < RATE_MINIMUM + 1; i += 1) ids.push(await post(token, smallSection));

    const raised = await Promise.all(
      ids.map((id) => alertsOf(admins.school, 'anomaly_announcement_rate', id)),
    );
    expect(raised.map((alerts) => alerts.length)).toEqual([0, 0, 0, 1, 0]);
    expect(raised[RATE_MINIMUM - 1]![0]!.details).toMatchObject({
      authorId: teacher.id,
      lastHourCount: RATE_MINIMUM,
      busiestHourBefore: 0,
      threshold: RATE_MINIMUM,
    });
  });

  it('when a teacher whose history has busier hours posts as many, then no rate alert is raised', async () => {
    const teacher = await newTeacher();
    const token = await signInAs(pool, districtId, teacher.id);
    const first = await post(token, smallSection);
    // Two more within one hour two days ago: the busiest past hour had 2, so the threshold is 7.
    await pool.query(
      `INSERT INTO announcements (id, district_id, section_id, author_id, body_ciphertext, data_key_id,
                                  source_language, status, created_at)
       SELECT gen_random_uuid(), district_id, section_id, author_id, body_ciphertext, data_key_id,
              source_language, status, date_trunc('hour', now() - interval '2 days') + k * interval '1 minute'
       FROM announcements, generate_series(1, 2) AS k WHERE id = $1`,
      [first],
    );

    const ids: string[] = [];
    for (let i = 1; i < RATE_MINIMUM + 1; i += 1) ids.push(await post(token, smallSection));

    for (const id of ids)
      expect(await alertsOf(admins.district, 'anomaly_announcement_rate', id)).toEqual([]);
  });
});
