import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { loadRosterCliConfig } from '../../libs/config/config';
import { NotFoundError, ValidationFailedError } from '../../libs/domain/errors/domain-errors';
import { startRosterImport } from '../../libs/roster-import';
import { requireFlag, requireUuidFlag } from './args';
import { type Command } from './command';

/**
 * `homeroom roster import --district <id> --file <zip>`: the same path as an admin's upload (the
 * export is streamed encrypted into storage, recorded and its workflow started), for operators who
 * receive exports on the host. Prints `{ importId, workflowId }`; a running worker does the rest.
 */
export const rosterImportCommand: Command = async ({ db, args, env, services }) => {
  const districtId = requireUuidFlag(args, 'district');
  const path = requireFlag(args, 'file');
  const file = await stat(path).catch(() => null);
  if (!file?.isFile()) throw new ValidationFailedError(`--file ${path} is not a readable file.`);
  if (!(await db.districts.exists(districtId))) throw new NotFoundError('The district');

  const config = loadRosterCliConfig(env);
  return startRosterImport(
    {
      db,
      store: services.blobStore(config),
      keys: services.fieldCipher(config),
      maxBytes: config.ROSTER_UPLOAD_MAX_BYTES,
      workflows: await services.workflows(config),
    },
    { districtId, source: 'cli', createdById: null, file: createReadStream(path) },
  );
};
