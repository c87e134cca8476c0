import { type CliConfig } from '../../libs/config/config';
import { type Database } from '../../libs/db/database';
import { type ParsedArgs } from './args';
import { type CliServices } from './composition';

/** What every operator command gets; the registry in commands.ts maps `<noun> <verb>` to one. */
export interface CommandContext {
  db: Database;
  args: ParsedArgs;
  /** The environment the command runs with (keys, settings beyond the database). */
  env: NodeJS.ProcessEnv;
  config: CliConfig;
  /** Cipher, blob store and workflow gateway of the process's composition root. */
  services: CliServices;
}

export type Command = (ctx: CommandContext) => Promise<Record<string, unknown>>;
