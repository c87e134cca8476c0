import { scanRetryPolicy } from '../../libs/config/scan-retry';
import { loadScanCliConfig } from '../../libs/config/config';
import { NotFoundError } from '../../libs/domain/errors/domain-errors';
import { requireUuidFlag } from './args';
import { type Command } from './command';

const PAGE = 500;

/**
 * `homeroom attachments rescan --district <id>`: after clamd was down for longer than the scan retry
 * budget (ATTACHMENT_SCAN_RETRY_HOURS), files are left unreleased with a `scanner_unavailable` alert.
 * Once clamd answers again, this runs the scan again for every file of the district still awaiting a
 * verdict whose scan is no longer running; one still running is left alone. A file is only ever
 * released by a clean verdict, so running it again is safe. Prints the counts.
 */
export const attachmentsRescanCommand: Command = async ({ db, args, env, services }) => {
  const districtId = requireUuidFlag(args, 'district');
  if (!(await db.districts.exists(districtId))) throw new NotFoundError('The district');
  const config = loadScanCliConfig(env);
  const workflows = await services.workflows(config);
  const tenant = db.forDistrict(districtId);
  const counts = { awaitingVerdict: 0, restarted: 0, stillRunning: 0 };
  for (let afterId: string | undefined; ;) {
    const ids = await tenant.attachments.scanningIds({ afterId, limit: PAGE });
    for (const attachmentId of ids) {
      counts.awaitingVerdict += 1;
      if ((await workflows.attachmentScanState(attachmentId)) === 'running') {
        counts.stillRunning += 1;
        continue;
      }
      await workflows.startAttachmentScan(
        { districtId, attachmentId },
        { retry: scanRetryPolicy(config), runs: 'again' },
      );
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
};
