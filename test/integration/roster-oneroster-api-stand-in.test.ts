import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Client, ScheduleNotFoundError } from '@temporalio/client';
import { type Pool } from 'pg';
import { ensureRosterApiSchedules } from '../../apps/worker/src/roster-schedules';
import { type WorkerConfig } from '../../libs/config/config';
import { FieldCipher } from '../../libs/crypto/envelope';
import { LocalKeyWrapper } from '../../libs/crypto/key-wrapper';
import { parseMasterKeyRing } from '../../libs/crypto/master-key-ring';
import { Readable } from 'node:stream';
import { readCounts, startRosterImport } from '../../libs/roster-import';
import { createBlobStore } from '../../libs/adapters/storage/blob-store.factory';
import { type RosterApiResult } from '../../workflows/roster-api.workflow';
import { testWorkerConfig } from '../support/config';
import { createTestPool, rowsOf } from '../support/database';
import { createDistrict, openTestDatabase, type TestDatabase } from '../support/factories';
import { fixtureZip } from '../support/oneroster-fixtures';
import { OneRosterRestStandIn, type StandInFault } from '../support/oneroster-rest-stand-in';
import { waitFor } from '../support/processes';
import { connectTestClient } from '../support/temporal-client';
import { WorkflowGateway } from '../../libs/adapters/temporal/workflow-gateway';
import { scheduleIds, workflowIds } from '../../libs/adapters/temporal/workflow-safe/workflow-ids';
import { startTestWorkers, type TestWorkers } from '../support/workers';

const SECRET_VARIABLE = 'ROSTER_API_SECRET_STAND_IN';
const CLIENT_ID = 'homeroom-test-client';
const CLIENT_SECRET = randomUUID();
const SET = 'v1.1-vendor-quirks' as const;

/**
 * The OneRoster REST API as a roster source, against a stand-in provider this test starts on loopback
 * (test/support/oneroster-rest-stand-in.ts) serving the CSV fixture set's records as 1.1 JSON, with
 * the real worker, Temporal and PostgreSQL. Pages hold 3 records, so every collection but
 * academicSessions spans several pages.
 */
