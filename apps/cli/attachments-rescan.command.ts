import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { scanRetryPolicy, startAttachmentScan } from '../../libs/attachments/scan-start';
import { loadScanCliConfig } from '../../libs/config/config';
import { NotFoundError, UnavailableError, ValidationFailedError } from '../../libs/errors/domain-errors';
import { createDataConverter } from '../../libs/temporal/data-converter';
import { workflowIds } from '../../libs/temporal/workflow-ids';
import { requireFlag } from './args';
import { type Command } from './commands';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE = 500;

/**
 * `homeroom attachments rescan --district <id>`: after clamd was down for longer than the scan retry
 * budget (ATTACHMENT_SCAN_RETRY_HOURS), files are left unreleased with a `scanner_unavailable` alert.
 * Once clamd answers again, this runs the scan again for every file of the district still awaiting a
 * verdict whose scan is no longer running; one still running is left alone. A file is only ever
 * released by a clean verdict, so running it again is safe. Prints the counts.
 */
export const attachmentsRescanCommand: Command = async ({ db, args, env }) => {
  const districtId = requireFlag(args, 'district');
  if (!UUID.test(districtId)) throw new ValidationFailedError('--district must be a UUID.');
  if (!(await db.districts.exists(districtId))) throw new NotFoundError('The district');

  const config = loadScanCliConfig(env);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS }).catch(() => {
    throw new UnavailableError(`Temporal does not answer at ${config.TEMPORAL_ADDRESS}.`);
  });
  try {
    const client = new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      dataConverter: createDataConverter(config),
    });
    const tenant = db.forDistrict(districtId);
    const counts = { awaitingVerdict: 0, restarted: 0, stillRunning: 0 };
    for (let afterId: string | undefined; ;) {
      const ids = await tenant.attachments.scanningIds({ afterId, limit: PAGE });
      for (const attachmentId of ids) {
        counts.awaitingVerdict += 1;
        if (await scanIsRunning(client, attachmentId)) {
          counts.stillRunning += 1;
          continue;
        }
        await startAttachmentScan(client, {
          taskQueue: config.TEMPORAL_SCAN_TASK_QUEUE,
          districtId,
          attachmentId,
          retry: scanRetryPolicy(config),
          runs: 'again',
        });
        counts.restarted += 1;
      }
      if (ids.length < PAGE) break;
      afterId = ids[ids.length - 1];
    }
    await tenant.audit.append({
      action: 'attachment.rescan',
      targetType: 'district',
      targetId: districtId,
      details: counts,
    });
    return { districtId, ...counts };
  } finally {
    await connection.close();
  }
};

async function scanIsRunning(client: Client, attachmentId: string): Promise<boolean> {
  try {
    const description = await client.workflow.getHandle(workflowIds.attachmentScan(attachmentId)).describe();
    return description.status.name === 'RUNNING';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}
