import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client } from '@temporalio/client';
import { FieldCipher } from '../../libs/crypto/envelope';
import { LocalKeyWrapper } from '../../libs/crypto/key-wrapper';
import { parseMasterKeyRing } from '../../libs/crypto/master-key-ring';
import { rosterBlobKey, stageDropFolderExport, refusingWhenUnavailable } from '../../libs/roster-import';
import { generateRoster } from '../support/roster-generator/generator';
import { createBlobStore } from '../../libs/adapters/storage/blob-store.factory';
import { WorkflowGateway } from '../../libs/adapters/temporal/workflow-gateway';
import { testApiConfig, testWorkerConfig } from '../support/config';
import {
  auditEvents,
  createAdminWithTotp,
  createDistrict,
  openTestDatabase,
  type TestDatabase,
} from '../support/factories';
import { type RunningApi, startApi } from '../support/http';
import {
  ownTaskQueues,
  readRosterImport,
  settledRosterImport,
  uploadRoster,
} from '../support/roster-imports';
import { startTestWorkers, type TestWorkers } from '../support/workers';
import { connectTestClient } from '../support/temporal-client';
import { rowsOf } from '../support/database';

/**
 * A district's imports run one at a time: two exports applied phase by phase at once would leave a mix
 * of both. The API runs against a task queue no worker polls until the test starts one, so an import
 * stays running for exactly as long as the test needs.
 */
describe('roster imports of one district run one at a time', () => {
  const overrides = ownTaskQueues('roster-serial');
  const roster = generateRoster({ seed: 11, schools: 1, sections: 3, students: 20 });
  let api: RunningApi;
  let database: TestDatabase;
  let client: Client;
  let districtId: string;
  let token: string;
  let workers: TestWorkers | undefined;

  const upload = () => uploadRoster(api.baseUrl, token, roster.zip);
  const view = (importId: string) => readRosterImport(api.baseUrl, token, importId);
  const finished = (importId: string) => settledRosterImport(api.baseUrl, token, importId, 60_000);
  const importRows = () =>
    rowsOf(database.db).rosterImport.findMany({
      where: { districtId },
      select: { id: true, status: true, blobPath: true },
    });
  const storedBlob = (importId: string) =>
    existsSync(join(process.env.STORAGE_DIR!, rosterBlobKey(districtId, importId)));
  const startedEvents = async () =>
    (await auditEvents(database.db, districtId)).filter((e) => e.action === 'roster.import.started');

  beforeAll(async () => {
    api = await startApi(testApiConfig(overrides));
    database = openTestDatabase();
    districtId = await createDistrict(database.db);
    token = await (await createAdminWithTotp(database.db, districtId)).signIn(api.baseUrl);
    client = await connectTestClient();
  }, 60_000);

  afterAll(async () => {
    await workers?.stop();
    await api?.close();
    await client?.connection.close();
    await database?.close();
  });

  it('when an import is running, then a second upload is refused with 409 IMPORT_IN_PROGRESS and nothing of it is stored', async () => {
    const first = await upload();
    expect(first.status).toBe(202);
    expect((await view(first.body.importId)).status).toBe('running');

    const second = await upload();

    expect(second.status).toBe(409);
    expect(second.body.error?.code).toBe('IMPORT_IN_PROGRESS');
    expect(second.body.error?.message).toContain(first.body.importId);
    expect(await importRows()).toEqual([
      {
        id: first.body.importId,
        status: 'running',
        blobPath: rosterBlobKey(districtId, first.body.importId),
      },
    ]);
    expect(await startedEvents()).toHaveLength(1);
  });

  it('when the scheduled drop-folder run finds an import running, then it skips and stages nothing', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'homeroom-drop-'));
    writeFileSync(join(folder, 'export.zip'), roster.zip);
    const config = testWorkerConfig(overrides);
    const importId = randomUUID();

    const staging = await stageDropFolderExport(
      {
        db: database.db,
        store: createBlobStore(config),
        keys: new FieldCipher(database.db.dataKeys, new LocalKeyWrapper(parseMasterKeyRing(config))),
        maxBytes: config.ROSTER_UPLOAD_MAX_BYTES,
        folders: new Map([[districtId, folder]]),
        workflowState: refusingWhenUnavailable((id) => WorkflowGateway.on(client, config).workflowState(id)),
      },
      { districtId, importId },
    );

    expect(staging).toEqual({ status: 'skipped', reason: 'import-running' });
    expect(await importRows()).toHaveLength(1);
    expect(storedBlob(importId)).toBe(false);
  });

  it('when the running import finishes, then the next upload is accepted and runs', async () => {
    const [running] = await importRows();
    workers = await startTestWorkers(testWorkerConfig(overrides));
    expect((await finished(running!.id)).status).toBe('succeeded');

    const next = await upload();

    expect(next.status).toBe(202);
    expect((await finished(next.body.importId)).status).toBe('succeeded');
    await workers.stop();
    workers = undefined;
  });

  it('when a running import’s workflow was terminated, then the next upload closes it as abandoned, deletes its export and starts', async () => {
    const stuck = await upload();
    expect(stuck.status).toBe(202);
    expect(storedBlob(stuck.body.importId)).toBe(true);
    await client.workflow.getHandle(stuck.body.workflowId).terminate('operator stopped it');

    const next = await upload();

    expect(next.status).toBe(202);
    const abandoned = await view(stuck.body.importId);
    expect(abandoned.status).toBe('failed');
    expect(abandoned.errors[0]!.message).toContain('abandoned');
    expect(storedBlob(stuck.body.importId)).toBe(false);
    const failedEvents = (await auditEvents(database.db, districtId)).filter(
      (e) => e.action === 'roster.import.failed' && e.targetId === stuck.body.importId,
    );
    expect(failedEvents).toHaveLength(1);
    expect(failedEvents[0]!.details).toMatchObject({ reason: 'abandoned' });

    workers = await startTestWorkers(testWorkerConfig(overrides));
    expect((await finished(next.body.importId)).status).toBe('succeeded');
  });
});
