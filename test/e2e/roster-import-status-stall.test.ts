import { type Client } from '@temporalio/client';
import { strToU8, zipSync } from 'fflate';
import { testApiConfig } from '../support/config';
import {
  createAdminWithTotp,
  createDistrict,
  openTestDatabase,
  type TestDatabase,
} from '../support/factories';
import { request, type RunningApi, startApi } from '../support/http';
import { ownTaskQueues, startRosterImport } from '../support/roster-imports';
import { connectTestClient } from '../support/temporal-client';

/**
 * Found by the fuzz suite: reading a running import's status waited a full second for the workflow's
 * progress when no worker answered the query, so every status read of a stuck import was a one-second
 * stall. The API runs against a task queue no worker polls, so the import stays running unanswered.
 */
describe('roster import status while no worker answers', () => {
  let api: RunningApi;
  let database: TestDatabase;
  let client: Client;
  let workflowId: string | undefined;

  beforeAll(async () => {
    api = await startApi(testApiConfig(ownTaskQueues('roster-stall')));
    database = openTestDatabase();
    client = await connectTestClient();
  });

  afterAll(async () => {
    if (workflowId) await client.workflow.getHandle(workflowId).terminate('test finished');
    await client?.connection.close();
    await api?.close();
    await database?.close();
  });

  it('when the status of a running import is read and no worker answers, then it answers within a second without progress', async () => {
    const districtId = await createDistrict(database.db);
    const token = await (await createAdminWithTotp(database.db, districtId)).signIn(api.baseUrl);
    const zip = zipSync({ 'manifest.csv': strToU8('propertyName,value\n') });
    const { importId, workflowId: id } = await startRosterImport(api.baseUrl, token, zip);
    workflowId = id;

    for (let read = 0; read < 3; read += 1) {
      const before = performance.now();
      const res = await request<{ status: string; progress?: unknown }>(
        api.baseUrl,
        'GET',
        `/v1/admin/roster/imports/${importId}`,
        { token },
      );
      const ms = performance.now() - before;
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('running');
      expect(res.body.progress).toBeUndefined();
      expect(ms).toBeLessThan(900);
    }
  });
});
