import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCounts } from '../../libs/roster-import';
import { generateRoster } from '../../libs/domain/roster/generator';
import { homeroom } from '../support/cli';
import { testWorkerConfig } from '../support/config';
import { auditEvents, createDistrict, openTestDatabase, type TestDatabase } from '../support/factories';
import { waitFor } from '../support/processes';
import { startTestWorkers, type TestWorkers } from '../support/workers';

describe('homeroom roster import', () => {
  const taskQueue = `roster-cli-${randomUUID()}`;
  const env = { TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_SCAN_TASK_QUEUE: `${taskQueue}-scan` };
  const dir = mkdtempSync(join(tmpdir(), 'homeroom-cli-'));
  const roster = generateRoster({ seed: 4, schools: 1, sections: 4, students: 30 });
  let database: TestDatabase;
  let workers: TestWorkers;
  let districtId: string;

  beforeAll(async () => {
    database = openTestDatabase();
    districtId = await createDistrict(database.db);
    workers = await startTestWorkers(testWorkerConfig(env));
  });

  afterAll(async () => {
    await workers?.stop();
    await database?.close();
  });

  it('when an operator imports a zip, then it prints the import and its workflow, and the import succeeds', async () => {
    const file = join(dir, 'export.zip');
    writeFileSync(file, roster.zip);
    const run = await homeroom(['roster', 'import', '--district', districtId, '--file', file], env);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const printed = JSON.parse(run.stdout) as { importId: string; workflowId: string };
    expect(printed.workflowId).toBe(`roster-${districtId}-${printed.importId}`);

    // The import is closed first and its stored export deleted just after: wait for both.
    const row = await waitFor('the CLI import', async () => {
      const found = await database.db.forDistrict(districtId).rosterImports.findById(printed.importId);
      return found && found.status !== 'running' && found.blobPath === null ? found : undefined;
    });
    expect(row).toMatchObject({ status: 'succeeded', source: 'cli', createdById: null, blobPath: null });
    expect(readCounts(row.counts).sectionsCreated).toBe(roster.expected.sections);
    const actions = (await auditEvents(database.db, districtId)).map((event) => event.action);
    expect(actions).toEqual(['roster.import.started', 'roster.import.succeeded']);
  });

  it('when the file is not a zip or the district is unknown, then it exits non-zero with a clear message and stores nothing', async () => {
    const text = join(dir, 'export.csv');
    writeFileSync(text, 'sourcedId,status\n');
    const districtBlobs = join(process.env.STORAGE_DIR!, 'roster-imports', districtId);
    const notZip = await homeroom(['roster', 'import', '--district', districtId, '--file', text], env);
    expect(notZip.code).not.toBe(0);
    expect(notZip.stderr).toContain('must be a zip archive');
    expect(readdirSync(districtBlobs)).toEqual([]);

    const unknown = await homeroom(['roster', 'import', '--district', randomUUID(), '--file', text], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('The district was not found');
  });
});
