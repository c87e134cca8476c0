import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { loadRosterCliConfig } from '../../libs/config/config';
import { FieldCipher } from '../../libs/crypto/envelope';
import { LocalKeyWrapper } from '../../libs/crypto/key-wrapper';
import { parseMasterKeyRing } from '../../libs/crypto/master-key-ring';
import { NotFoundError, ValidationFailedError } from '../../libs/domain/errors/domain-errors';
import { startRosterImport } from '../../libs/roster-import';
import { createBlobStore } from '../../libs/adapters/storage/blob-store.factory';
import { requireFlag, requireUuidFlag } from './args';
import { type Command } from './command';
import { withTemporalClient } from './temporal-session';

/**
 * `homeroom roster import --district <id> --file <zip>`: the same path as an admin's upload (the
 * export is streamed encrypted into storage, recorded and its workflow started), for operators who
 * receive exports on the host. Prints `{ importId, workflowId }`; a running worker does the rest.
 */
export const rosterImportCommand: Command = async ({ db, args, env }) => {
  const districtId = requireUuidFlag(args, 'district');
  const path = requireFlag(args, 'file');
  const file = await stat(path).catch(() => null);
  if (!file?.isFile()) throw new ValidationFailedError(`--file ${path} is not a readable file.`);
  if (!(await db.districts.exists(districtId))) throw new NotFoundError('The district');

  const config = loadRosterCliConfig(env);
  return withTemporalClient(config, (client) =>
    startRosterImport(
      {
        db,
        store: createBlobStore(config),
        keys: new FieldCipher(db.dataKeys, new LocalKeyWrapper(parseMasterKeyRing(config))),
        maxBytes: config.ROSTER_UPLOAD_MAX_BYTES,
        temporal: { client, taskQueue: config.TEMPORAL_TASK_QUEUE },
      },
      { districtId, source: 'cli', createdById: null, file: createReadStream(path) },
    ),
  );
};
