import { type Client } from '@temporalio/client';
import { type Pool } from 'pg';
import {
  generateRoster,
  type RosterModel,
  withoutEnrollment,
  writeRosterZip,
} from '../support/roster-generator/generator';
import { auditEvents, createUser, type TestDatabase } from '../support/factories';
import { request, type RunningApi } from '../support/http';
import { signInAs } from '../support/roster-factory';
import {
  dumpRoster,
  readRosterImport,
  type RosterImportStack,
  settledRosterImport,
  startRosterImport,
  startRosterImportStack,
} from '../support/roster-imports';
import { connectTestClient } from '../support/temporal-client';

interface ErrorBody {
  error?: { code: string; message: string };
}

async function membershipCount(pool: Pool, districtId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM section_memberships WHERE district_id = $1',
    [districtId],
  );
  return rows[0]!.n;
}

/** The model without every enrollment whose index falls in the given share (of each ten, `tenths`). */
function withoutShareOfEnrollments(model: RosterModel, tenths: number, offset = 0): RosterModel {
  return {
    ...model,
    enrollments: model.enrollments.filter((_, index) => (index + offset) % 10 >= tenths),
  };
}

async function actions(database: TestDatabase, districtId: string, action: string, importId?: string) {
  return (await auditEvents(database.db, districtId)).filter(
    (event) => event.action === action && (importId === undefined || event.targetId === importId),
  );
}

