import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { loadRosterCliConfig } from '../../libs/config/config';
import { FieldCipher } from '../../libs/crypto/envelope';
import { LocalKeyWrapper } from '../../libs/crypto/key-wrapper';
import { parseMasterKeyRing } from '../../libs/crypto/master-key-ring';
import { NotFoundError, UnavailableError, ValidationFailedError } from '../../libs/errors/domain-errors';
import { startRosterImport } from '../../libs/roster-import';
import { createBlobStore } from '../../libs/storage/blob-store.factory';
import { createDataConverter } from '../../libs/temporal/data-converter';
import { requireFlag } from './args';
import { type Command } from './commands';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `homeroom roster import --district <id> --file <zip>`: the same path as an admin's upload (the
 * export is streamed encrypted into storage, recorded and its workflow started), for operators who
 * receive exports on the host. Prints `{ importId, workflowId }`; a running worker does the rest.
 */
export const rosterImportCommand: Command = async ({ db, args, env }) => {
  const districtId = requireFlag(args, 'district');
  if (!UUID.test(districtId)) throw new ValidationFailedError('--district must be a UUID.');
  const path = requireFlag(args, 'file');
  const file = await stat(path).catch(() => null);
  if (!file?.isFile()) throw new ValidationFailedError(`--file ${path} is not a readable file.`);
  if (!(await db.districts.exists(districtId))) throw new NotFoundError('The district');

  const config = loadRosterCliConfig(env);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS }).catch(() => {
    throw new UnavailableError(`Temporal does not answer at ${config.TEMPORAL_ADDRESS}.`);
  });
  try {
    const client = new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      dataConverter: createDataConverter(config),
    });
    return await startRosterImport(
      {
        db,
        store: createBlobStore(config),
        keys: new FieldCipher(db.dataKeys, new LocalKeyWrapper(parseMasterKeyRing(config))),
        maxBytes: config.ROSTER_UPLOAD_MAX_BYTES,
        temporal: { client, taskQueue: config.TEMPORAL_TASK_QUEUE },
      },
      {
        districtId: districtId.toLowerCase(),
        source: 'cli',
        createdById: null,
        file: createReadStream(path),
      },
    );
  } finally {
    await connection.close();
  }
};
