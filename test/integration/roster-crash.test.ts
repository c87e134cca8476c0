import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { type Client } from '@temporalio/client';
import { type Pool } from 'pg';
import { FieldCipher } from '../../libs/crypto/envelope';
import { LocalKeyWrapper } from '../../libs/crypto/key-wrapper';
import { parseMasterKeyRing } from '../../libs/crypto/master-key-ring';
import {
  readCounts,
  type RosterImportProgress,
  type RosterImportResult,
  startRosterImport,
} from '../../libs/roster-import';
import { generateRoster } from '../support/roster-generator/generator';
import { createBlobStore } from '../../libs/adapters/storage/blob-store.factory';
import { WorkflowGateway } from '../../libs/adapters/temporal/workflow-gateway';
import { testWorkerConfig } from '../support/config';
import { createTestPool } from '../support/database';
import { createDistrict, openTestDatabase, type TestDatabase } from '../support/factories';
import { type ManagedProcess, spawnWorker, waitFor } from '../support/processes';
import { connectTestClient } from '../support/temporal-client';

/** The district's roster by sourcedIds, without generated ids or timestamps: equal for equal rosters. */
async function normalizedRoster(pool: Pool, districtId: string) {
  const query = async (sql: string) => (await pool.query(sql, [districtId])).rows;
  return {
    schools: await query(
      `SELECT sourced_id, name, active FROM schools WHERE district_id = $1 ORDER BY sourced_id`,
    ),
    sections: await query(
      `SELECT s.sourced_id, s.title, s.active, sc.sourced_id AS school FROM sections s
       JOIN schools sc ON sc.id = s.school_id WHERE s.district_id = $1 ORDER BY s.sourced_id`,
    ),
    users: await query(
      `SELECT u.sourced_id, u.role::text, u.username, u.given_name, u.family_name, u.email,
              u.preferred_language, u.active, sc.sourced_id AS school
       FROM users u LEFT JOIN schools sc ON sc.id = u.school_id
       WHERE u.district_id = $1 AND u.sourced_id IS NOT NULL ORDER BY u.sourced_id`,
    ),
    memberships: await query(
      `SELECT s.sourced_id AS section, u.sourced_id AS "user", m.role::text, m.is_primary, m.sourced_id
       FROM section_memberships m JOIN sections s ON s.id = m.section_id JOIN users u ON u.id = m.user_id
       WHERE m.district_id = $1 ORDER BY 1, 2`,
    ),
    guardianLinks: await query(
      `SELECT g.sourced_id AS guardian, s.sourced_id AS student
       FROM guardian_links l JOIN users g ON g.id = l.guardian_id JOIN users s ON s.id = l.student_id
       WHERE l.district_id = $1 ORDER BY 1, 2`,
    ),
  };
}

describe('a roster import when its worker is killed', () => {
  const taskQueue = `roster-crash-${randomUUID()}`;
  const queues = { TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_SCAN_TASK_QUEUE: `${taskQueue}-scan` };
  const config = testWorkerConfig(queues);
  const roster = generateRoster({
    seed: 13,
    schools: 4,
    sections: 800,
    students: 20_000,
    guardiansPerStudent: 1.5,
  });
  const totalUsers =
    roster.expected.users.teacher + roster.expected.users.student + roster.expected.users.guardian;
  let database: TestDatabase;
  let pool: Pool;
  let client: Client;
  const workers: ManagedProcess[] = [];

  const start = (districtId: string) =>
    startRosterImport(
      {
        db: database.db,
        store: createBlobStore(config),
        keys: new FieldCipher(database.db.dataKeys, new LocalKeyWrapper(parseMasterKeyRing(config))),
        maxBytes: config.ROSTER_UPLOAD_MAX_BYTES,
        workflows: WorkflowGateway.on(client, config),
      },
      { districtId, source: 'cli', createdById: null, file: Readable.from([Buffer.from(roster.zip)]) },
    );

  beforeAll(async () => {
    database = openTestDatabase();
    pool = createTestPool();
    client = await connectTestClient(config);
  });

  afterAll(async () => {
    for (const worker of workers) await worker.stop('SIGKILL');
    await client?.connection.close();
    await pool?.end();
    await database?.close();
  });

  it('when the worker is SIGKILLed in the middle of applying, then a new worker finishes it with the state and exact counts of a clean import', async () => {
    const crashed = await createDistrict(database.db);
    workers.push(spawnWorker(queues));
    const { importId, workflowId } = await start(crashed);

    const countsAtKill = await waitFor(
      'the import to be part-way through creating users',
      async () => {
        const counts = readCounts(await database.db.forDistrict(crashed).rosterImports.counts(importId));
        return counts.usersCreated >= 10_000 ? counts : undefined;
      },
      120_000,
    );
    const progress = await client.workflow.getHandle(workflowId).query<RosterImportProgress>('progress');
    expect(progress).toEqual({
      phase: 'users',
      counts: expect.objectContaining({ schoolsCreated: 4, sectionsCreated: 800, usersCreated: 0 }),
    });
    await workers[0]!.stop('SIGKILL');
    expect(countsAtKill.usersCreated).toBeLessThan(totalUsers);
    expect(countsAtKill.enrollmentsAdded).toBe(0);

    workers.push(spawnWorker(queues));
    const result: RosterImportResult = await client.workflow.getHandle(workflowId).result();
    expect(result.status).toBe('succeeded');

    const { history } = await client.workflowService.getWorkflowExecutionHistory({
      namespace: config.TEMPORAL_NAMESPACE,
      execution: { workflowId },
    });
    const retried = (history?.events ?? []).some(
      (event) => (event.activityTaskStartedEventAttributes?.attempt ?? 0) > 1,
    );
    expect(retried).toBe(true);

    const clean = await createDistrict(database.db);
    const cleanRun = await start(clean);
    const cleanResult: RosterImportResult = await client.workflow.getHandle(cleanRun.workflowId).result();

    const expectedCounts = {
      usersCreated: totalUsers,
      sectionsCreated: roster.expected.sections,
      enrollmentsAdded: roster.expected.memberships.teacher + roster.expected.memberships.student,
      guardianLinksAdded: roster.expected.guardianLinks,
      usersUpdated: 0,
      usersRemoved: 0,
      enrollmentsRemoved: 0,
      guardianLinksRemoved: 0,
    };
    expect(cleanResult).toEqual(result);
    expect(result.status === 'succeeded' && result.counts).toMatchObject(expectedCounts);
    expect(readCounts(await database.db.forDistrict(crashed).rosterImports.counts(importId))).toEqual(
      readCounts(await database.db.forDistrict(clean).rosterImports.counts(cleanRun.importId)),
    );
    expect(await normalizedRoster(pool, crashed)).toEqual(await normalizedRoster(pool, clean));
  }, 300_000);
});
