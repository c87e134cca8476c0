import { ConfigError, loadCliConfig } from '../../libs/config/config';
import { DomainError } from '../../libs/domain/errors/domain-errors';
import { parseArgs } from './args';
import { COMMANDS } from './commands';
import { createCliComposition } from './composition';

const USAGE = `usage: homeroom <command> [options]
  district create --name "<name>"
  district settings --district <districtId> [--announcements-per-teacher-per-hour <n>|default]
                    [--anomaly-broadcast-recipients <n>|default]
  admin create --district <districtId> --username <u> [--role district_admin|school_admin]
  audit verify --district <districtId>
  roster import --district <districtId> --file <zip>   (needs Temporal, keys and blob storage)
  roster source set --district <districtId> --base-url <url> --token-url <url> --client-id <id>
      --secret-ref env:ROSTER_API_SECRET_<NAME>|file:<name> [--schedule "0 2 * * *"]
  roster source show|remove --district <districtId>
  attachments rescan --district <districtId>   (scans again files left unreleased by a clamd outage)
  oidc set --district <districtId> --issuer <https URL> --client-id <id> --secret-ref OIDC_CLIENT_SECRET_<NAME>
    --claim <claim> --field email|username|sourcedId --redirect-uri <URL> [--redirect-uri <URL>…]
    [--password-signin off --roles student,guardian,teacher | --password-signin on]
  oidc show --district <districtId>
  keys rotate   (re-wraps data keys under ACTIVE_MASTER_KEY_ID; needs MASTER_KEYS)`;

/** Operator command line: one JSON object on stdout, a clear message and a non-zero exit on failure. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseArgs(argv);
  const name = args.positionals.slice(0, 2).join(' ');
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`${name ? `unknown command "${name}"\n` : ''}${USAGE}\n`);
    return 64;
  }
  const { db, config, services, close } = createCliComposition(loadCliConfig(env));
  try {
    const result = await command({ db, args, env, config, services });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await close();
  }
}

/** Entry point for bin/homeroom.js: runs, reports, and exits with the command's status. */
export function runCliProcess(argv: string[]): void {
  runCli(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const message =
        error instanceof DomainError || error instanceof ConfigError
          ? error.message
          : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
      process.stderr.write(`homeroom: ${message}\n`);
      process.exit(error instanceof ConfigError ? 78 : 1);
    },
  );
}