describe('roster mass-change holds through the API', () => {
  let stack: RosterImportStack;
  let api: RunningApi;
  let database: TestDatabase;
  let pool: Pool;
  let districtId: string;
  let adminToken: string;
  let teacherToken: string;
  let schoolAdminToken: string;
  let temporal: Client | undefined;
  const roster = generateRoster({ seed: 18, schools: 2, sections: 12, students: 80, guardiansPerStudent: 1 });
  let model = roster.model;

  beforeAll(async () => {
    stack = await startRosterImportStack('roster-holds');
    ({ api, database, pool } = stack);
    ({ districtId, token: adminToken } = await stack.newDistrict());
    // Made by hand (no sourcedId), so the imports below leave these accounts alone.
    const teacher = await createUser(database.db, districtId, { role: 'teacher', sourcedId: null });
    teacherToken = await signInAs(pool, districtId, teacher.id);

    const first = await startRosterImport(api.baseUrl, adminToken, roster.zip);
    expect((await settledRosterImport(api.baseUrl, adminToken, first.importId)).status).toBe('succeeded');
    // An admin of one of the imported schools (a school the export lacks would be deactivated: a hold).
    const { rows } = await pool.query<{ id: string }>(
      'SELECT id FROM schools WHERE district_id = $1 ORDER BY sourced_id LIMIT 1',
      [districtId],
    );
    const schoolAdmin = await createUser(database.db, districtId, {
      role: 'school_admin',
      sourcedId: null,
      schoolId: rows[0]!.id,
    });
    schoolAdminToken = await signInAs(pool, districtId, schoolAdmin.id);
  }, 180_000);

  afterAll(async () => {
    await temporal?.connection.close();
    await stack?.stop();
  });

  it('when settings are read or written, then only district admins may, values are validated, and changes are audited', async () => {
    const defaults = await request(api.baseUrl, 'GET', '/v1/admin/roster/settings', { token: adminToken });
    expect(defaults.status).toBe(200);
    expect(defaults.body).toEqual({ massChangeThresholdPercent: 10, source: { kind: 'csv' } });

    for (const token of [teacherToken, schoolAdminToken]) {
      expect((await request(api.baseUrl, 'GET', '/v1/admin/roster/settings', { token })).status).toBe(403);
      const put = await request(api.baseUrl, 'PUT', '/v1/admin/roster/settings', {
        token,
        json: { massChangeThresholdPercent: 50, source: { kind: 'csv' } },
      });
      expect(put.status).toBe(403);
    }

    const invalid: unknown[] = [
      { massChangeThresholdPercent: 0, source: { kind: 'csv' } },
      { massChangeThresholdPercent: 101, source: { kind: 'csv' } },
      { massChangeThresholdPercent: 12.5, source: { kind: 'csv' } },
      { massChangeThresholdPercent: '20', source: { kind: 'csv' } },
      { massChangeThresholdPercent: 20 },
      { massChangeThresholdPercent: 20, source: { kind: 'ftp' } },
      { massChangeThresholdPercent: 20, source: 'csv' },
      { massChangeThresholdPercent: 20, source: { kind: 'csv', url: 'http://127.0.0.1/' } },
      { massChangeThresholdPercent: 20, source: { kind: 'csv' }, extra: true },
    ];
    for (const json of invalid) {
      const res = await request<ErrorBody>(api.baseUrl, 'PUT', '/v1/admin/roster/settings', {
        token: adminToken,
        json,
      });
      expect([JSON.stringify(json), res.status, res.body.error?.code]).toEqual([
        JSON.stringify(json),
        400,
        'VALIDATION_FAILED',
      ]);
    }
    expect(
      (await request(api.baseUrl, 'GET', '/v1/admin/roster/settings', { token: adminToken })).body,
    ).toEqual(defaults.body);
    expect(await actions(database, districtId, 'roster.settings.updated')).toHaveLength(0);

    const saved = await request(api.baseUrl, 'PUT', '/v1/admin/roster/settings', {
      token: adminToken,
      json: { massChangeThresholdPercent: 25, source: { kind: 'csv' } },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ massChangeThresholdPercent: 25, source: { kind: 'csv' } });
    expect(
      (await request(api.baseUrl, 'GET', '/v1/admin/roster/settings', { token: adminToken })).body,
    ).toEqual(saved.body);
    const audited = await actions(database, districtId, 'roster.settings.updated');
    expect(audited).toHaveLength(1);
    expect(audited[0]!.details).toMatchObject({
      before: { massChangeThresholdPercent: 10 },
      after: { massChangeThresholdPercent: 25 },
    });

    // Back to the default for the tests below (also through the API).
    const reset = await request(api.baseUrl, 'PUT', '/v1/admin/roster/settings', {
      token: adminToken,
      json: { massChangeThresholdPercent: 10, source: { kind: 'csv' } },
    });
    expect(reset.status).toBe(200);
  });

  it('when an import removes less than the threshold, then it applies at once', async () => {
    const [enrollment] = model.enrollments;
    model = withoutEnrollment(model, enrollment!.userSourcedId, enrollment!.sectionSourcedId);
    const before = await membershipCount(pool, districtId);
    const started = await startRosterImport(api.baseUrl, adminToken, writeRosterZip(model));
    const result = await settledRosterImport(api.baseUrl, adminToken, started.importId);
    expect(result.status).toBe('succeeded');
    expect(result.counts.enrollmentsRemoved).toBe(1);
    expect(result.pending).toBeUndefined();
    expect(await membershipCount(pool, districtId)).toBe(before - 1);
    expect(await actions(database, districtId, 'roster.import.held', started.importId)).toHaveLength(0);
  });

  it('when an import would drop 30% of enrollments, then it is held and changes nothing; discard leaves everything unchanged', async () => {
    const before = await dumpRoster(pool, districtId);
    const enrollments = await membershipCount(pool, districtId);
    const started = await startRosterImport(
      api.baseUrl,
      adminToken,
      writeRosterZip(withoutShareOfEnrollments(model, 3)),
    );
    const held = await settledRosterImport(api.baseUrl, adminToken, started.importId);

    expect(held.status).toBe('held');
    expect(held.finishedAt).toBeNull();
    const dropped = model.enrollments.filter((_, index) => index % 10 < 3).length;
    expect(dropped * 100).toBeGreaterThan(enrollments * 10);
    expect(held.pending).toMatchObject({
      enrollmentsRemoved: dropped,
      enrollmentsAdded: 0,
      usersCreated: 0,
      usersRemoved: 0,
      schoolsRemoved: 0,
    });
    expect(Object.values(held.counts).every((count) => count === 0)).toBe(true);
    expect(await dumpRoster(pool, districtId)).toBe(before);

    const heldEvents = await actions(database, districtId, 'roster.import.held', started.importId);
    expect(heldEvents).toHaveLength(1);
    const alerts = await request<{ items: { id: string; kind: string; details: Record<string, unknown> }[] }>(
      api.baseUrl,
      'GET',
      '/v1/admin/alerts',
      { token: adminToken },
    );
    const alert = alerts.body.items.find(
      (item) => item.kind === 'roster_import_held' && item.details.importId === started.importId,
    );
    expect(alert?.details).toMatchObject({ enrollmentsRemoved: dropped, reasons: 'enrollmentsRemoved' });
    expect(heldEvents[0]!.details).toMatchObject({ alertId: alert!.id });

    for (const token of [teacherToken, schoolAdminToken]) {
      for (const verb of ['confirm', 'discard']) {
        const res = await request(
          api.baseUrl,
          'POST',
          `/v1/admin/roster/imports/${started.importId}/${verb}`,
          {
            token,
          },
        );
        expect(res.status).toBe(403);
      }
    }
    const { token: otherToken } = await stack.newDistrict();
    for (const verb of ['confirm', 'discard']) {
      const res = await request(api.baseUrl, 'POST', `/v1/admin/roster/imports/${started.importId}/${verb}`, {
        token: otherToken,
      });
      expect(res.status).toBe(404);
    }
    expect((await readRosterImport(api.baseUrl, adminToken, started.importId)).status).toBe('held');

    const discarded = await request(
      api.baseUrl,
      'POST',
      `/v1/admin/roster/imports/${started.importId}/discard`,
      {
        token: adminToken,
      },
    );
    expect(discarded.status).toBe(204);
    const view = await readRosterImport(api.baseUrl, adminToken, started.importId);
    expect(view.status).toBe('discarded');
    expect(view.finishedAt).not.toBeNull();
    expect(await dumpRoster(pool, districtId)).toBe(before);
    const { rows } = await pool.query('SELECT blob_path FROM roster_imports WHERE id = $1', [
      started.importId,
    ]);
    expect(rows[0].blob_path).toBeNull();
    expect(await actions(database, districtId, 'roster.import.discarded', started.importId)).toHaveLength(1);

    const again = await request<ErrorBody>(
      api.baseUrl,
      'POST',
      `/v1/admin/roster/imports/${started.importId}/confirm`,
      { token: adminToken },
    );
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe('IMPORT_NOT_HELD');
    expect(await dumpRoster(pool, districtId)).toBe(before);
  });

  it('when a held import is confirmed twice at once, then one confirmation is accepted and it applies exactly once', async () => {
    const before = await membershipCount(pool, districtId);
    const next = withoutShareOfEnrollments(model, 3);
    const started = await startRosterImport(api.baseUrl, adminToken, writeRosterZip(next));
    const held = await settledRosterImport(api.baseUrl, adminToken, started.importId);
    expect(held.status).toBe('held');
    const pending = held.pending!;
    expect(await membershipCount(pool, districtId)).toBe(before);

    const confirm = () =>
      request<{ importId: string; workflowId: string } & ErrorBody>(
        api.baseUrl,
        'POST',
        `/v1/admin/roster/imports/${started.importId}/confirm`,
        { token: adminToken },
      );
    const answers = await Promise.all([confirm(), confirm()]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([202, 409]);
    const accepted = answers.find((answer) => answer.status === 202)!;
    expect(accepted.body.importId).toBe(started.importId);
    expect(answers.find((answer) => answer.status === 409)!.body.error?.code).toBe('IMPORT_NOT_HELD');

    const result = await settledRosterImport(api.baseUrl, adminToken, started.importId);
    expect(result.status).toBe('succeeded');
    expect(result.workflowId).toBe(accepted.body.workflowId);
    expect(result.counts.enrollmentsRemoved).toBe(pending.enrollmentsRemoved);
    expect(await membershipCount(pool, districtId)).toBe(before - pending.enrollmentsRemoved!);
    expect(await actions(database, districtId, 'roster.import.confirmed', started.importId)).toHaveLength(1);
    expect(await actions(database, districtId, 'roster.import.succeeded', started.importId)).toHaveLength(1);
    // A confirmation after it applied changes nothing.
    const late = await confirm();
    expect(late.status).toBe(409);
    expect(await membershipCount(pool, districtId)).toBe(before - pending.enrollmentsRemoved!);
    model = next;
  });

  it('when a newer export arrives while one is held, then it is accepted and supersedes the held one; a small change then applies and discards the held one', async () => {
    const first = await startRosterImport(
      api.baseUrl,
      adminToken,
      writeRosterZip(withoutShareOfEnrollments(model, 4)),
    );
    expect((await settledRosterImport(api.baseUrl, adminToken, first.importId)).status).toBe('held');

    // A held import does not count as running: the next export is taken.
    const second = await startRosterImport(
      api.baseUrl,
      adminToken,
      writeRosterZip(withoutShareOfEnrollments(model, 4, 5)),
    );
    expect((await settledRosterImport(api.baseUrl, adminToken, second.importId)).status).toBe('held');
    expect((await readRosterImport(api.baseUrl, adminToken, first.importId)).status).toBe('discarded');
    const superseded = await actions(database, districtId, 'roster.import.discarded', first.importId);
    expect(superseded).toHaveLength(1);
    expect(superseded[0]!.details).toMatchObject({ reason: 'superseded', supersededBy: second.importId });
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM roster_imports WHERE district_id = $1 AND status = 'held'`,
      [districtId],
    );
    expect(rows[0].n).toBe(1);

    const before = await membershipCount(pool, districtId);
    const [enrollment] = model.enrollments;
    model = withoutEnrollment(model, enrollment!.userSourcedId, enrollment!.sectionSourcedId);
    const small = await startRosterImport(api.baseUrl, adminToken, writeRosterZip(model));
    expect((await settledRosterImport(api.baseUrl, adminToken, small.importId)).status).toBe('succeeded');
    expect(await membershipCount(pool, districtId)).toBe(before - 1);
    expect((await readRosterImport(api.baseUrl, adminToken, second.importId)).status).toBe('discarded');
    const late = await request(api.baseUrl, 'POST', `/v1/admin/roster/imports/${second.importId}/confirm`, {
      token: adminToken,
    });
    expect(late.status).toBe(409);
    expect(await membershipCount(pool, districtId)).toBe(before - 1);
  });

  it('when the export last applied comes again while one is held, then it succeeds without any phase and still discards the held one', async () => {
    const before = await dumpRoster(pool, districtId);
    const held = await startRosterImport(
      api.baseUrl,
      adminToken,
      writeRosterZip(withoutShareOfEnrollments(model, 4)),
    );
    expect((await settledRosterImport(api.baseUrl, adminToken, held.importId)).status).toBe('held');

    const again = await startRosterImport(api.baseUrl, adminToken, writeRosterZip(model));
    const result = await settledRosterImport(api.baseUrl, adminToken, again.importId);
    expect(result.status).toBe('succeeded');
    expect(Object.values(result.counts).every((count) => count === 0)).toBe(true);
    temporal ??= await connectTestClient();
    const { events } = await temporal.workflow.getHandle(again.workflowId).fetchHistory();
    const activities = (events ?? []).flatMap((event) => {
      const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
      return name ? [name] : [];
    });
    expect(activities).toEqual(['validateRosterImport', 'finishRosterImport']);
    expect((await readRosterImport(api.baseUrl, adminToken, held.importId)).status).toBe('discarded');
    const superseded = await actions(database, districtId, 'roster.import.discarded', held.importId);
    expect(superseded[0]!.details).toMatchObject({ reason: 'superseded', supersededBy: again.importId });
    expect(await dumpRoster(pool, districtId)).toBe(before);
  });

  it('when the roster moved between the hold and the confirmation so that it would remove more, then it is held again; confirmed again, it applies', async () => {
    const next = withoutShareOfEnrollments(model, 3, 7);
    const started = await startRosterImport(api.baseUrl, adminToken, writeRosterZip(next));
    const held = await settledRosterImport(api.baseUrl, adminToken, started.importId);
    expect(held.status).toBe('held');

    // Enrollments the export lacks appear in the meantime (as if another import had added them).
    const added = await pool.query(
      `INSERT INTO section_memberships (district_id, section_id, user_id, role)
       SELECT $1, s.id, u.id, 'student'
       FROM users u,
            (SELECT id FROM sections WHERE district_id = $1 AND sourced_id IS NOT NULL ORDER BY sourced_id LIMIT 1) s
       WHERE u.district_id = $1 AND u.role = 'student' AND u.active AND u.sourced_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM section_memberships m WHERE m.section_id = s.id AND m.user_id = u.id)
       ORDER BY u.sourced_id LIMIT 5`,
      [districtId],
    );
    expect(added.rowCount).toBe(5);
    const before = await membershipCount(pool, districtId);

    const confirm = () =>
      request(api.baseUrl, 'POST', `/v1/admin/roster/imports/${started.importId}/confirm`, {
        token: adminToken,
      });
    expect((await confirm()).status).toBe(202);
    const reheld = await settledRosterImport(api.baseUrl, adminToken, started.importId);
    expect(reheld.status).toBe('held');
    expect(reheld.pending!.enrollmentsRemoved).toBe(held.pending!.enrollmentsRemoved! + 5);
    expect(await membershipCount(pool, districtId)).toBe(before);
    const holds = await actions(database, districtId, 'roster.import.held', started.importId);
    expect(holds.map((event) => (event.details as { reheld: boolean }).reheld)).toEqual([false, true]);

    expect((await confirm()).status).toBe(202);
    const result = await settledRosterImport(api.baseUrl, adminToken, started.importId);
    expect(result.status).toBe('succeeded');
    expect(result.counts.enrollmentsRemoved).toBe(reheld.pending!.enrollmentsRemoved);
    expect(await membershipCount(pool, districtId)).toBe(before - reheld.pending!.enrollmentsRemoved!);
    model = next;
  });

  it('when the threshold is raised above the change, then the same kind of export applies at once', async () => {
    const put = await request(api.baseUrl, 'PUT', '/v1/admin/roster/settings', {
      token: adminToken,
      json: { massChangeThresholdPercent: 50, source: { kind: 'csv' } },
    });
    expect(put.status).toBe(200);
    const before = await membershipCount(pool, districtId);
    const next = withoutShareOfEnrollments(model, 3);
    const started = await startRosterImport(api.baseUrl, adminToken, writeRosterZip(next));
    const result = await settledRosterImport(api.baseUrl, adminToken, started.importId);
    expect(result.status).toBe('succeeded');
    expect(result.counts.enrollmentsRemoved).toBeGreaterThan(0);
    expect(await membershipCount(pool, districtId)).toBe(before - result.counts.enrollmentsRemoved!);
    model = next;
  });
});