describe('roster imports from a OneRoster REST API (stand-in provider on loopback)', () => {
  const taskQueue = `roster-api-${randomUUID()}`;
  let config: WorkerConfig;
  let database: TestDatabase;
  let pool: Pool;
  let client: Client;
  let workers: TestWorkers;
  let provider: OneRosterRestStandIn;
  let csvDistrictId: string;
  let csvState: RosterState;

  beforeAll(async () => {
    process.env[SECRET_VARIABLE] = CLIENT_SECRET;
    config = testWorkerConfig({
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_SCAN_TASK_QUEUE: `${taskQueue}-scan`,
      ROSTER_API_PAGE_SIZE: '3',
    });
    database = openTestDatabase();
    pool = createTestPool();
    client = await connectTestClient();
    provider = await OneRosterRestStandIn.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    workers = await startTestWorkers(config);
    csvDistrictId = await importThroughCsv();
    csvState = await stateOf(csvDistrictId);
  }, 120_000);

  afterAll(async () => {
    await workers?.stop();
    await provider?.close();
    await client?.connection.close();
    await pool?.end();
    await database?.close();
    delete process.env[SECRET_VARIABLE];
  });

  async function importThroughCsv(): Promise<string> {
    const districtId = await createDistrict(database.db);
    const keys = new FieldCipher(database.db.dataKeys, new LocalKeyWrapper(parseMasterKeyRing(config)));
    await startRosterImport(
      {
        db: database.db,
        store: createBlobStore(config),
        keys,
        maxBytes: config.ROSTER_UPLOAD_MAX_BYTES,
        workflows: WorkflowGateway.on(client, config),
      },
      { districtId, source: 'cli', createdById: null, file: Readable.from([Buffer.from(fixtureZip(SET))]) },
    );
    await waitFor(
      'the CSV import',
      async () => {
        const row = await rowsOf(database.db).rosterImport.findFirst({ where: { districtId } });
        return row && row.status !== 'running' ? row : undefined;
      },
      60_000,
    );
    return districtId;
  }

  async function districtWithSource(): Promise<string> {
    const districtId = await createDistrict(database.db);
    await database.db.forDistrict(districtId).rosterApiSource.save({
      baseUrl: provider.baseUrl,
      tokenUrl: provider.tokenUrl,
      clientId: CLIENT_ID,
      secretRef: `env:${SECRET_VARIABLE}`,
      schedule: '0 3 * * *',
    });
    return districtId;
  }

  function importThroughApi(districtId: string): Promise<RosterApiResult> {
    return client.workflow.execute<(input: { districtId: string }) => Promise<RosterApiResult>>(
      'rosterApiWorkflow',
      {
        taskQueue,
        workflowId: `${workflowIds.rosterApi(districtId)}-${randomUUID()}`,
        args: [{ districtId }],
      },
    );
  }

  /** Fetched pages still in storage (each pass must delete its own, whatever its end). */
  const leftoverPages = (districtId: string) => {
    const dir = join(process.env.STORAGE_DIR!, 'roster-api-pages', districtId);
    return existsSync(dir)
      ? readdirSync(dir, { recursive: true }).filter((name) => String(name).endsWith('.hrb'))
      : [];
  };

  const pageRequests = (collection: string) =>
    provider.requests
      .filter((request) => request.collection === collection)
      .map((r) => `${r.offset}:${r.status}`);

  it('when the same district is imported through CSV and through the REST API, then both end in identical users, sections, memberships and guardian links, across several pages', async () => {
    provider.serve(SET);
    const districtId = await districtWithSource();

    const result = await importThroughApi(districtId);

    expect(result).toMatchObject({ status: 'succeeded' });
    expect(await stateOf(districtId)).toEqual(csvState);
    expect(leftoverPages(districtId)).toEqual([]);
    // Users page by Link rel="next", orgs by X-Total-Count: 10 records in pages of 3.
    expect(pageRequests('users')).toEqual(['0:200', '3:200', '6:200', '9:200']);
    expect(pageRequests('enrollments')).toEqual(['0:200', '3:200', '6:200', '9:200']);
    expect(pageRequests('orgs')).toEqual(['0:200']);
    expect(provider.requests.every((request) => request.collection === 'token' || request.limit === 3)).toBe(
      true,
    );
    // The same contradicting enrollments are skipped with the same warnings as the CSV path.
    const [viaApi, viaCsv] = await Promise.all([lastImport(districtId), lastImport(csvDistrictId)]);
    expect(viaApi.warnings).toEqual(
      expect.arrayContaining(
        (viaCsv.warnings as { message: string }[]).filter((w) => w.message.includes('contradicts')),
      ),
    );
    expect(readCounts(viaApi.counts)).toMatchObject({
      usersCreated: 9,
      enrollmentsAdded: 7,
      guardianLinksAdded: 2,
    });

    // Nothing changed at the provider: the next pass stages nothing.
    expect(await importThroughApi(districtId)).toEqual({ status: 'skipped', reason: 'unchanged' });
    expect(await rowsOf(database.db).rosterImport.count({ where: { districtId } })).toBe(1);
  }, 120_000);

  it('when the access token expires mid-pass, then the page gets a 401, one new token is fetched and the pass succeeds', async () => {
    const faults: StandInFault[] = [{ collection: 'users', offset: 3, kind: 'expire-token' }];
    provider.serve(SET, faults);
    const districtId = await districtWithSource();

    expect(await importThroughApi(districtId)).toMatchObject({ status: 'succeeded' });

    expect(pageRequests('users')).toEqual(['0:200', '3:401', '3:200', '6:200', '9:200']);
    const refused = provider.requests.findIndex((request) => request.status === 401);
    const afterRefusal = provider.requests
      .slice(refused + 1)
      .map((r) => `${r.collection}:${r.offset}:${r.status}`);
    expect(afterRefusal.slice(0, 2)).toEqual(['token:0:200', 'users:3:200']);
    expect(afterRefusal.filter((request) => request.startsWith('token:'))).toHaveLength(1);
    expect(await stateOf(districtId)).toEqual(csvState);
  }, 120_000);

  it('when the provider answers 500 mid-collection, then Temporal retries that page and the pass succeeds', async () => {
    provider.serve(SET, [{ collection: 'enrollments', offset: 6, kind: '500' }]);
    const districtId = await districtWithSource();

    expect(await importThroughApi(districtId)).toMatchObject({ status: 'succeeded' });

    expect(pageRequests('enrollments')).toEqual(['0:200', '3:200', '6:500', '6:200', '9:200']);
    expect(await stateOf(districtId)).toEqual(csvState);
  }, 120_000);

  it('when the provider answers 429 with Retry-After, then the page is tried again no sooner than it asked', async () => {
    // Temporal's own first retry would come after 1 s: 3 s can only come from the Retry-After.
    provider.serve(SET, [{ collection: 'classes', offset: 0, kind: '429', retryAfterSeconds: 3 }]);
    const districtId = await districtWithSource();

    expect(await importThroughApi(districtId)).toMatchObject({ status: 'succeeded' });

    const classes = provider.requests.filter((request) => request.collection === 'classes');
    expect(classes.map((r) => `${r.offset}:${r.status}`)).toEqual(['0:429', '0:200']);
    expect(classes[1]!.at - classes[0]!.at).toBeGreaterThanOrEqual(3_000);
    expect(await stateOf(districtId)).toEqual(csvState);
  }, 120_000);

  it('when a next link leaves the provider, then the pass stops without retrying, nothing is imported and the pages fetched so far are deleted', async () => {
    provider.serve(SET, [{ collection: 'users', offset: 3, kind: 'foreign-next' }]);
    const districtId = await districtWithSource();

    await expect(importThroughApi(districtId)).rejects.toMatchObject({
      cause: { cause: { type: 'RosterApiRefused' } },
    });

    expect(pageRequests('users')).toEqual(['0:200', '3:200']);
    expect(pageRequests('enrollments')).toEqual([]);
    expect(await rowsOf(database.db).rosterImport.count({ where: { districtId } })).toBe(0);
    expect(await rowsOf(database.db).user.count({ where: { districtId } })).toBe(0);
    expect(leftoverPages(districtId)).toEqual([]);
  }, 120_000);

  it('when the worker starts with a district that has a source, then its Schedule runs the REST import with its own cron, and is deleted once the source is removed', async () => {
    provider.serve(SET);
    const districtId = await districtWithSource();
    const workflows = WorkflowGateway.on(client, config);
    const ids = await ensureRosterApiSchedules(workflows, database.db, config);
    const handle = client.schedule.getHandle(scheduleIds.rosterApi(districtId));
    try {
      expect(ids).toContain(scheduleIds.rosterApi(districtId));
      const description = await handle.describe();
      expect(description.action).toMatchObject({
        workflowType: 'rosterApiWorkflow',
        workflowId: workflowIds.rosterApi(districtId),
        args: [{ districtId }],
        taskQueue,
      });
      expect(description.spec.calendars).toEqual([
        expect.objectContaining({
          hour: [{ start: 3, end: 3, step: 1 }],
          minute: [{ start: 0, end: 0, step: 1 }],
        }),
      ]);
      await handle.trigger();
      await waitFor(
        'the scheduled REST import',
        async () => {
          const row = await rowsOf(database.db).rosterImport.findFirst({ where: { districtId } });
          return row?.status === 'succeeded' ? row : undefined;
        },
        60_000,
      );
      expect(await stateOf(districtId)).toEqual(csvState);

      // Back to CSV only: the next start deletes the district's Schedule.
      await database.db.forDistrict(districtId).rosterApiSource.remove();
      expect(await ensureRosterApiSchedules(workflows, database.db, config)).not.toContain(
        scheduleIds.rosterApi(districtId),
      );
      await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    } finally {
      // Every district with a source got a Schedule; none must outlive this test.
      for (const id of ids)
        await client.schedule
          .getHandle(id)
          .delete()
          .catch(() => undefined);
    }
  }, 120_000);

  interface RosterState {
    schools: string[];
    users: string[];
    sections: string[];
    memberships: string[];
    guardianLinks: string[];
  }

  async function lastImport(districtId: string) {
    const row = await rowsOf(database.db).rosterImport.findFirst({
      where: { districtId },
      orderBy: { startedAt: 'desc' },
    });
    if (!row) throw new Error(`no import for ${districtId}`);
    return row;
  }

  /** Everything an import decides, by sourcedId, without the district's own ids. */
  async function stateOf(districtId: string): Promise<RosterState> {
    const lines = async (sql: string) =>
      (await pool.query(sql, [districtId])).rows.map((row: Record<string, unknown>) =>
        Object.values(row).join('|'),
      );
    return {
      schools: await lines(`SELECT sourced_id, name, active FROM schools WHERE district_id = $1 ORDER BY 1`),
      users: await lines(
        `SELECT u.sourced_id, u.role::text, u.active, u.username, u.given_name, u.family_name, u.email,
                u.preferred_language, s.sourced_id AS school
         FROM users u LEFT JOIN schools s ON s.id = u.school_id
         WHERE u.district_id = $1 AND u.sourced_id IS NOT NULL ORDER BY 1`,
      ),
      sections: await lines(
        `SELECT c.sourced_id, c.title, c.active, s.sourced_id AS school
         FROM sections c JOIN schools s ON s.id = c.school_id WHERE c.district_id = $1 ORDER BY 1`,
      ),
      memberships: await lines(
        `SELECT c.sourced_id AS section, u.sourced_id AS user, m.role::text, m.is_primary, m.sourced_id
         FROM section_memberships m JOIN sections c ON c.id = m.section_id JOIN users u ON u.id = m.user_id
         WHERE m.district_id = $1 ORDER BY 1, 2`,
      ),
      guardianLinks: await lines(
        `SELECT g.sourced_id AS guardian, s.sourced_id AS student
         FROM guardian_links l JOIN users g ON g.id = l.guardian_id JOIN users s ON s.id = l.student_id
         WHERE l.district_id = $1 ORDER BY 1, 2`,
      ),
    };
  }
});
